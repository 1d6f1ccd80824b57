package evaluate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/match"
)

// qualitySets are the labelled sets README.md publishes the matcher's
// quality on.
var qualitySets = []struct{ name, registry, cases string }{
	{"dev set (276)", "testdata/registry.yaml", "testdata/dev.jsonl"},
	{"real knock-offs (574)", "testdata/real/registry.yaml", "testdata/real/cases.jsonl"},
	{"unseen marks (30)", "testdata/unseen-registry.yaml", "testdata/unseen.jsonl"},
}

// TestREADMEQualityTable keeps README.md's quality table equal to what the
// matcher scores now: it fails when they differ, and `make eval` (which sets
// MARKWATCH_UPDATE_README=1) rewrites the table.
func TestREADMEQualityTable(t *testing.T) {
	var sets []Named
	for _, s := range qualitySets {
		m, err := match.New(loadMarks(t, s.registry), match.Options{})
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(s.cases)
		if err != nil {
			t.Fatal(err)
		}
		cases, err := ReadCases(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		rep, _ := Run(m, cases)
		sets = append(sets, Named{Name: s.name, Report: rep})
	}
	var table strings.Builder
	if err := WriteMarkdown(&table, sets); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "README.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ReplaceTable(string(doc), table.String())
	if err != nil {
		t.Fatal(err)
	}
	if want == string(doc) {
		return
	}
	if os.Getenv("MARKWATCH_UPDATE_README") != "" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("README.md quality table rewritten")
		return
	}
	t.Errorf("README.md's quality table is not what the matcher scores now; run `make eval` to regenerate it:\n%s", table.String())
}
