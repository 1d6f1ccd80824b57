package store

import (
	"context"
	"math/bits"
	"strings"
)

// A batch's rows as bound parameters, many to a statement: the rows of a
// VALUES list, or the ids of an IN list. This replaced one JSON parameter
// read with jsonb_each in the fast path: in modernc's SQLite the first ->>
// of a row cost about 1 µs and each further one 0.3, binding a value a
// tenth of that (on 256 rows: a keyed join from VALUES 2.2 µs a row, from
// jsonb_each 4.8).
//
// A statement's text fixes its row count, so each is prepared at Open for
// every power of two up to maxListRows rows, and a chunk is padded to the
// next power of two with NULLs, which match nothing: a NULL row costs far
// less than a statement.
const (
	maxListRows = 256
	listSizes   = 9 // 1, 2, 4, … maxListRows
)

// listQuery is one statement over a list of rows, for every size.
type listQuery struct {
	cols int
	q    [listSizes]string // q[k] lists 1<<k rows
}

// newValuesQuery makes the statements from tmpl, whose "(VALUES)" is
// replaced by a VALUES list of rows of cols values (t.column1, …).
func newValuesQuery(cols int, tmpl string) listQuery {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	return newListQuery(cols, tmpl, "(VALUES)", func(n int) string {
		return "(VALUES " + strings.TrimSuffix(strings.Repeat(row+",", n), ",") + ")"
	})
}

// newTypedValuesQuery is newValuesQuery for dialect, with the SQLite type
// of each column. PostgreSQL types a VALUES list's columns by its rows, and
// a bare parameter there is text, which compares with no integer column;
// so its first row casts. SQLite's rows stay bare: they compare by the
// column's affinity, and a cast would cost in the fast path.
func newTypedValuesQuery(dialect, tmpl string, types ...string) listQuery {
	if dialect != dialectPostgres {
		return newValuesQuery(len(types), tmpl)
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", len(types)), ",") + ")"
	first := make([]string, len(types))
	for i, t := range types {
		first[i] = "CAST(? AS " + t + ")"
	}
	return newListQuery(len(types), tmpl, "(VALUES)", func(n int) string {
		return "(VALUES (" + strings.Join(first, ",") + ")" + strings.Repeat(","+row, n-1) + ")"
	})
}

// newInQuery makes the statements from tmpl, whose "(IDS)" is replaced
// by a list of values for IN.
func newInQuery(tmpl string) listQuery {
	return newListQuery(1, tmpl, "(IDS)", func(n int) string {
		return "(" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
	})
}

func newListQuery(cols int, tmpl, placeholder string, list func(n int) string) listQuery {
	v := listQuery{cols: cols}
	for k := range v.q {
		v.q[k] = strings.Replace(tmpl, placeholder, list(1<<k), 1)
	}
	return v
}

// chunks calls fn for each chunk of the rows in args (cols values a row,
// in order) with its statement and its arguments: fixed, the arguments
// that come before the list in the statement, then the chunk's rows,
// NULL-padded.
func (v *listQuery) chunks(fixed, args []any, fn func(q string, args []any) error) error {
	rows := len(args) / v.cols
	for start := 0; start < rows; start += maxListRows {
		n := min(rows-start, maxListRows)
		k := bits.Len(uint(n - 1)) // the smallest power of two >= n
		chunk := make([]any, len(fixed), len(fixed)+(1<<k)*v.cols)
		copy(chunk, fixed)
		chunk = append(chunk, args[start*v.cols:(start+n)*v.cols]...)
		chunk = chunk[:cap(chunk)] // the padding: nil, bound as NULL
		if err := fn(v.q[k], chunk); err != nil {
			return err
		}
	}
	return nil
}

// exec runs the statement's chunks and returns the rows they changed.
func (v *listQuery) exec(ctx context.Context, tx *writeTx, fixed, args []any) (int64, error) {
	var n int64
	err := v.chunks(fixed, args, func(q string, args []any) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		c, err := res.RowsAffected()
		n += c
		return err
	})
	return n, err
}
