// Package store is markwatch's system of record, on SQLite (modernc.org/sqlite,
// pure Go) or PostgreSQL (pgx), as OpenURL's store.url says. Every piece of
// SQL lives behind the methods of DB and is written once, for SQLite; on
// PostgreSQL a driver of the store's own (pgdriver.go) rewrites each text
// through internal/sqldialect, or takes the PostgreSQL text declared beside
// it, and write transactions run SERIALIZABLE, retried on conflict
// (pgtx.go). The package's tests are one suite for both (teststore_test.go).
//
// Hit changes and their index outbox rows are written in one transaction, so
// Meilisearch can be down, killed or wiped without losing anything: the index
// package drains the outbox and can rebuild from AllHits.
//
// The same holds for people (docs/ACCESS.md): every audited change writes
// its audit_log row in its own transaction, and new alerts and reviews
// write their notification rows (Options.Router decides which) in theirs,
// so the delivery outbox never misses an event nor announces a rolled-back
// one. Scoped reads (domain.Scope) filter in SQL, in scope.go.
//
// Evidence (docs/EVIDENCE.md) follows the same rule: a new alert's capture
// (a leaf of the append-only evidence log), its first listing version and
// its capture jobs commit with the alert. Captures, listing versions and
// tree heads are append-only, enforced by triggers (a tree head may only be
// stamped, once). Enforcement cases and notices write their case.* audit
// rows in the transaction that changes them.
package store
