package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Options tune a DB. The zero value is ready to use.
type Options struct {
	// Now is the clock for first_seen/last_seen and run times; nil means time.Now.
	Now func() time.Time
	// Router decides which subscriptions hear of an alert event and when
	// (package subscribe). The store calls it inside the transaction that
	// creates the alert or records the review and inserts what it returns,
	// so a notification exists exactly when its event does. Nil: no rows.
	Router func(ev domain.AlertEvent, subs []domain.Subscriber) []domain.Notification
	// RecordHash is the evidence log's record hash of a capture (package
	// evidence). Nil: no capture rows are written with new alerts, and
	// AppendCapture and AddVersion with a capture are refused.
	RecordHash func(domain.Capture) string
	// MarkwatchVersion is recorded in captures the store writes (and in
	// those appended without one); "" records "dev".
	MarkwatchVersion string
	// RetrySeed seeds the jitter of PostgreSQL's transaction retries
	// (pgtx.go); 0 seeds it from the clock at Open.
	RetrySeed uint64
	// Sleep waits between PostgreSQL transaction retries, returning early
	// with ctx's error; nil sleeps on a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DB is the store, on SQLite or PostgreSQL. It is safe for concurrent use.
type DB struct {
	// dialect is dialectSQLite or dialectPostgres.
	dialect string
	// retry is PostgreSQL's transaction retry policy (pgtx.go); nil on
	// SQLite, whose one writer never conflicts.
	retry *retryPolicy
	// sql is the pool for reads, which WAL runs beside the one writer
	// (on PostgreSQL: a pool beside the writers').
	sql *sql.DB
	// wr holds the single connection that writes. SQLite admits one writer at
	// a time anyway; queueing writers here, fairly and ctx-aware, avoids the
	// busy handler's sleep-and-retry, which starves some writers past the busy
	// timeout under load. busy_timeout still covers other processes.
	// On PostgreSQL it is a pool of maxPostgresWriters.
	wr  *sql.DB
	hot map[string]*sql.Stmt // prepared on wr; see statements.go
	// resightQ are the fast path's statements (resight.go), in hot.
	resightQ *resightQueries
	// reads are the hot reads prepared on sql (readstmts.go).
	reads *readStatements
	now   func() time.Time
	// router is Options.Router; see notifications.go.
	router func(ev domain.AlertEvent, subs []domain.Subscriber) []domain.Notification
	// recordHash and version are Options.RecordHash and MarkwatchVersion;
	// see evidence.go.
	recordHash func(domain.Capture) string
	version    string
	// logIndexHook, when set (tests only), maps the log index a capture is
	// about to get, so a test can force a duplicate.
	logIndexHook func(int64) int64
	// slowOnly, when set (tests and benchmarks only), saves every batch
	// entry through saveInTx and reads each seller at its turn, the
	// reference for the fast path (resight.go) and preloadSellers.
	slowOnly bool
	// cache is the fast path's memory of rows it saved (resightcache.go);
	// nil on PostgreSQL.
	cache *resightCache
}

// maxReadConns bounds the read pool.
const maxReadConns = 8

// dsn builds the connection string measured in shared/notes/dependencies.md:
// WAL for concurrent readers, a busy timeout instead of SQLITE_BUSY errors,
// NORMAL sync (durable at checkpoints, safe in WAL), foreign keys on every
// connection, and BEGIN IMMEDIATE so writers queue at the start of a
// transaction rather than deadlock upgrading a read lock.
func dsn(path string) string {
	return "file:" + path +
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)" +
		"&_pragma=foreign_keys(ON)&_txlock=immediate"
}

// Open opens (creating if needed) the database at path and applies pending
// migrations. A database written by a newer markwatch is refused with
// domain.ECONFLICT rather than risk misreading it.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if path == "" {
		return nil, domain.Errorf(domain.EINVALID, "opening store: database path is empty; set store.path")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, domain.Errorf(domain.EINVALID, "opening store: database path %q must not contain '?' or '#'", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("opening store: creating directory for %s: %w", path, err)
	}
	rd, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	rd.SetMaxOpenConns(maxReadConns)
	rd.SetMaxIdleConns(maxReadConns)
	cache := newResightCache(resightCacheMax)
	wr := sql.OpenDB(newWriterConnector(dsn(path), cache))
	wr.SetMaxOpenConns(1)
	wr.SetMaxIdleConns(1)
	wr.SetConnMaxLifetime(0)
	db := newDB(dialectSQLite, rd, wr, opts)
	db.cache = cache
	if err := db.start(ctx); err != nil {
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	return db, nil
}

// The dialects, as Dialect names them.
const (
	dialectSQLite   = "sqlite"
	dialectPostgres = "postgres"
)

// Dialect names the database under the store: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect }

// newDB is a DB over the pools rd and wr, not yet migrated.
func newDB(dialect string, rd, wr *sql.DB, opts Options) *DB {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	version := opts.MarkwatchVersion
	if version == "" {
		version = "dev"
	}
	return &DB{dialect: dialect, sql: rd, wr: wr, now: now, router: opts.Router, recordHash: opts.RecordHash, version: version,
		resightQ: newResightQueries(dialect)}
}

// start migrates the database and prepares the hot statements; on failure
// it closes db.
func (db *DB) start(ctx context.Context) error {
	var err error
	if err = db.migrate(ctx); err != nil {
		_ = db.Close()
		return err
	}
	if db.hot, err = prepareHot(ctx, db.wr, db.resightQ); err != nil {
		_ = db.Close()
		return err
	}
	if db.reads, err = prepareReads(ctx, db.sql); err != nil {
		_ = db.Close()
		return err
	}
	return nil
}

// Close closes the database; SQLite checkpoints the WAL when the last
// connection closes.
func (db *DB) Close() error {
	errSt := errors.Join(closeStatements(db.hot), db.reads.close())
	errRd := db.sql.Close()
	errWr := db.wr.Close()
	if err := errors.Join(errSt, errRd, errWr); err != nil {
		return fmt.Errorf("closing store: %w", err)
	}
	return nil
}

// Ping checks that the database answers a query (used by /readyz).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.sql.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return domain.Errorf(domain.EUNAVAILABLE, "pinging store: %v", err)
	}
	return nil
}

// inTx runs fn in one write transaction, committing when fn returns nil.
// On PostgreSQL the transaction is SERIALIZABLE and fn runs again from the
// start when it meets a conflict another writer resolves (pgtx.go), so fn
// must not keep state from an earlier attempt.
func (db *DB) inTx(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	if db.retry != nil {
		return db.retry.run(ctx, what, func(retry bool) error { return db.pgTxOnce(ctx, retry, fn) })
	}
	if err := db.txOnce(ctx, sql.LevelDefault, fn); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// txOnce is one attempt of inTx.
func (db *DB) txOnce(ctx context.Context, level sql.IsolationLevel, fn func(tx *sql.Tx) error) error {
	tx, err := db.wr.BeginTx(ctx, &sql.TxOptions{Isolation: level})
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
