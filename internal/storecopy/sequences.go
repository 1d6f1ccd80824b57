package storecopy

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// resetSequences moves every identity or serial sequence of the copied
// tables to its column's largest copied value, so the next row the store
// inserts gets a fresh id instead of colliding with a copied one (COPY with
// explicit ids leaves the sequences where they were). pg_get_serial_sequence
// finds the sequence of a GENERATED … AS IDENTITY column as of a serial.
func resetSequences(ctx context.Context, tx pgx.Tx, tables []table) error {
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
			q := fmt.Sprintf(`SELECT setval($1::regclass, m) FROM (SELECT max(%s) AS m FROM %s) x WHERE m >= 1`, quote(s.column), quote(t.name))
			if _, err := tx.Exec(ctx, q, s.name); err != nil {
				return fmt.Errorf("resetting the sequence of %s.%s: %w", t.name, s.column, err)
			}
		}
	}
	return nil
}
