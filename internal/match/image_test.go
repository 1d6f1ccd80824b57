package match

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestImageIndexFindsEveryNearImage checks the multi-index against a linear
// scan: every reference image within maxImageDistance is found, at its
// distance, and nothing farther.
func TestImageIndexFindsEveryNearImage(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	marks := make([]domain.Mark, 3000)
	for i := range marks {
		marks[i] = domain.Mark{ID: fmt.Sprintf("m%d", i)}
		for range 1 + rng.IntN(3) {
			marks[i].Images = append(marks[i].Images, domain.RefImage{Path: "x.png", Hash: domain.PHash(rng.Uint64())})
		}
	}
	marks[5].Images = append(marks[5].Images, domain.RefImage{Path: "flat.png"}) // zero: never matched
	ix := buildImageIndex(marks)
	for q := 0; q < 3000; q++ {
		// queries at every distance from 0 to 12 of some reference image,
		// with the flipped bits spread or bunched into one chunk
		mi := rng.IntN(len(marks))
		h := marks[mi].Images[0].Hash
		d := q % 13
		for _, b := range rng.Perm(64)[:d] {
			if q%2 == 0 {
				b %= 16 // bunched into the first chunks
			}
			h ^= 1 << uint(b)
		}
		got := ix.lookup(h, nil)
		want := map[int32]int{}
		for i, mk := range marks {
			for _, img := range mk.Images {
				if dd := h.Distance(img.Hash); img.Hash != 0 && dd <= maxImageDistance {
					if old, ok := want[int32(i)]; !ok || dd < old {
						want[int32(i)] = dd
					}
				}
			}
		}
		if len(got) != len(want) {
			t.Fatalf("query %016x: found %+v, want %v", uint64(h), got, want)
		}
		for _, g := range got {
			if want[g.mark] != g.dist || marks[g.mark].Images[g.ref].Hash.Distance(h) != g.dist {
				t.Fatalf("query %016x: hit %+v, want distance %d", uint64(h), g, want[g.mark])
			}
		}
	}
	if got := ix.lookup(0, nil); len(got) != 0 {
		t.Errorf("a zero hash found %+v", got)
	}
}
