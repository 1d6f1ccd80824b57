package registry

import (
	"io/fs"
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
	f.Add([]byte(goodMark + "    prices:\n      - {unit: 罐, low: 2.4, high: 3.5}\n      - {low: 1e400, high: .inf}\n    images: [a.png, ../b.png, /c]\n"))
	f.Add([]byte(goodMark + "    prices: [{unit: *x, low: 0x10, high: 1_000}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		marks, err := Parse("fuzz.yaml", data)
		if (err == nil) == (marks == nil) {
			t.Fatalf("Parse returned marks=%v err=%v", marks, err)
		}
		for _, m := range marks {
			for _, p := range m.Prices {
				if !(p.Low > 0 && p.Low <= p.High) {
					t.Fatalf("mark %q: accepted price range %+v", m.ID, p)
				}
			}
			for _, img := range m.Images {
				if !fs.ValidPath(img.Path) {
					t.Fatalf("mark %q: accepted image path %q", m.ID, img.Path)
				}
			}
		}
	})
}
