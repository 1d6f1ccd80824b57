package crawl

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/markwatch/markwatch/internal/domain"
)

// Defaults for what a definition leaves out. They lean polite: a marketplace
// that is hammered bans the crawler, which helps nobody.
const (
	DefaultMaxPages       = 5
	DefaultQueriesPerRun  = 24
	DefaultParallelism    = 2
	DefaultDelay          = time.Second
	DefaultTimeout        = 15 * time.Second
	DefaultMaxBodyBytes   = 8 << 20
	DefaultRetries        = 3
	DefaultRetryBaseDelay = time.Second
	DefaultMaxRetryWait   = time.Minute
	DefaultUserAgent      = "markwatch/0.1 (+https://github.com/markwatch/markwatch)"
)

var (
	// Read-only after init: compiled patterns, never mutated.
	idPattern     = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	envPattern    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	headerPattern = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
	yamlLineError = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	unknownField  = regexp.MustCompile(`^field (\S+) not found in type .*$`)
)

// ParseSource reads one source definition. name is used in errors, which read
// "NAME:LINE: source "ID": field "PATH": what is wrong" and carry
// domain.EINVALID.
func ParseSource(name string, data []byte) (Source, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return Source{}, yamlError(name, err)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return Source{}, domain.Errorf(domain.EINVALID, "%s:1: source definition is empty", name)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var raw rawSource
	if err := dec.Decode(&raw); err != nil {
		return Source{}, yamlError(name, err)
	}
	v := validator{name: name, root: &root, id: raw.ID}
	src := v.source(raw)
	if v.err != nil {
		return Source{}, v.err
	}
	return src, nil
}

// LoadSources reads every *.yaml file in dir, sorted by name. Duplicate ids
// are rejected: a schedule and run history are keyed by id.
func LoadSources(fsys fs.FS, dir string) ([]Source, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("reading source directory %s: %w", dir, err)
	}
	var out []Source
	seen := map[string]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		p := path.Join(dir, e.Name())
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("reading source %s: %w", p, err)
		}
		src, err := ParseSource(p, data)
		if err != nil {
			return nil, fmt.Errorf("loading sources: %w", err)
		}
		if prev, ok := seen[src.ID]; ok {
			return nil, domain.Errorf(domain.EINVALID, "%s:%d: source %q: field \"id\": already used by %s",
				p, idLine(data), src.ID, prev)
		}
		seen[src.ID] = p
		out = append(out, src)
	}
	return out, nil
}

func idLine(data []byte) int {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return 1
	}
	return lineOf(&root, "id")
}

// yamlError turns yaml.v3's messages into NAME:LINE: messages an operator can
// act on.
func yamlError(name string, err error) error {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	parts := make([]string, 0, len(msgs))
	for _, m := range msgs {
		m = strings.TrimPrefix(m, "yaml: ")
		line := "1"
		if sm := yamlLineError.FindStringSubmatch(m); sm != nil {
			line, m = sm[1], sm[2]
		}
		if sm := unknownField.FindStringSubmatch(m); sm != nil {
			m = fmt.Sprintf("unknown field %q (check the spelling and the nesting: search, fetch, extract, detail, evidence, identity, images)", sm[1])
		}
		parts = append(parts, fmt.Sprintf("%s:%s: %s", name, line, m))
	}
	return domain.Errorf(domain.EINVALID, "%s", strings.Join(parts, "; "))
}
