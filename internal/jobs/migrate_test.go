package jobs

import (
	"sync"
	"testing"

	"github.com/markwatch/markwatch/internal/pgtest"
)

// TestMigrate: processes starting together on an empty database all
// migrate without error, and migrating again changes nothing.
func TestMigrate(t *testing.T) {
	url := pgtest.Shared(t).NewDatabase(t)
	var wg sync.WaitGroup
	for range 3 {
		pool := newPool(t, url, 2)
		wg.Go(func() {
			if err := Migrate(t.Context(), pool); err != nil {
				t.Errorf("concurrent Migrate: %v", err)
			}
		})
	}
	wg.Wait()
	pool := newPool(t, url, 2)
	if err := Migrate(t.Context(), pool); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	for _, table := range []string{"river_job", "river_leader", "markwatch_host_pacing"} {
		var exists bool
		if err := pool.QueryRow(t.Context(), "SELECT to_regclass($1) IS NOT NULL", table).Scan(&exists); err != nil || !exists {
			t.Errorf("table %s: exists %v, %v", table, exists, err)
		}
	}
	// Each Migrate gave its lock back: another can take it at once.
	var free bool
	if err := pool.QueryRow(t.Context(), "SELECT pg_try_advisory_lock($1, 0)", migrateLockClass).Scan(&free); err != nil || !free {
		t.Errorf("the migration lock: free %v, %v", free, err)
	}
}
