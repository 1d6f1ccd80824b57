package index

import "testing"

// Every window lands on one page that holds all of it, for every offset up
// to 3,000 and the limits the API allows at the small end and the top.
func TestPageWindowCoversEveryWindow(t *testing.T) {
	for _, limit := range []int{1, 2, 3, 7, 20, 50, 999, 1000} {
		for offset := 0; offset <= 3000; offset++ {
			page, per, skip := pageWindow(offset, limit)
			start := (page-1)*per + skip
			if page < 1 || per < limit || skip < 0 || skip+limit > per || start != offset {
				t.Fatalf("pageWindow(%d, %d) = page %d, %d per page, skip %d: does not hold [%d, %d)",
					offset, limit, page, per, skip, offset, offset+limit)
			}
		}
	}
}

func TestPageWindowAligned(t *testing.T) {
	for _, tc := range []struct{ offset, limit, page, per, skip int }{
		{0, 20, 1, 20, 0},
		{1180, 20, 60, 20, 0},
		{1495, 10, 116, 13, 0},
		{1, 2, 1, 3, 1},
	} {
		page, per, skip := pageWindow(tc.offset, tc.limit)
		if page != tc.page || per != tc.per || skip != tc.skip {
			t.Errorf("pageWindow(%d, %d) = %d, %d, %d; want %d, %d, %d", tc.offset, tc.limit, page, per, skip, tc.page, tc.per, tc.skip)
		}
	}
}
