package store

import (
	"context"
	"database/sql/driver"
	"fmt"

	"modernc.org/sqlite"
)

// writerConnector opens the SQLite writer's connections through a driver
// of the store's own, whose connection hook gives each new connection the
// resight cache's pre-update hook (resightcache.go) and empties the cache:
// a connection the hook was not on, or whose data_version counts anew,
// must not answer for rows cached before it.
type writerConnector struct {
	drv *sqlite.Driver
	dsn string
}

// preUpdateHooker is what modernc's connection offers for the hook.
type preUpdateHooker interface {
	RegisterPreUpdateHook(sqlite.PreUpdateHookFn)
}

func newWriterConnector(dsn string, cache *resightCache) *writerConnector {
	drv := &sqlite.Driver{}
	drv.RegisterConnectionHook(func(conn sqlite.ExecQuerierContext, _ string) error {
		h, ok := conn.(preUpdateHooker)
		if !ok {
			return fmt.Errorf("setting up the writer connection: the SQLite driver's connection %T has no pre-update hook", conn)
		}
		cache.clear()
		h.RegisterPreUpdateHook(func(d sqlite.SQLitePreUpdateData) {
			if d.DatabaseName != "main" {
				return
			}
			cache.changed(d.TableName, d.OldRowID)
			if d.NewRowID != d.OldRowID {
				cache.changed(d.TableName, d.NewRowID)
			}
		})
		return nil
	})
	return &writerConnector{drv: drv, dsn: dsn}
}

func (c *writerConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }

func (c *writerConnector) Driver() driver.Driver { return c.drv }
