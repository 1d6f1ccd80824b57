package storecopy

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// resetSequences moves every identity or serial sequence of the copied
// tables to its column's largest copied value, so the next row the store
// inserts gets a fresh id instead of colliding with a copied one (COPY with
// explicit ids leaves the sequences where they were). pg_get_serial_sequence
// finds the sequence of a GENERATED … AS IDENTITY column as of a serial.
// floors are SQLite's AUTOINCREMENT high-water marks (sqlite_sequence) by
// table: such a table (index_outbox) promises never to hand out an id
// twice, also the id of a row since deleted, so its sequence starts past
// the larger of the two.
func resetSequences(ctx context.Context, tx pgx.Tx, tables []table, floors map[string]int64) error {
	for _, t := range tables {
		rows, err := tx.Query(ctx, `SELECT a.attname, s.seq
			FROM pg_attribute a, LATERAL (SELECT pg_get_serial_sequence($1, a.attname) AS seq) s
			WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND s.seq IS NOT NULL`, quote(t.name))
		if err != nil {
			return fmt.Errorf("finding the sequences of %s: %w", t.name, err)
		}
		type seq struct{ column, name string }
		seqs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (seq, error) {
			var s seq
			return s, r.Scan(&s.column, &s.name)
		})
		if err != nil {
			return fmt.Errorf("finding the sequences of %s: %w", t.name, err)
		}
		for _, s := range seqs {
			// An empty table (max NULL) keeps its fresh sequence; ids below
			// an identity's first value cannot collide with what it hands out.
			// greatest skips a NULL: no floor, or no rows.
			var floor *int64
			if f, ok := floors[t.name]; ok && t.isRowidAlias(s.column) {
				floor = &f
			}
			q := fmt.Sprintf(`SELECT setval($1::regclass, m) FROM (SELECT greatest(max(%s), $2::bigint) AS m FROM %s) x WHERE m >= 1`, quote(s.column), quote(t.name))
			if _, err := tx.Exec(ctx, q, s.name, floor); err != nil {
				return fmt.Errorf("resetting the sequence of %s.%s: %w", t.name, s.column, err)
			}
		}
	}
	return nil
}

// autoincrementFloors reads sqlite_sequence, which SQLite creates with the
// first AUTOINCREMENT table; none is no floors.
func autoincrementFloors(ctx context.Context, src *sql.Tx) (map[string]int64, error) {
	var exists int
	if err := src.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'").Scan(&exists); err != nil {
		return nil, fmt.Errorf("looking for sqlite_sequence: %w", err)
	}
	floors := map[string]int64{}
	if exists == 0 {
		return floors, nil
	}
	rows, err := src.QueryContext(ctx, "SELECT name, seq FROM sqlite_sequence")
	if err != nil {
		return nil, fmt.Errorf("reading sqlite_sequence: %w", err)
	}
	for rows.Next() {
		var name string
		var seq int64
		if err := rows.Scan(&name, &seq); err != nil {
			_ = rows.Close()
			return nil, fmt.Errorf("reading sqlite_sequence: %w", err)
		}
		floors[name] = seq
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("reading sqlite_sequence: %w", err)
	}
	return floors, nil
}
