package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"

	"github.com/markwatch/markwatch/internal/domain"
)

// CheckWritable is the store's readiness: that the file at the store's
// path is still this store's database and that a write commits. Ping's
// SELECT 1 touches no file at all, so it answered on a store overwritten,
// removed or read-only. Every failure is domain.EUNAVAILABLE with the
// reason.
//
// The file is read through a connection of its own, opened for the probe:
// the store's connections keep serving pages from their caches, and from
// the old inode of a file removed or renamed over, while every new
// connection (and the next start) sees what is at the path now.
//
// The test write rewrites the header's user_version with the value it has:
// markwatch keeps its schema version in schema_migrations and never uses
// user_version, so the probe needs no table of its own and changes nothing,
// yet takes the write lock and commits a page to the WAL like any other
// write. (A full disk is for the caller's free-space floor to see early:
// SQLite reuses WAL space and may not need a new block.)
func (db *DB) CheckWritable(ctx context.Context) error {
	if db.dialect == dialectPostgres {
		return db.checkWritablePostgres(ctx)
	}
	path, err := db.mainFile(ctx)
	if err != nil {
		return domain.Errorf(domain.EUNAVAILABLE, "checking store: %v", err)
	}
	var want int
	if err := db.wr.QueryRowContext(ctx, "SELECT max(version) FROM schema_migrations").Scan(&want); err != nil {
		return domain.Errorf(domain.EUNAVAILABLE, "checking store %s: reading the schema version: %v", path, err)
	}
	if err := checkHeader(path); err != nil {
		return domain.Errorf(domain.EUNAVAILABLE, "checking store %s: %v", path, err)
	}
	if err := checkFileAt(ctx, path, want); err != nil {
		return domain.Errorf(domain.EUNAVAILABLE, "checking store %s: %v", path, err)
	}
	err = db.inTx(ctx, "test write", func(tx *sql.Tx) error {
		var v int64
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v))
		return err
	})
	if err != nil {
		return domain.Errorf(domain.EUNAVAILABLE, "checking store %s: %v", path, err)
	}
	return nil
}

// sqliteMagic starts every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// checkHeader reads the file's first bytes from disk. A fresh connection
// alone is not enough: while the WAL still holds every page, SQLite reads
// them from there and never looks at what the main file has become.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("the file is not this store's database any more: %w", err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteMagic))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, sqliteMagic) {
		return fmt.Errorf("the file is not this store's database any more: it is not a SQLite database (overwritten or replaced)")
	}
	return nil
}

// checkFileAt opens path read-only on a fresh connection and checks it is a
// markwatch database at schema version want.
func checkFileAt(ctx context.Context, path string, want int) error {
	fresh, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return fmt.Errorf("opening the file afresh: %w", err)
	}
	defer fresh.Close()
	var got int
	if err := fresh.QueryRowContext(ctx, "SELECT max(version) FROM schema_migrations").Scan(&got); err != nil {
		return fmt.Errorf("the file is not this store's database any more (removed, replaced or overwritten?): %v", err)
	}
	if got != want {
		return fmt.Errorf("the file is at schema version %d, the open store at %d: it was replaced", got, want)
	}
	return nil
}

// mainFile is the path SQLite opened the database at.
func (db *DB) mainFile(ctx context.Context) (string, error) {
	rows, err := db.wr.QueryContext(ctx, "PRAGMA database_list")
	if err != nil {
		return "", fmt.Errorf("listing database files: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq int
		var name, file string
		if err := rows.Scan(&seq, &name, &file); err != nil {
			return "", fmt.Errorf("listing database files: %w", err)
		}
		if name == "main" {
			return file, nil
		}
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("listing database files: %w", err)
	}
	return "", fmt.Errorf("listing database files: no main database")
}
