package yamlcheck

import (
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestDocument(t *testing.T) {
	tests := []struct {
		name      string
		data      string
		wantKind  yaml.Kind // of the returned node, when there is no error
		wantErr   error     // ErrNoDocument, or a zero *SyntaxError / *ExtraDocumentError for the type
		wantLine  int       // yaml.v3 puts a second document at its "---"
		wantInMsg string
	}{
		{name: "mapping", data: "version: 1\nmarks:\n  - id: lulu\n    name: 露露\n", wantKind: yaml.MappingNode},
		{name: "top-level list", data: "- 沧州\n- 泊头\n", wantKind: yaml.SequenceNode},
		{name: "empty", data: "", wantErr: ErrNoDocument},
		{name: "only comments", data: "# 河北老字号\n\n", wantErr: ErrNoDocument},
		{name: "explicit empty document", data: "---\n", wantKind: yaml.ScalarNode},
		{name: "tab indentation", data: "marks:\n\t- id: lulu\n", wantErr: &SyntaxError{}, wantLine: 2, wantInMsg: "cannot start any token"},
		// yaml.v3 names the line where the stream ended, not the open quote.
		{name: "unclosed quote", data: "name: \"露露\n", wantErr: &SyntaxError{}, wantLine: 2},
		{name: "second document", data: "version: 1\n---\nmarks: []\n", wantErr: &ExtraDocumentError{}, wantLine: 2},
		{name: "second document empty", data: "version: 1\n---\n", wantErr: &ExtraDocumentError{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Document([]byte(tt.data))
			switch want := tt.wantErr.(type) {
			case nil:
				if err != nil {
					t.Fatalf("Document: %v", err)
				}
				if n.Kind != tt.wantKind {
					t.Errorf("node kind = %v, want %v", n.Kind, tt.wantKind)
				}
			case *SyntaxError:
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("error = %v (%T), want a *SyntaxError", err, err)
				}
				if se.Line != tt.wantLine {
					t.Errorf("line = %d, want %d (%v)", se.Line, tt.wantLine, se)
				}
				if tt.wantInMsg != "" && !strings.Contains(se.Msg, tt.wantInMsg) {
					t.Errorf("message %q does not mention %q", se.Msg, tt.wantInMsg)
				}
			case *ExtraDocumentError:
				var ee *ExtraDocumentError
				if !errors.As(err, &ee) {
					t.Fatalf("error = %v (%T), want an *ExtraDocumentError", err, err)
				}
				if tt.wantLine != 0 && ee.Line != tt.wantLine {
					t.Errorf("line = %d, want %d", ee.Line, tt.wantLine)
				}
			default:
				if !errors.Is(err, want) {
					t.Errorf("error = %v, want %v", err, want)
				}
			}
			if err != nil && n != nil {
				t.Error("a node returned together with an error")
			}
		})
	}
}

func TestSyntaxErrorText(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&SyntaxError{Line: 4, Msg: "found character that cannot start any token"}, "line 4: found character that cannot start any token"},
		{&SyntaxError{Msg: "yaml: control characters are not allowed"}, "yaml: control characters are not allowed"},
		{&ExtraDocumentError{Line: 7}, "line 7: a second YAML document starts here"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
