package store

import (
	"context"
	"database/sql"

	"github.com/markwatch/markwatch/internal/domain"
)

// checkWritablePostgres is CheckWritable on PostgreSQL, which has no file
// to check: that the schema is this store's and a write commits. The write
// rewrites the newest schema_migrations row with the values it has, so it
// takes a row lock and commits like any other write (a read-only replica
// or a database set read-only refuses it) and changes nothing.
func (db *DB) checkWritablePostgres(ctx context.Context) error {
	err := db.inTx(ctx, "test write", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			"UPDATE schema_migrations SET applied_at = applied_at WHERE version = (SELECT max(version) FROM schema_migrations)")
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return domain.Errorf(domain.EUNAVAILABLE, "schema_migrations is empty (%d rows, %v): not this store's database", n, err)
		}
		return nil
	})
	if err != nil {
		return domain.Errorf(domain.EUNAVAILABLE, "checking store: %v", err)
	}
	return nil
}
