package jobs

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Advisory lock classes of this package, the first key of PostgreSQL's
// two-key advisory locks. That key space does not overlap River's one-key
// locks; the classes keep ours apart from other markwatch locks.
const (
	sourceLockClass  int32 = 0x6d775352 // "mwSR": one run per source
	migrateLockClass int32 = 0x6d774d47 // "mwMG": one Migrate at a time
)

// releaseTimeout bounds the unlock at the end of a run, which runs on a
// context of its own: the run's may be cancelled by then.
const releaseTimeout = 5 * time.Second

// sourceLockKey is the second key of a source's lock. Two sources whose
// names hash alike only take turns, which costs time, never correctness.
func sourceLockKey(sourceID string) int32 {
	h := fnv.New32a()
	h.Write([]byte(sourceID))
	return int32(h.Sum32())
}

// sourceLock is a held session-level advisory lock and the pooled
// connection holding it. Session-level on a connection of its own rather
// than transaction-level: a transaction left idle for a whole run is what
// idle_in_transaction_session_timeout kills (and the lock with it, silently),
// while an idle session is left alone; and if the process dies, the server
// drops its connection and the lock either way.
type sourceLock struct {
	conn *pgxpool.Conn
	key  int32
}

// trySourceLock takes the source's lock without waiting: ok is false when
// another connection holds it.
func trySourceLock(ctx context.Context, pool *pgxpool.Pool, sourceID string) (lock *sourceLock, ok bool, err error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("taking a connection for the lock of source %s: %w", sourceID, err)
	}
	key := sourceLockKey(sourceID)
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1, $2)", sourceLockClass, key).Scan(&ok); err != nil {
		// The server may have taken the lock before the error: a
		// connection that might hold it must not go back to the pool.
		destroy(conn)
		return nil, false, fmt.Errorf("locking source %s: %w", sourceID, err)
	}
	if !ok {
		conn.Release()
		return nil, false, nil
	}
	return &sourceLock{conn: conn, key: key}, true, nil
}

// release gives the lock up and the connection back. When the unlock fails
// or finds the lock gone (the connection was lost during the run), the
// connection is closed instead, so no pooled connection keeps a lock.
// Releasing again does nothing.
func (l *sourceLock) release() error {
	if l.conn == nil {
		return nil
	}
	defer func() { l.conn = nil }()
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	var held bool
	err := l.conn.QueryRow(ctx, "SELECT pg_advisory_unlock($1, $2)", sourceLockClass, l.key).Scan(&held)
	if err != nil || !held {
		destroy(l.conn)
		if err == nil {
			err = errors.New("the lock was no longer held: its connection was lost during the run")
		}
		return fmt.Errorf("unlocking source: %w", err)
	}
	l.conn.Release()
	return nil
}

// destroy closes a pooled connection rather than returning it.
func destroy(conn *pgxpool.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	_ = conn.Hijack().Close(ctx) // closing: nothing left to do on error
}
