// Package defaults (folder config/) holds markwatch's embedded defaults: the example daemon
// configuration (markwatch.yaml), the registry of protected marks (marks/)
// and the marketplace source definitions (sources/). They are compiled into
// the binary so that `markwatch serve` runs on a fresh machine with no files
// beside it; operators override them with their own files.
package defaults

import "embed"

// FS holds the embedded defaults, rooted at this folder: markwatch.yaml,
// marks/hebei.yaml, the registry's reference images marks/images/*.png and
// sources/*.yaml. It is a variable only because go:embed needs one; an
// embed.FS is read-only, so this is not mutable state.
//
//go:embed markwatch.yaml marks sources
var FS embed.FS

// Paths of the defaults inside FS, and the names used for them in messages so
// an operator can find the file in the repository.
const (
	DaemonConfig = "markwatch.yaml"
	Registry     = "marks/hebei.yaml"
	// RegistryDir is the folder the registry's image paths are relative to.
	RegistryDir = "marks"
	SourcesDir  = "sources"
	// DisplayPrefix is prepended to paths inside FS in error messages.
	DisplayPrefix = "config/"
)
