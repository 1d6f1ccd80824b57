package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	defaults "github.com/markwatch/markwatch/config"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/evaluate"
	"github.com/markwatch/markwatch/internal/imagesig"
	"github.com/markwatch/markwatch/internal/match"
	"github.com/markwatch/markwatch/internal/registry"
)

// maxLine bounds one JSON line; a marketplace title is far smaller.
const maxLine = 4 << 20

// signalMatcher builds the matcher of the evaluation commands: the
// registry (path "" = embedded) with its reference images hashed relative
// to the registry file, so a listing's image_hash is compared with them.
func signalMatcher(registryPath string, threshold float64) (*match.Matcher, error) {
	marks, err := loadRegistry(registryPath)
	if err != nil {
		return nil, err
	}
	var fsys fs.FS = defaults.FS
	dir := defaults.RegistryDir
	if registryPath != "" {
		fsys, dir = os.DirFS(filepath.Dir(registryPath)), "."
	}
	if err := registry.HashImages(fsys, dir, marks, imagesig.Hasher{}.Hash); err != nil {
		return nil, fmt.Errorf("hashing the registry's reference images: %w", err)
	}
	m, err := match.New(marks, match.Options{AlertThreshold: threshold})
	if err != nil {
		return nil, fmt.Errorf("building matcher: %w", err)
	}
	return m, nil
}

// runMatch implements the contract in ../shared/eval/README.md: listings as
// JSON lines on stdin (with image_hash, contacts and seller_history when
// known), one evaluate.OutputLine per listing on stdout, in input order.
// It runs the same matcher as the daemon.
func runMatch(_ context.Context, env Env, args []string) error {
	fs := newFlags("match", env)
	regPath := fs.String("registry", "", "registry of protected marks (default: the embedded config/marks/hebei.yaml)")
	threshold := fs.Float64("threshold", 0, "alert threshold in [0,1] (default: the matcher's)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	m, err := signalMatcher(*regPath, *threshold)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(env.Stdin)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	w := bufio.NewWriter(env.Stdout)
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		// A labelled case's expect and tactic are not listing fields: decoding
		// into domain.Listing drops them, so the matcher cannot read them.
		var l domain.Listing
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			w.Flush()
			return domain.Errorf(domain.EINVALID, "stdin line %d: not a JSON listing (want {\"id\":…,\"title\":…}): %v", line, err)
		}
		if err := evaluate.WriteOutputLine(w, l.ID, m.Match(l)); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		w.Flush()
		return fmt.Errorf("reading stdin after line %d: %w", line, err)
	}
	return w.Flush()
}
