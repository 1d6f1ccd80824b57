package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/markwatch/markwatch/internal/domain"
)

// PostgreSQL write transactions run SERIALIZABLE on a pool of writers, so
// the invariants SQLite's one writer gave (one listing per source and
// identity, one alert per mark and identity, an evidence log without gaps)
// hold with many. The price is that PostgreSQL aborts a transaction that
// could not have run in some serial order; such a transaction is run again
// from the start, which then reads what the other one committed.
//
// Backoff alone does not converge when several writers keep saving the
// same listings: each retry meets the next writer's fresh transaction. So
// writers share writeLock, a PostgreSQL advisory lock held by the session
// around its transaction: a first attempt holds it shared, beside any
// number of others; a retry holds it exclusive, so it runs alone, after
// the transactions it met have ended and before new ones begin, and
// cannot meet another conflict. Writers that do not meet are not slowed
// beyond the two statements that take and release the lock; writers that
// do take turns, as SQLite's one writer makes them. The lock is taken
// before BEGIN: taken inside, it would come after the snapshot, and the
// retry would see what the writers before it committed as not yet there.
const (
	maxTxAttempts = 5
	// retryBase is the first backoff; each retry doubles it, and the wait
	// is drawn from [0, backoff) so writers that collided spread apart.
	retryBase = 2 * time.Millisecond
	// writeLock is the advisory lock key of writeLock ('mwrt').
	writeLock = 0x6d777274
)

// maxIDKeys are the unique keys whose value a transaction takes as the
// highest so far plus one: two writers can take the same, and the loser's
// unique violation is a serialization failure in all but SQLSTATE (the
// winner's row was not visible to its read). On other keys a unique
// violation is a real conflict and is returned.
var maxIDKeys = map[string]bool{
	"captures_log_index_key":                true, // evidence.go: the next log index
	"cases_year_seq_key":                    true, // cases.go: the next case number of the year
	"cases_number_key":                      true, // the number made from that sequence
	"listing_versions_alert_id_version_key": true, // versions.go: an alert's next version
}

// retryable says whether err is a conflict another writer caused, which
// running the transaction again resolves.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "40001", "40P01": // serialization_failure, deadlock_detected
		return true
	case "23505": // unique_violation
		return maxIDKeys[pe.ConstraintName]
	}
	return false
}

// retryPolicy runs PostgreSQL transactions again on conflicts.
type retryPolicy struct {
	sleep func(ctx context.Context, d time.Duration) error
	mu    sync.Mutex
	rnd   *rand.Rand // jitter; guarded by mu
	// retries counts attempts after the first, for tests and metrics.
	retries atomic.Int64
}

func newRetryPolicy(seed uint64, sleep func(ctx context.Context, d time.Duration) error) *retryPolicy {
	if sleep == nil {
		sleep = sleepCtx
	}
	return &retryPolicy{sleep: sleep, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// run calls attempt until it succeeds, fails with an error that is not
// retryable, or has failed maxTxAttempts times; retry is false on the
// first attempt only.
func (p *retryPolicy) run(ctx context.Context, what string, attempt func(retry bool) error) error {
	backoff := retryBase
	for n := 1; ; n++ {
		err := attempt(n > 1)
		if err == nil {
			return nil
		}
		if !retryable(err) {
			return fmt.Errorf("%s: %w", what, err)
		}
		if n == maxTxAttempts {
			// Unavailable, as SQLite's busy store past its timeout: the
			// store is too contended now, not the request wrong.
			return fmt.Errorf("%w: %w", domain.Errorf(domain.EUNAVAILABLE,
				"%s: gave up after %d attempts, each in conflict with another writer", what, n), err)
		}
		if serr := p.sleep(ctx, p.jitter(backoff)); serr != nil {
			return fmt.Errorf("%s: waiting to retry after a conflict (%v): %w", what, err, serr)
		}
		backoff *= 2
		p.retries.Add(1)
	}
}

func (p *retryPolicy) jitter(d time.Duration) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return time.Duration(p.rnd.Int64N(int64(d)))
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// pgTxOnce is one attempt of inTx on PostgreSQL: SERIALIZABLE, holding
// writeLock on its connection around the transaction, shared on a first
// attempt and exclusive on a retry.
func (db *DB) pgTxOnce(ctx context.Context, retry bool, fn func(tx *sql.Tx) error) (err error) {
	lock, unlock := "SELECT pg_advisory_lock_shared($1)", "SELECT pg_advisory_unlock_shared($1)"
	if retry {
		lock, unlock = "SELECT pg_advisory_lock($1)", "SELECT pg_advisory_unlock($1)"
	}
	conn, err := db.wr.Conn(ctx)
	if err != nil {
		return fmt.Errorf("taking a connection: %w", err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(ctx, pgVerbatim+lock, writeLock); err != nil {
		return fmt.Errorf("taking the write lock: %w", err)
	}
	defer func() {
		if _, uerr := conn.ExecContext(context.WithoutCancel(ctx), pgVerbatim+unlock, writeLock); uerr != nil {
			// The session must not keep the lock: drop the connection.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}
