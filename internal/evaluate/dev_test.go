package evaluate

import (
	"os"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/match"
	"github.com/markwatch/markwatch/internal/registry"
)

// TestDevTargets runs the matcher on the labelled development set and fails
// when precision or recall fall below the targets.
func TestDevTargets(t *testing.T) {
	marks, err := registry.Load("testdata/registry.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := match.New(marks, match.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("testdata/dev.jsonl")
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
	if err := rep.Check(DefaultTargets()); err != nil {
		t.Error(err)
	}
}
