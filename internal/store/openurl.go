package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/storeurl"
)

// maxPostgresWriters bounds the PostgreSQL write pool: writers there run
// side by side (SERIALIZABLE, retried on conflict, pgtx.go), unlike
// SQLite's one.
const maxPostgresWriters = 8

// acceptedURLs names the forms OpenURL takes, for its refusals.
const acceptedURLs = "sqlite:PATH, postgres://… or postgresql://…"

// OpenURL opens the store a store.url names (docs/DISTRIBUTED.md,
// "Selecting the store"): sqlite:PATH is Open(PATH); postgres://… and
// postgresql://… a PostgreSQL database, migrated as Open migrates SQLite.
// Anything else is domain.EINVALID naming the accepted forms. No error
// repeats the URL's password.
func OpenURL(ctx context.Context, storeURL string, opts Options) (*DB, error) {
	scheme, rest, _ := strings.Cut(storeURL, ":")
	switch strings.ToLower(scheme) {
	case "sqlite":
		return Open(ctx, rest, opts)
	case "postgres", "postgresql":
		return openPostgres(ctx, storeURL, opts)
	}
	return nil, domain.Errorf(domain.EINVALID, "opening store: store.url %q is none of %s",
		storeurl.Redact(storeURL), acceptedURLs)
}

// openPostgres opens the store at a postgres:// URL.
func openPostgres(ctx context.Context, storeURL string, opts Options) (*DB, error) {
	shown := storeurl.Redact(storeURL)
	cfg, err := pgx.ParseConfig(storeURL)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "opening store %s: %s", shown, redactIn(err.Error(), storeURL))
	}
	c := &pgConnector{pgx: stdlib.GetConnector(*cfg), tr: newTranslator()}
	rd := sql.OpenDB(c)
	rd.SetMaxOpenConns(maxReadConns)
	rd.SetMaxIdleConns(maxReadConns)
	wr := sql.OpenDB(c)
	wr.SetMaxOpenConns(maxPostgresWriters)
	wr.SetMaxIdleConns(maxPostgresWriters)
	if err := wr.PingContext(ctx); err != nil {
		_ = errors.Join(rd.Close(), wr.Close())
		return nil, domain.Errorf(domain.EUNAVAILABLE, "opening store %s: connecting: %s", shown, redactIn(err.Error(), storeURL))
	}
	db := newDB(dialectPostgres, rd, wr, opts)
	seed := opts.RetrySeed
	if seed == 0 {
		seed = uint64(db.now().UnixNano())
	}
	db.retry = newRetryPolicy(seed, opts.Sleep)
	if err := db.start(ctx); err != nil {
		return nil, fmt.Errorf("opening store %s: %w", shown, err)
	}
	return db, nil
}

// redactIn is msg with the passwords of storeURL, if it has any, replaced.
// When storeURL is not a URL, where its passwords are cannot be told, and
// none of msg is shown.
func redactIn(msg, storeURL string) string {
	if !storeurl.IsURL(storeURL) {
		return "(details left out: they may repeat the store.url)"
	}
	for _, pw := range storeurl.Passwords(storeURL) {
		msg = strings.ReplaceAll(msg, pw, storeurl.Hidden)
	}
	return msg
}
