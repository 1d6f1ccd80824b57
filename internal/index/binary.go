package index

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/markwatch/markwatch/internal/domain"
)

// BinaryEnv names the variable that points at a Meilisearch binary to use
// instead of the pinned one.
const BinaryEnv = "MARKWATCH_MEILISEARCH_BIN"

// installHint tells a user how to get the pinned binary.
const installHint = "run deploy/scripts/install-meilisearch.sh (or make meilisearch) to install the pinned Meilisearch 1.21.0 into .tools/, or set " + BinaryEnv

// FindBinary locates the Meilisearch server: $MARKWATCH_MEILISEARCH_BIN, then
// .tools/meilisearch in the working directory or any parent (so tests in
// package folders find the repository's copy), then meilisearch on PATH.
func FindBinary() (string, error) {
	if p := os.Getenv(BinaryEnv); p != "" {
		if err := executable(p); err != nil {
			return "", domain.Errorf(domain.EINVALID, "finding Meilisearch: %s=%s: %v", BinaryEnv, p, err)
		}
		return p, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding Meilisearch: reading working directory: %w", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		p := filepath.Join(dir, ".tools", "meilisearch")
		if executable(p) == nil {
			return p, nil
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	if p, err := exec.LookPath("meilisearch"); err == nil {
		return p, nil
	}
	return "", domain.Errorf(domain.EUNAVAILABLE, "finding Meilisearch: no binary in %s, .tools/ above %s, or PATH; %s", BinaryEnv, wd, installHint)
}

func executable(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	if st.IsDir() || st.Mode().Perm()&0o111 == 0 {
		return errors.New("not an executable file")
	}
	return nil
}
