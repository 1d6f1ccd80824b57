package registry

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/yamlcheck"
)

// Version is the registry format version this package reads.
const Version = 1

// Load reads and parses the registry file at path.
func Load(path string) ([]domain.Mark, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, readError(path, err)
	}
	return Parse(path, data)
}

// LoadFS reads and parses a registry from fsys, e.g. the embedded defaults;
// display is the name used in errors (such as "config/marks/hebei.yaml").
func LoadFS(fsys fs.FS, path, display string) ([]domain.Mark, error) {
	data, err := fs.ReadFile(fsys, path)
	if err != nil {
		return nil, readError(display, err)
	}
	return Parse(display, data)
}

func readError(name string, err error) error {
	msg := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		msg = pe.Err.Error() // the path is already in front of the message
	}
	return yamlcheck.ReadError(Problem{File: name, Msg: "reading the registry: " + msg}, err)
}

// Parse parses a registry in the format of version 1 (see
// ../shared/eval/README.md). name is used in error messages only. On any
// problem it returns no marks and an *Error listing every problem found.
func Parse(name string, data []byte) ([]domain.Mark, error) {
	ps := &problems{file: name}
	root := decodeDocument(ps, data)
	if root == nil {
		return nil, ps.err()
	}
	marks := parseRoot(ps, root)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return marks, nil
}

// decodeDocument returns the top-level mapping of the only document in data,
// or nil after reporting why there is none.
func decodeDocument(ps *problems, data []byte) *yaml.Node {
	top, err := yamlcheck.Document(data)
	var syntax *yamlcheck.SyntaxError
	var extra *yamlcheck.ExtraDocumentError
	switch {
	case err == nil:
	case errors.Is(err, yamlcheck.ErrNoDocument):
		ps.add(0, "", "", "the file is empty; a registry starts with `version: %d` and a list `marks`", Version)
		return nil
	case errors.As(err, &syntax) && syntax.Line > 0:
		// yaml.v3 sometimes names the line where the enclosing block starts
		// rather than the faulty one, hence "near".
		ps.add(syntax.Line, "", "", "invalid YAML near here: %s", syntax.Msg)
		return nil
	case errors.As(err, &extra):
		ps.add(extra.Line, "", "", "a second YAML document starts here; keep all marks in one document under `marks`")
		return nil
	default:
		ps.add(0, "", "", "invalid YAML: %v", err)
		return nil
	}
	root := yamlcheck.Deref(top)
	if root.Kind != yaml.MappingNode {
		ps.add(root.Line, "", "", "the registry must be a mapping with `version` and `marks`, not %s", describe(root))
		return nil
	}
	return root
}

var rootFields = []string{"version", "marks"}

func parseRoot(ps *problems, root *yaml.Node) []domain.Mark {
	var (
		version  *yaml.Node
		marksSeq *yaml.Node
	)
	for _, f := range fields(ps, root, "", "") {
		switch f.key {
		case "version":
			version = f.val
		case "marks":
			marksSeq = f.val
		default:
			unknownField(ps, f, "", f.key, rootFields)
		}
	}
	if version == nil {
		ps.add(root.Line, "", "version", "missing; add `version: %d` at the top", Version)
	} else if version.Kind != yaml.ScalarNode || version.Tag != "!!int" || version.Value != strconv.Itoa(Version) {
		ps.add(version.Line, "", "version", "unsupported version %s; this markwatch reads version %d", describe(version), Version)
	}
	if marksSeq == nil {
		ps.add(root.Line, "", "marks", "missing; list the protected names under `marks`")
		return nil
	}
	if marksSeq.Kind != yaml.SequenceNode {
		ps.add(marksSeq.Line, "", "marks", "must be a list of marks (each item starting with `- id:`), not %s", describe(marksSeq))
		return nil
	}
	if len(marksSeq.Content) == 0 {
		ps.add(marksSeq.Line, "", "marks", "the list is empty; a registry with no marks protects nothing")
		return nil
	}
	marks := make([]domain.Mark, 0, len(marksSeq.Content))
	idLines := make(map[string]int, len(marksSeq.Content))
	for i, item := range marksSeq.Content {
		m, idLine, ok := parseMark(ps, yamlcheck.Deref(item), i)
		if !ok {
			continue
		}
		if first, dup := idLines[m.ID]; dup {
			ps.add(idLine, fmt.Sprintf("mark %q", m.ID), "id", "duplicate id; the mark at line %d already uses it, ids must be unique", first)
			continue
		}
		idLines[m.ID] = idLine
		marks = append(marks, m)
	}
	return marks
}
