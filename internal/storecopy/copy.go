package storecopy

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/markwatch/markwatch/internal/domain"
)

// Table is one copied table as verified: its rows and the hex SHA-256 over
// them in primary-key order (encode.go), the same on both sides.
type Table struct {
	Name   string
	Rows   int64
	SHA256 string
}

// Report lists the tables in the order they were copied (foreign-key
// order).
type Report struct {
	Tables []Table
}

// Copy copies every table of src (SQLite, opened read-only) into dst
// (PostgreSQL through pgx's database/sql driver, migrated by markwatch and
// empty), keeping ids, in foreign-key order; resets the identity sequences
// past the copied ids; and verifies every table, all in one PostgreSQL
// transaction, so it commits a complete, verified copy or nothing.
// progress, when not nil, hears of each table once it is copied and
// verified. A target holding rows, a schema or migrations that differ, a
// value PostgreSQL cannot hold, and unique values PostgreSQL's collations
// take for one (users.name: É and é) are refused before anything is
// written, naming what.
func Copy(ctx context.Context, src, dst *sql.DB, progress func(Table)) (Report, error) {
	var rep Report
	err := withPgx(ctx, dst, func(conn *pgx.Conn) error {
		srcTx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return fmt.Errorf("beginning the source's read: %w", err)
		}
		defer func() { _ = srcTx.Rollback() }()
		tx, err := conn.Begin(ctx)
		if err != nil {
			return fmt.Errorf("beginning the target's transaction: %w", err)
		}
		defer func() { _ = tx.Rollback(ctx) }()

		tables, err := plan(ctx, srcTx, tx)
		if err != nil {
			return err
		}
		if err := checkMigrations(ctx, srcTx, tx); err != nil {
			return err
		}
		if err := lockTables(ctx, tx, tables); err != nil {
			return err
		}
		if err := checkEmpty(ctx, tx, tables); err != nil {
			return err
		}
		if err := checkCollisions(ctx, srcTx, tx, tables); err != nil {
			return err
		}
		for _, t := range tables {
			got, err := copyTable(ctx, srcTx, tx, t)
			if err != nil {
				return err
			}
			rep.Tables = append(rep.Tables, got)
			if progress != nil {
				progress(got)
			}
		}
		floors, err := autoincrementFloors(ctx, srcTx)
		if err != nil {
			return err
		}
		if err := resetSequences(ctx, tx, tables, floors); err != nil {
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("committing the copy: %w", err)
		}
		return nil
	})
	if err != nil {
		return Report{}, fmt.Errorf("copying the store: %w", err)
	}
	return rep, nil
}

// withPgx runs fn on one of db's connections as the pgx connection under
// it, for COPY and pgx's own transactions.
func withPgx(ctx context.Context, db *sql.DB, fn func(*pgx.Conn) error) error {
	c, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connecting to the target: %w", err)
	}
	defer func() { _ = c.Close() }()
	return c.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return domain.Errorf(domain.EINVALID, "the target must be PostgreSQL opened with pgx's database/sql driver, not %T", dc)
		}
		return fn(pc.Conn())
	})
}

// lockTables keeps writers out of the copied tables until the copy
// commits (readers may read the empty tables), so nothing lands between
// the emptiness check and the commit.
func lockTables(ctx context.Context, tx pgx.Tx, tables []table) error {
	if len(tables) == 0 {
		return nil
	}
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = quote(t.name)
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE "+strings.Join(names, ", ")+" IN EXCLUSIVE MODE"); err != nil {
		return fmt.Errorf("locking the target's tables: %w", err)
	}
	return nil
}

// checkEmpty refuses a target holding rows in any table to be copied:
// copied ids would collide with them, and the result would be neither
// installation.
func checkEmpty(ctx context.Context, tx pgx.Tx, tables []table) error {
	var full []string
	for _, t := range tables {
		var n int64
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+quote(t.name)).Scan(&n); err != nil {
			return fmt.Errorf("counting the target's table %s: %w", t.name, err)
		}
		if n > 0 {
			full = append(full, fmt.Sprintf("table %s has %d rows", t.name, n))
		}
	}
	if len(full) > 0 {
		return domain.Errorf(domain.ECONFLICT, "target is not empty: %s; migrate into a new database", strings.Join(full, ", "))
	}
	return nil
}

// copyTable copies one table with COPY, hashing the source's rows as they
// go, then hashes what the target holds and compares.
func copyTable(ctx context.Context, src *sql.Tx, dst pgx.Tx, t table) (Table, error) {
	rows, err := openSource(ctx, src, t)
	if err != nil {
		return Table{}, err
	}
	defer func() { _ = rows.close() }()
	feed := &copyFeed{rows: rows, hash: newTableHash(t.name, t.columnNames())}
	n, err := dst.CopyFrom(ctx, pgx.Identifier{t.name}, t.columnNames(), feed)
	if feed.err != nil {
		return Table{}, feed.err // the cause; CopyFrom's error only says the copy stopped
	}
	if err != nil {
		return Table{}, fmt.Errorf("copying table %s: %w", t.name, err)
	}
	want := feed.hash.sum(t.name)
	if n != want.Rows {
		return Table{}, fmt.Errorf("copying table %s: PostgreSQL took %d of %d rows", t.name, n, want.Rows)
	}
	got, err := hashTarget(ctx, dst, t)
	if err != nil {
		return Table{}, err
	}
	if got != want {
		return Table{}, domain.Errorf(domain.EINTERNAL, "verifying table %s: the copy holds %d rows with SHA-256 %s, the source %d rows with %s",
			t.name, got.Rows, got.SHA256, want.Rows, want.SHA256)
	}
	return want, nil
}

// copyFeed is the source's rows as pgx's CopyFromSource, hashed on the way.
type copyFeed struct {
	rows *sourceRows
	hash *tableHash
	vals []any
	err  error
}

func (f *copyFeed) Next() bool {
	vals, ok, err := f.rows.next()
	if err != nil {
		f.err = err
		return false
	}
	if !ok {
		return false
	}
	if _, err := f.hash.add(vals); err != nil {
		f.err = fmt.Errorf("hashing table %s: %w", f.rows.t.name, err)
		return false
	}
	f.vals = vals
	return true
}

func (f *copyFeed) Values() ([]any, error) { return f.vals, nil }

func (f *copyFeed) Err() error { return f.err }

// hashTarget hashes a table as the target holds it.
func hashTarget(ctx context.Context, tx pgx.Tx, t table) (Table, error) {
	rows, err := openTarget(ctx, tx, t)
	if err != nil {
		return Table{}, err
	}
	defer rows.close()
	h := newTableHash(t.name, t.columnNames())
	for {
		vals, ok, err := rows.next()
		if err != nil {
			return Table{}, err
		}
		if !ok {
			return h.sum(t.name), nil
		}
		if _, err := h.add(vals); err != nil {
			return Table{}, fmt.Errorf("hashing the target's table %s: %w", t.name, err)
		}
	}
}
