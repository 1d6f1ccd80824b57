//go:build !unix

package datadir

import (
	"errors"
	"os"
)

var errLocked = errors.New("held by another process")

// lockFile does not lock where flock does not exist: markwatch is built and
// run on Linux and macOS; elsewhere two daemons on one data dir are the
// operator's to avoid.
func lockFile(*os.File) error { return nil }
