// Package store is markwatch's system of record on SQLite (modernc.org/sqlite,
// pure Go). Every piece of SQL lives behind the methods of DB so that a
// PostgreSQL store can later satisfy the same contract.
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
