package yamlcheck

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// problem stands in for a reader's Problem type.
type problem struct{ where, msg string }

func (p problem) String() string { return p.where + ": " + p.msg }

func TestListErr(t *testing.T) {
	tests := []struct {
		name     string
		added    int
		wantLen  int
		wantOmit int
		wantLast string
	}{
		{"nothing wrong", 0, 0, 0, ""},
		{"one problem", 1, 1, 0, "m.yaml:1: field \"name\" 露露 is listed twice"},
		{"exactly at the cap", MaxProblems, MaxProblems, 0, "m.yaml:20: field \"name\" 露露 is listed twice"},
		{"one past the cap", MaxProblems + 1, MaxProblems, 1, "... and 1 more problems"},
		{"far past the cap", 30, MaxProblems, 10, "... and 10 more problems"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l List[problem]
			for i := range tt.added {
				l.Add(problem{fmt.Sprintf("m.yaml:%d", i+1), `field "name" 露露 is listed twice`})
			}
			err := l.Err()
			if tt.added == 0 {
				if err != nil {
					t.Fatalf("Err() = %v, want nil", err)
				}
				return
			}
			var e *Error[problem]
			if !errors.As(err, &e) {
				t.Fatalf("Err() = %T, want *Error[problem]", err)
			}
			if len(e.Problems) != tt.wantLen || e.Omitted != tt.wantOmit {
				t.Errorf("got %d problems and %d omitted, want %d and %d", len(e.Problems), e.Omitted, tt.wantLen, tt.wantOmit)
			}
			lines := strings.Split(err.Error(), "\n")
			if got := lines[len(lines)-1]; got != tt.wantLast {
				t.Errorf("last line = %q, want %q", got, tt.wantLast)
			}
			if lines[0] != `m.yaml:1: field "name" 露露 is listed twice` {
				t.Errorf("first line = %q", lines[0])
			}
		})
	}
}

func TestErrorUnwrapsToInvalid(t *testing.T) {
	var l List[problem]
	l.Add(problem{"config/marks/hebei.yaml:3", "unknown field; did you mean \"classes\"?"})
	err := l.Err()
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.EINVALID {
		t.Fatalf("error does not unwrap to EINVALID: %v", err)
	}
	if de.Message != err.Error() {
		t.Errorf("domain message = %q, want the full list %q", de.Message, err.Error())
	}
	if got := domain.ErrorCode(err); got != domain.EINVALID {
		t.Errorf("ErrorCode = %q, want %q", got, domain.EINVALID)
	}
}

func TestReadErrorKeepsCause(t *testing.T) {
	cause := &fs.PathError{Op: "open", Path: "marks.yaml", Err: fs.ErrNotExist}
	err := error(ReadError(problem{"marks.yaml", "reading the registry: file does not exist"}, cause))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("read error does not unwrap to its cause")
	}
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Error("read error is not EINVALID")
	}
	if want := "marks.yaml: reading the registry: file does not exist"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}
