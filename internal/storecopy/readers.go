package storecopy

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// sourceRows reads a table from SQLite in key order, each value coerced to
// what the target column stores.
type sourceRows struct {
	t    table
	rows *sql.Rows
	raw  []any
	ptrs []any
	vals []any
}

func openSource(ctx context.Context, tx *sql.Tx, t table) (*sourceRows, error) {
	rows, err := tx.QueryContext(ctx, t.selectSQL(false))
	if err != nil {
		return nil, fmt.Errorf("reading the source's table %s: %w", t.name, err)
	}
	r := &sourceRows{t: t, rows: rows, raw: make([]any, len(t.columns)), ptrs: make([]any, len(t.columns)), vals: make([]any, len(t.columns))}
	for i := range r.raw {
		r.ptrs[i] = &r.raw[i]
	}
	return r, nil
}

// next returns the next row (valid until the next call), or false at the
// end; a value the target cannot hold is an error naming its row.
func (r *sourceRows) next() ([]any, bool, error) {
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return nil, false, fmt.Errorf("reading the source's table %s: %w", r.t.name, err)
		}
		return nil, false, nil
	}
	if err := r.rows.Scan(r.ptrs...); err != nil {
		return nil, false, fmt.Errorf("reading the source's table %s: %w", r.t.name, err)
	}
	for i, c := range r.t.columns {
		v, err := coerce(r.raw[i], c.kind)
		if err != nil {
			return nil, false, fmt.Errorf("copying %s.%s of the row %s: %w", r.t.name, c.name, r.t.describeKey(r.raw), err)
		}
		r.vals[i] = v
	}
	return r.vals, true, nil
}

func (r *sourceRows) close() error { return r.rows.Close() }

// targetRows reads a table from PostgreSQL in the same order.
type targetRows struct {
	t    table
	rows pgx.Rows
	vals []any
}

func openTarget(ctx context.Context, tx pgx.Tx, t table) (*targetRows, error) {
	rows, err := tx.Query(ctx, t.selectSQL(true))
	if err != nil {
		return nil, fmt.Errorf("reading the target's table %s: %w", t.name, err)
	}
	return &targetRows{t: t, rows: rows, vals: make([]any, len(t.columns))}, nil
}

func (r *targetRows) next() ([]any, bool, error) {
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return nil, false, fmt.Errorf("reading the target's table %s: %w", r.t.name, err)
		}
		return nil, false, nil
	}
	raw, err := r.rows.Values()
	if err != nil {
		return nil, false, fmt.Errorf("reading the target's table %s: %w", r.t.name, err)
	}
	for i, v := range raw {
		if r.vals[i], err = normalise(v); err != nil {
			return nil, false, fmt.Errorf("reading the target's %s.%s: %w", r.t.name, r.t.columns[i].name, err)
		}
	}
	return r.vals, true, nil
}

func (r *targetRows) close() { r.rows.Close() }
