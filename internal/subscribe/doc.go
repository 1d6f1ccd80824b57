// Package subscribe decides who is told about an alert event, and when.
//
// It is pure: the store calls Router.Route inside the transaction that
// creates an alert or records a review, and writes the notifications it
// returns to the delivery outbox; package notify sends them later. Nothing
// here reads a clock, the network or the database, so the same event and
// subscribers always give the same rows (and the same idempotency keys),
// however often a transaction is retried.
//
// Validate is the check the API and console run before saving a
// subscription, with messages a user can act on, in Chinese then English.
package subscribe
