// Package httpapi is markwatch's HTTP API: alerts from the store, hit search
// through the index, health and readiness probes and Prometheus metrics.
//
// Errors are JSON ({"error":{"code":"invalid","message":"…"}}) with the
// status derived from the domain error code, so every layer below only wraps
// errors and this package alone decides what a client sees. Internal errors
// reach the client as a generic message and the log with their detail.
package httpapi
