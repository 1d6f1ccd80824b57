// Package httpapi is markwatch's HTTP API: alerts from the store, hit search
// through the index, source control, accounts, API tokens, subscriptions,
// the audit log and seller claims, evidence (captures, listing versions,
// artefact downloads), enforcement cases with their packets and takedown
// notices, health and readiness probes and Prometheus metrics, plus a typed
// Client for the CLI.
//
// Artefacts are what marketplaces served, hostile pages included: they are
// answered only as attachments, with nosniff and a sandboxing CSP, and only
// when a capture of an alert in the principal's scope holds them.
//
// The API is a list of declarations (Routes): each route names the
// permission it needs and is served by package access's Guard, which
// authenticates, enforces the permission and puts the Principal in the
// context. Handlers read the principal's Scope and pass it to every reader;
// an object outside the scope answers exactly what a missing one does (404,
// same body), so an owner cannot even learn another owner's alerts exist.
// Store access goes through small interfaces declared here, one per concern.
//
// Errors are JSON ({"error":{"code":"invalid","message":"…"}}) with the
// status derived from the domain error code, so every layer below only wraps
// errors and this package alone decides what a client sees. Internal errors
// reach the client as a generic message and the log with their detail.
// Credentials (password hashes, token secrets after creation, subscription
// secrets) never appear in an answer.
package httpapi
