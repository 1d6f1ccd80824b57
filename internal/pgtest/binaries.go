package pgtest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// binEnv names a directory holding initdb and postgres; when set it is the
// only place looked in, so a wrong value fails instead of silently testing
// another version.
const binEnv = "MARKWATCH_PG_BIN"

// debianBins is where Debian's postgresql-<ver> packages put the server
// programs: off PATH, one directory per major version.
const debianBins = "/usr/lib/postgresql/*/bin"

// installHint says what to do when the server programs are missing.
const installHint = "run `make postgres` (it apt-get installs Debian's postgresql), or set " + binEnv + " to the directory holding initdb and postgres"

// needed are the programs a cluster is made and run with. pg_ctl is not
// among them: the server runs as this process's child (see runServer).
var needed = []string{"initdb", "postgres"}

// binLookup is where findBinaries looks; tests give it made-up directories.
type binLookup struct {
	override string   // the binEnv value, "" when unset
	path     string   // a PATH value
	globs    []string // patterns of version directories, newest picked first
}

// lookupFromEnv is the lookup of this machine.
func lookupFromEnv() binLookup {
	return binLookup{override: os.Getenv(binEnv), path: os.Getenv("PATH"), globs: []string{debianBins}}
}

// findBinaries returns the directory holding every program in needed: the
// override alone when set, else the directory of an initdb on PATH (after
// its symlinks: Debian machines often link only initdb into
// /usr/local/bin), else the newest major version under the globs.
func findBinaries(l binLookup) (string, error) {
	if l.override != "" {
		if missing := missingIn(l.override); len(missing) > 0 {
			return "", fmt.Errorf("finding PostgreSQL: %s=%s has no %s; %s", binEnv, l.override, strings.Join(missing, ", "), installHint)
		}
		return l.override, nil
	}
	for _, dir := range filepath.SplitList(l.path) {
		if dir == "" || !isExecutable(filepath.Join(dir, needed[0])) {
			continue
		}
		for _, cand := range []string{resolvedDir(filepath.Join(dir, needed[0])), dir} {
			if cand != "" && len(missingIn(cand)) == 0 {
				return cand, nil
			}
		}
	}
	for _, g := range l.globs {
		dirs, err := filepath.Glob(g)
		if err != nil {
			return "", fmt.Errorf("finding PostgreSQL under %s: %w", g, err)
		}
		sortNewestFirst(dirs)
		for _, dir := range dirs {
			if len(missingIn(dir)) == 0 {
				return dir, nil
			}
		}
	}
	return "", errors.New("finding PostgreSQL: no initdb and postgres on PATH or in " + strings.Join(l.globs, ", ") + "; " + installHint)
}

// missingIn lists the needed programs dir lacks.
func missingIn(dir string) []string {
	var missing []string
	for _, name := range needed {
		if !isExecutable(filepath.Join(dir, name)) {
			missing = append(missing, name)
		}
	}
	return missing
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// resolvedDir is the directory of path after its symlinks, "" when they
// cannot be followed.
func resolvedDir(path string) string {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return ""
	}
	return filepath.Dir(real)
}

// sortNewestFirst orders …/<major>/bin directories by major version,
// highest first, numerically (16 before 9.6, which a string sort gets wrong).
func sortNewestFirst(dirs []string) {
	version := func(dir string) float64 {
		v, err := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64)
		if err != nil {
			return -1
		}
		return v
	}
	sort.SliceStable(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
}
