// Package registry loads the registry of protected marks (config/marks/*.yaml)
// into []domain.Mark.
//
// Loading is strict on purpose: a typo in a registry (an unknown field, a
// misspelt kind, an empty origin) would otherwise silently weaken protection,
// so every such problem is an error naming the file, line and field, and all
// problems found are reported together so an operator fixes them in one pass.
package registry
