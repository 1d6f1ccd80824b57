package deploytest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/markwatch/markwatch/internal/config"
)

// deployDir is deploy/, the parent of this package's directory, where go
// test runs.
func deployDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("..")
	if err != nil {
		t.Fatalf("finding deploy/: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "compose.yaml")); err != nil {
		t.Fatalf("finding deploy/compose.yaml from %s: %v", dir, err)
	}
	return dir
}

// problems collects what a check finds, so one run reports all of it.
type problems []string

func (ps *problems) add(format string, args ...any) {
	*ps = append(*ps, fmt.Sprintf(format, args...))
}

// report fails t with every problem, one a line.
func (ps problems) report(t *testing.T) {
	t.Helper()
	for _, p := range ps {
		t.Error(p)
	}
}

// decodeDocs decodes every document of a YAML stream into a node each.
func decodeDocs(data []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if n.Kind != 0 && !(len(n.Content) == 1 && n.Content[0].Tag == "!!null") {
			docs = append(docs, &n)
		}
	}
}

// yamlFiles lists the .yaml and .yml files under root, relative to it.
func yamlFiles(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			out = append(out, rel)
		}
		return nil
	})
	return out, err
}

// isRole reports whether s is one of serve's roles (docs/DISTRIBUTED.md:
// these names are a contract).
func isRole(s string) bool {
	switch s {
	case "all", "scheduler", "worker", "api":
		return true
	}
	return false
}

// serveRole is the role a markwatch command line serves: ok is false when
// args do not run serve. No --role is all, serve's default.
func serveRole(args []string) (role string, ok bool) {
	if len(args) == 0 || args[0] != "serve" {
		return "", false
	}
	role = "all"
	for i, a := range args {
		switch {
		case (a == "--role" || a == "-role") && i+1 < len(args):
			role = args[i+1]
		case strings.HasPrefix(a, "--role="):
			role = strings.TrimPrefix(a, "--role=")
		}
	}
	return role, true
}

// checkSettings loads env (NAME=value lines) the way `markwatch serve`
// does, through internal/config: every MARKWATCH_* name must be a setting
// and every value valid. For a role other than all it also holds env to
// what serve refuses to start without (internal/app's parseRole): a
// PostgreSQL store, one auth.secret and a shared evidence.dir, and an
// external Meilisearch for the scheduler and API.
func checkSettings(ps *problems, where, role string, env []string) {
	if err := config.CheckEnviron(env, "MARKWATCH_CONFIG"); err != nil {
		ps.add("%s: %v", where, err)
		return
	}
	cfg, err := loadEnv(env)
	if err != nil {
		ps.add("%s: loading its configuration: %v", where, err)
		return
	}
	vars := map[string]bool{}
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		vars[k] = true
	}
	if role != "all" && !cfg.Store.Postgres() {
		ps.add("%s: --role %s needs MARKWATCH_STORE_URL=postgres://…, has %q", where, role, cfg.Store.URL)
	}
	if (role == "scheduler" || role == "api") && cfg.Meilisearch.URL == "" {
		ps.add("%s: --role %s needs MARKWATCH_MEILISEARCH_URL (an external Meilisearch)", where, role)
	}
	if role != "all" && !cfg.Auth.Secret.IsSet() {
		ps.add("%s: --role %s needs MARKWATCH_AUTH_SECRET, one value in every process", where, role)
	}
	if role != "all" && cfg.Evidence.Dir == "" {
		ps.add("%s: --role %s needs MARKWATCH_EVIDENCE_DIR on storage every process shares", where, role)
	}
	if role == "worker" && vars["MARKWATCH_MEILISEARCH_API_KEY"] {
		// A worker parses hostile pages and never talks to Meilisearch.
		ps.add("%s: a worker needs no MARKWATCH_MEILISEARCH_API_KEY; leave it to the scheduler and the API", where)
	}
}

// loadEnv loads the configuration env (NAME=value lines) gives.
func loadEnv(env []string) (config.Config, error) {
	vars := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	return config.Load("", func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
}

// sortedKeys lists a map's keys in order, for stable messages.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// copyTree copies the regular files under src into dst, for checks to run
// on a changed copy.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatalf("copying %s: %v", src, err)
	}
}

// edit replaces the one occurrence of old in the file at path, failing the
// test if old is not there exactly once (so a breaking case cannot go stale
// and pass by changing nothing).
func edit(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	if n := strings.Count(string(data), old); n != 1 {
		t.Fatalf("%s holds %q %d times, want once: update this breaking case", path, old, n)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatalf("writing %s: %v", path, err)
	}
}
