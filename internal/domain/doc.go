// Package domain holds markwatch's types and error codes. It imports nothing
// internal, so every other package can depend on it without cycles.
package domain
