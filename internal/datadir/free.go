package datadir

import (
	"fmt"

	"github.com/markwatch/markwatch/internal/domain"
)

// CheckFree fails with domain.EUNAVAILABLE when the file system holding dir
// has less than floor bytes free for unprivileged writers: SQLite and
// Meilisearch fail mid-write on a full disk, so readiness says so first.
// A floor of 0 checks only that dir can be examined.
func CheckFree(dir string, floor uint64) error {
	free, err := Free(dir)
	if err != nil {
		return domain.Errorf(domain.EUNAVAILABLE, "checking free space in data dir %s: %v", dir, err)
	}
	if free < floor {
		return domain.Errorf(domain.EUNAVAILABLE, "data dir %s has %s free, below the floor of %s; free some space or raise the disk",
			dir, mib(free), mib(floor))
	}
	return nil
}

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
