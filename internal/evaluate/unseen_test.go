package evaluate

import (
	"os"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/match"
	"github.com/markwatch/markwatch/internal/registry"
)

// TestUnseenMarks runs the matcher on marks it was never tuned on (other Hebei
// trademarks and GIs) with hand-written listings for each tactic and trap,
// the way the held-out set judges it: rules must generalise, not remember.
func TestUnseenMarks(t *testing.T) {
	marks, err := registry.Load("testdata/unseen-registry.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := match.New(marks, match.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("testdata/unseen.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases, err := ReadCases(f)
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := Run(m, cases)
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + b.String())
	if err := rep.Check(Targets{Precision: 0.95, Recall: 0.9, TacticRecall: 0.5}); err != nil {
		t.Error(err)
	}
}
