package registry

import (
	"os"
	"testing"
)

// FuzzParse checks that no input panics and that Parse either returns marks
// or an error, never both or neither.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("testdata/eval-registry.yaml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(goodMark))
	f.Add([]byte("version: 1\nmarks:\n  - &a {id: lulu, name: 露露, kind: trademark}\n  - *a\n"))
	f.Add([]byte("version: 1\nmarks:\n  - id: x\n    origin: {places: [*b]}\n"))
	f.Add([]byte("- [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		marks, err := Parse("fuzz.yaml", data)
		if (err == nil) == (marks == nil) {
			t.Fatalf("Parse returned marks=%v err=%v", marks, err)
		}
	})
}
