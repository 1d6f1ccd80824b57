// Package config holds markwatch's embedded defaults: the example daemon
// configuration (markwatch.yaml), the registry of protected marks (marks/)
// and the marketplace source definitions (sources/). They are compiled into
// the binary so that `markwatch serve` runs on a fresh machine with no files
// beside it; operators override them with their own files.
package config

import (
	"embed"
	"io/fs"
)

// files is read-only: embed.FS has no way to change what it holds.
//
//go:embed markwatch.yaml marks sources
var files embed.FS

// FS returns the embedded defaults, rooted at this folder: markwatch.yaml,
// marks/hebei.yaml, sources/*.yaml.
func FS() fs.FS { return files }

// Paths of the defaults inside FS, and the names used for them in messages so
// an operator can find the file in the repository.
const (
	DaemonConfig = "markwatch.yaml"
	Registry     = "marks/hebei.yaml"
	SourcesDir   = "sources"
	// DisplayPrefix is prepended to paths inside FS in error messages.
	DisplayPrefix = "config/"
)
