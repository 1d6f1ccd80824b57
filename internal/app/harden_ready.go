package app

import (
	"context"

	"github.com/markwatch/markwatch/internal/datadir"
	"github.com/markwatch/markwatch/internal/httpapi"
)

// readinessChecks are what /readyz asks: that the store still writes (a
// database overwritten, removed or read-only answered Ping all the same),
// that the data dir's disk has room above the floor, and that Meilisearch
// answers. The reasons are public; the details go to the log.
func (d *daemon) readinessChecks() []httpapi.Check {
	floor := uint64(d.cfg.DataDirMinFreeMB) << 20
	checks := []httpapi.Check{
		{Name: "store", Fn: func(ctx context.Context) error {
			if err := d.db.CheckWritable(ctx); err != nil {
				return httpapi.Unready("the database cannot be written", err)
			}
			return nil
		}},
		{Name: "disk", Fn: func(context.Context) error {
			if err := datadir.CheckFree(d.cfg.DataDir, floor); err != nil {
				return httpapi.Unready("free space in the data dir below the floor", err)
			}
			return nil
		}},
	}
	if d.search != nil { // a worker does not talk to Meilisearch
		checks = append(checks, httpapi.Check{Name: "index", Fn: d.search.Healthy})
	}
	return checks
}
