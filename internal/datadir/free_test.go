package datadir_test

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/datadir"
	"github.com/markwatch/markwatch/internal/domain"
)

// A floor above the disk's free space fails as unavailable naming the dir
// and both sizes; a floor under it, or none, passes; a dir that is gone
// fails.
func TestCheckFree(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "数据")
	l, err := datadir.Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	free, err := datadir.Free(dir)
	if err != nil || free == 0 {
		t.Fatalf("Free = %d, %v", free, err)
	}
	cases := []struct {
		name  string
		dir   string
		floor uint64
		fail  string
	}{
		{"no floor", dir, 0, ""},
		{"floor under free space", dir, 1 << 20, ""},
		{"full disk", dir, math.MaxInt64, "below the floor"},
		{"just above free space", dir, free + 1<<30, "below the floor"},
		{"dir gone", filepath.Join(dir, "不存在"), 1, "no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := datadir.CheckFree(c.dir, c.floor)
			if c.fail == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || domain.ErrorCode(err) != domain.EUNAVAILABLE || !strings.Contains(err.Error(), c.fail) || !strings.Contains(err.Error(), c.dir) {
				t.Errorf("CheckFree(%s, %d) = %v, want unavailable naming the dir and %q", c.dir, c.floor, err, c.fail)
			}
		})
	}
}
