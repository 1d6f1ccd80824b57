package storecopy

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/markwatch/markwatch/internal/domain"
)

// Verify compares src (SQLite) with dst (PostgreSQL through pgx's
// database/sql driver) table by table: the same tables and columns, the
// same migrations, and for every table the row count and SHA-256 over its
// rows in primary-key order. It reads each side in one snapshot and
// changes nothing. The report holds the source's tables; every table that
// differs is an error naming it and its first differing row and column.
func Verify(ctx context.Context, src, dst *sql.DB) (Report, error) {
	var rep Report
	err := withPgx(ctx, dst, func(conn *pgx.Conn) error {
		srcTx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return fmt.Errorf("beginning the source's read: %w", err)
		}
		defer func() { _ = srcTx.Rollback() }()
		tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return fmt.Errorf("beginning the target's read: %w", err)
		}
		defer func() { _ = tx.Rollback(ctx) }()
		tables, err := plan(ctx, srcTx, tx)
		if err != nil {
			return err
		}
		if err := checkMigrations(ctx, srcTx, tx); err != nil {
			return err
		}
		var diffs []string
		for _, t := range tables {
			got, diff, err := verifyTable(ctx, srcTx, tx, t)
			if err != nil {
				return err
			}
			if diff != "" {
				diffs = append(diffs, diff)
			}
			rep.Tables = append(rep.Tables, got)
		}
		if len(diffs) > 0 {
			return domain.Errorf(domain.ECONFLICT, "%s", strings.Join(diffs, "; "))
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("verifying the store: %w", err)
	}
	return rep, nil
}

// verifyTable reads a table from both sides in step, hashing each, and
// returns the source's side and, when the target's differs, a sentence
// naming the table and where the two first part.
func verifyTable(ctx context.Context, src *sql.Tx, dst pgx.Tx, t table) (Table, string, error) {
	from, err := openSource(ctx, src, t)
	if err != nil {
		return Table{}, "", err
	}
	defer func() { _ = from.close() }()
	to, err := openTarget(ctx, dst, t)
	if err != nil {
		return Table{}, "", err
	}
	defer to.close()
	hs, ht := newTableHash(t.name, t.columnNames()), newTableHash(t.name, t.columnNames())
	// A merge of the two key-ordered streams: rows with equal keys are
	// compared, a key on one side only is a missing or an extra row, and
	// both sides are hashed whole.
	var a, b []any
	var ea, eb []byte
	okA, okB := true, true
	advanceA, advanceB := true, true
	first := ""
	for {
		if advanceA {
			if a, okA, err = from.next(); err != nil {
				return Table{}, "", err
			}
			if okA {
				if ea, err = hs.add(a); err != nil {
					return Table{}, "", fmt.Errorf("hashing the source's table %s: %w", t.name, err)
				}
			}
		}
		if advanceB {
			if b, okB, err = to.next(); err != nil {
				return Table{}, "", err
			}
			if okB {
				if eb, err = ht.add(b); err != nil {
					return Table{}, "", fmt.Errorf("hashing the target's table %s: %w", t.name, err)
				}
			}
		}
		if !okA && !okB {
			break
		}
		order := 0
		switch {
		case !okA:
			order = 1
		case !okB:
			order = -1
		default:
			order = t.compareKeys(a, b)
		}
		advanceA, advanceB = order <= 0, order >= 0
		if first != "" {
			continue
		}
		switch {
		case order < 0:
			first = "the target lacks the row " + t.describeKey(a)
		case order > 0:
			first = "the target has a row the source lacks, " + t.describeKey(b)
		case !bytes.Equal(ea, eb):
			first = describeDiff(t, a, b)
		}
	}
	source, target := hs.sum(t.name), ht.sum(t.name)
	if source != target {
		if first == "" {
			first = "none row by row (the hashes differ over the same rows, which is a bug)"
		}
		return source, fmt.Sprintf("table %s differs: the source has %d rows with SHA-256 %s, the target %d rows with %s; first difference: %s",
			t.name, source.Rows, source.SHA256, target.Rows, target.SHA256, first), nil
	}
	return source, "", nil
}

// describeDiff says how two rows of the same key differ.
func describeDiff(t table, a, b []any) string {
	for i, c := range t.columns {
		ea, _ := appendValue(nil, a[i])
		eb, _ := appendValue(nil, b[i])
		if !bytes.Equal(ea, eb) {
			return fmt.Sprintf("row %s, column %s: the source has %s, the target %s", t.describeKey(a), c.name, describeCell(a[i]), describeCell(b[i]))
		}
	}
	return "row " + t.describeKey(a)
}

func describeCell(v any) string {
	if v == nil {
		return "NULL"
	}
	return describeValue(v)
}
