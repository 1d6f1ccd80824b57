package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// hotStatements are prepared on the write connection at Open.
var hotStatements = []string{
	qEnsureSource, qSelectListing, qInsertListing, qUpdateListing, qSelectHit,
	qInsertHit, qUpdateHit, qInsertAlert, qTouchAlert, qEnqueue,
}

// prepareHot prepares hotStatements. It must run outside any transaction:
// the write pool has one connection, which a transaction would hold.
func prepareHot(ctx context.Context, wr *sql.DB) (map[string]*sql.Stmt, error) {
	m := make(map[string]*sql.Stmt, len(hotStatements))
	for _, q := range hotStatements {
		st, err := wr.PrepareContext(ctx, q)
		if err != nil {
			closeStatements(m)
			return nil, fmt.Errorf("preparing %q: %w", q, err)
		}
		m[q] = st
	}
	return m, nil
}

func closeStatements(m map[string]*sql.Stmt) error {
	var errs []error
	for _, st := range m {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}

// execer is what ensureSource needs from *sql.Tx and *writeTx alike.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// writeTx is a write transaction that runs prepared statements when it has
// them; it has *sql.Tx's method signatures so the SQL reads the same.
type writeTx struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (t *writeTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st, ok := t.stmts[query]; ok {
		return t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t *writeTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st, ok := t.stmts[query]; ok {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// inWriteTx is inTx with the prepared statements at hand.
func (db *DB) inWriteTx(ctx context.Context, what string, fn func(tx *writeTx) error) error {
	return db.inTx(ctx, what, func(tx *sql.Tx) error {
		return fn(&writeTx{tx: tx, stmts: db.hot})
	})
}
