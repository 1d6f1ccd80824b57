package yamlcheck

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

// ErrNoDocument says the input holds no YAML document: it is empty, or only
// comments and blank lines.
var ErrNoDocument = errors.New("no YAML document")

// SyntaxError is input yaml.v3 cannot parse. yaml.v3 sometimes names the line
// where the enclosing block starts rather than the faulty one, so a reader
// should say "near" that line.
type SyntaxError struct {
	Line int    // 1-based; 0 when yaml.v3 names no line
	Msg  string // yaml.v3's message, without the "yaml: line N: " prefix
}

func (e *SyntaxError) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// ExtraDocumentError says a second document follows the first ("---").
// Readers take one document, and silently ignoring the rest would drop what
// the operator wrote there.
type ExtraDocumentError struct {
	Line int // where the second document starts
}

func (e *ExtraDocumentError) Error() string {
	return fmt.Sprintf("line %d: a second YAML document starts here", e.Line)
}

// yamlLine pulls the line out of yaml.v3's syntax errors ("yaml: line 3: …")
// so syntax problems can be reported like every other problem.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Document decodes the only YAML document in data and returns its top node,
// which may be an alias (see Deref). The error is ErrNoDocument, a
// *SyntaxError or an *ExtraDocumentError.
func Document(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ErrNoDocument
		}
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			if line, convErr := strconv.Atoi(m[1]); convErr == nil {
				return nil, &SyntaxError{Line: line, Msg: m[2]}
			}
		}
		return nil, &SyntaxError{Msg: err.Error()}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &ExtraDocumentError{Line: extra.Line}
	}
	if len(doc.Content) == 0 {
		return nil, ErrNoDocument
	}
	return doc.Content[0], nil
}
