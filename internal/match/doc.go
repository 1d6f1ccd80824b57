// Package match decides whether a marketplace listing imitates a protected
// name, the way Chinese trademark examiners compare names: by sound, shape and
// meaning (音、形、义) within the goods the mark covers. It is pure: no I/O and
// no mutable package state; the only package-level data are read-only tables
// embedded at build time.
package match
