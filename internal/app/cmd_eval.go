package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/markwatch/markwatch/internal/evaluate"
)

// runEval measures the daemon's matcher on labelled cases: precision and
// recall over (listing, mark) pairs, overall and per tactic. With --check it
// fails when the targets are missed.
func runEval(_ context.Context, env Env, args []string) error {
	fs := newFlags("eval", env)
	regPath := fs.String("registry", "", "registry of protected marks (default: the embedded one)")
	casesPath := fs.String("cases", "", "labelled cases, JSON lines (format: ../shared/eval/README.md)")
	threshold := fs.Float64("threshold", 0, "alert threshold in [0,1] (default: the matcher's)")
	check := fs.Bool("check", false, "exit 1 unless precision and recall >= 0.95 and every tactic's recall >= 0.85")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *casesPath == "" {
		return usagef("--cases is required (e.g. internal/evaluate/testdata/dev.jsonl)")
	}
	_, m, err := buildMatcher(*regPath, *threshold)
	if err != nil {
		return err
	}
	f, err := os.Open(*casesPath)
	if err != nil {
		return fmt.Errorf("opening cases: %w", err)
	}
	defer f.Close()
	cases, err := evaluate.ReadCases(f)
	if err != nil {
		return fmt.Errorf("%s: %w", *casesPath, err)
	}
	rep, _ := evaluate.Run(m, cases)
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("writing report: %w", err)
		}
	} else if err := rep.WriteText(env.Stdout); err != nil {
		return err
	}
	if *check {
		return rep.Check(evaluate.DefaultTargets())
	}
	return nil
}
