// Package index keeps the Meilisearch index of hits: a client tuned for
// Chinese titles (matchingStrategy "all", cmn locale, a normalised title
// field), an Indexer that drains the store's outbox with backoff while the
// server is down, Reindex to rebuild from the store, and Managed to run the
// pinned server binary as a child process.
//
// SearchScoped serves owners and supervisors: their searches carry a
// short-lived tenant token whose search rules Meilisearch enforces, so a
// wrong request filter cannot show them other owners' hits.
//
// The index is derived data: the store is the system of record, so every
// operation here may fail and be retried without losing anything.
package index
