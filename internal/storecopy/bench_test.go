package storecopy

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// BenchmarkCopy copies a realistic installation (20,000 listings with a
// hit each, half of them alerting with their evidence, which is some
// 100,000 rows over all tables) into a fresh target per iteration: Copy as
// built (COPY), against multi-row INSERTs in the same transaction with the
// same verification (baseline-insert), and Verify alone. rows/s counts the
// rows of every copied table. On the 2 shared cores here: 120,081 rows,
// copy 25k rows/s (4.7 s, most of it PostgreSQL checking foreign keys and
// filling indexes: reading the source's 20k listings takes 0.26 s of the
// 1.35 s their COPY takes), baseline-insert 16k rows/s (copy/insert 1.6),
// verify 59k rows/s.
func BenchmarkCopy(b *testing.B) {
	ctx := testContext(b)
	src := openSourceDB(b, newSource(b, fixture{listings: 20000}))
	perSecond := func(b *testing.B, rows int64) float64 {
		return float64(rows) * float64(b.N) / b.Elapsed().Seconds()
	}
	var rows int64
	var copyRate, insertRate float64
	b.Run("copy", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			dst := newTarget(b)
			b.StartTimer()
			rep, err := Copy(ctx, src, dst, nil)
			if err != nil {
				b.Fatal(err)
			}
			rows = totalRows(rep)
		}
		copyRate = perSecond(b, rows)
		b.ReportMetric(copyRate, "rows/s")
		b.ReportMetric(float64(rows), "rows")
	})
	b.Run("baseline-insert", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			dst := newTarget(b)
			b.StartTimer()
			if err := insertCopy(ctx, src, dst); err != nil {
				b.Fatal(err)
			}
		}
		insertRate = perSecond(b, rows)
		b.ReportMetric(insertRate, "rows/s")
		b.ReportMetric(copyRate/insertRate, "copy/insert")
	})
	b.Run("verify", func(b *testing.B) {
		dst := newTarget(b)
		if _, err := Copy(ctx, src, dst, nil); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := Verify(ctx, src, dst); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(perSecond(b, rows), "rows/s")
	})
}

func totalRows(rep Report) int64 {
	var n int64
	for _, t := range rep.Tables {
		n += t.Rows
	}
	return n
}

// insertCopy is Copy with multi-row INSERTs (up to 1,000 rows or 65,535
// parameters a statement) in place of COPY: the baseline COPY is measured
// against.
func insertCopy(ctx context.Context, src, dst *sql.DB) error {
	return withPgx(ctx, dst, func(conn *pgx.Conn) error {
		srcTx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return err
		}
		defer func() { _ = srcTx.Rollback() }()
		tx, err := conn.Begin(ctx)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(ctx) }()
		tables, err := plan(ctx, srcTx, tx)
		if err != nil {
			return err
		}
		for _, t := range tables {
			rows, err := openSource(ctx, srcTx, t)
			if err != nil {
				return err
			}
			want := newTableHash(t.name, t.columnNames())
			per := min(1000, 65535/len(t.columns))
			var args []any
			flush := func() error {
				if len(args) == 0 {
					return nil
				}
				_, err := tx.Exec(ctx, insertSQL(t, len(args)/len(t.columns)), args...)
				args = args[:0]
				return err
			}
			for {
				vals, ok, err := rows.next()
				if err != nil {
					return err
				}
				if !ok {
					break
				}
				if _, err := want.add(vals); err != nil {
					return err
				}
				args = append(args, vals...)
				if len(args) == per*len(t.columns) {
					if err := flush(); err != nil {
						return err
					}
				}
			}
			_ = rows.close()
			if err := flush(); err != nil {
				return err
			}
			got, err := hashTarget(ctx, tx, t)
			if err != nil {
				return err
			}
			if got != want.sum(t.name) {
				return fmt.Errorf("table %s differs", t.name)
			}
		}
		floors, err := autoincrementFloors(ctx, srcTx)
		if err != nil {
			return err
		}
		if err := resetSequences(ctx, tx, tables, floors); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

func insertSQL(t table, n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + quote(t.name) + " (" + strings.Join(quoteAll(t.columnNames()), ", ") + ") VALUES ")
	p := 1
	for r := range n {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(")
		for c := range t.columns {
			if c > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d", p)
			p++
		}
		b.WriteString(")")
	}
	return b.String()
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = quote(n)
	}
	return out
}
