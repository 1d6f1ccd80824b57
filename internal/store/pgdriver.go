package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/markwatch/markwatch/internal/sqldialect"
)

// The PostgreSQL store runs the same statements as the SQLite one, written
// once with SQLite's spelling (docs/DISTRIBUTED.md, "One store package, two
// dialects"). Rather than translate at every call site, the store talks to
// PostgreSQL through a database/sql driver of its own: pgx's, with each
// statement text rewritten by sqldialect.Postgres (or taken from
// postgresTexts) before pgx sees it, and bool arguments bound as 0/1 (the
// schema's booleans are SMALLINT, which pgx will not fill from a Go bool).
// So db.sql, db.wr, *sql.Tx, writeTx and the prepared statements run
// unchanged on both.

// postgresTexts are the PostgreSQL texts of the statements the dialect
// refuses, each declared beside its SQLite one.
var postgresTexts = map[string]string{
	qEnqueue:       qEnqueuePostgres,
	qMoveCaseLinks: qMoveCaseLinksPostgres,
}

// pgVerbatim starts a text that is PostgreSQL already (a migration): the
// driver passes it on as it is.
const pgVerbatim = "/* postgresql */ "

// maxTranslations bounds the cache of rewritten texts. The store's texts
// are a few hundred (list statements at each size, filters in their
// combinations); past the bound a text is rewritten on every use rather
// than let a bug that builds texts from data grow memory.
const maxTranslations = 8192

// translator rewrites statement texts for PostgreSQL, once each.
type translator struct {
	mu    sync.RWMutex
	cache map[string]translation
}

type translation struct {
	text string
	err  error
}

func newTranslator() *translator {
	return &translator{cache: make(map[string]translation)}
}

// postgres is q for PostgreSQL: as declared in postgresTexts, verbatim
// after pgVerbatim, or as sqldialect.Postgres rewrites it.
func (tr *translator) postgres(q string) (string, error) {
	tr.mu.RLock()
	t, ok := tr.cache[q]
	tr.mu.RUnlock()
	if ok {
		return t.text, t.err
	}
	switch {
	case strings.HasPrefix(q, pgVerbatim):
		t.text = q
	default:
		if pg, ok := postgresTexts[q]; ok {
			t.text = pg
			break
		}
		t.text, t.err = sqldialect.Postgres(q)
		if t.err != nil {
			t.err = fmt.Errorf("preparing for PostgreSQL: %w", t.err)
		}
	}
	tr.mu.Lock()
	if len(tr.cache) < maxTranslations {
		tr.cache[q] = t
	}
	tr.mu.Unlock()
	return t.text, t.err
}

// pgConnector opens pgx connections that translate.
type pgConnector struct {
	pgx driver.Connector
	tr  *translator
}

func (c *pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.pgx.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(*stdlib.Conn)
	if !ok {
		_ = conn.Close()
		return nil, fmt.Errorf("pgx stdlib gave a %T, not a *stdlib.Conn", conn)
	}
	return &pgConn{Conn: sc, tr: c.tr}, nil
}

func (c *pgConnector) Driver() driver.Driver { return c.pgx.Driver() }

// pgConn is a pgx connection whose statement texts are translated. The
// methods it does not name (transactions, Ping, session reset) are pgx's.
type pgConn struct {
	*stdlib.Conn
	tr *translator
}

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	q, err := c.tr.postgres(query)
	if err != nil {
		return nil, err
	}
	return c.Conn.PrepareContext(ctx, q)
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	q, err := c.tr.postgres(query)
	if err != nil {
		return nil, err
	}
	return c.Conn.ExecContext(ctx, q, args)
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, err := c.tr.postgres(query)
	if err != nil {
		return nil, err
	}
	return c.Conn.QueryContext(ctx, q, args)
}

// CheckNamedValue binds a bool as 0/1, as SQLite stores it, and a string
// holding NUL or bytes that are not UTF-8 with U+FFFD in their place:
// PostgreSQL's text holds neither, and one byte of a crawled page must not
// fail the whole batch. Every
// argument is replaced the same way, so a NUL-bearing title still equals
// itself in the statements that compare it. Everything else goes to pgx as
// it is (pgx takes Valuers and Go's basic types).
func (c *pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	switch v := nv.Value.(type) {
	case bool:
		nv.Value = int64(0)
		if v {
			nv.Value = int64(1)
		}
	case string:
		if strings.IndexByte(v, 0) >= 0 || !utf8.ValidString(v) {
			nv.Value = strings.ReplaceAll(strings.ToValidUTF8(v, "\uFFFD"), "\x00", "\uFFFD")
		}
	}
	return nil
}
