package evaluate

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/markwatch/markwatch/internal/domain"
)

// TacticScore counts one tactic's cases.
type TacticScore struct {
	Tactic      string
	Cases       int
	TP, FN, FP  int
	Recall      float64 // NaN when the tactic has no expected pairs
	FalseAlarms int
}

// Report is precision and recall over (listing, mark) pairs with alert=true.
type Report struct {
	Cases          int
	MissingOutputs int
	TP, FP, FN     int
	Precision      float64
	Recall         float64
	F1             float64
	PerTactic      []TacticScore // sorted by tactic name
	// Errors lists the pairs that were missed or wrongly raised, for reading.
	Errors []PairError
}

// PairError is one (listing, mark) pair the matcher got wrong.
type PairError struct {
	CaseID, MarkID, Tactic string
	Missed                 bool // expected but not raised; otherwise a false alarm
}

// Score compares matcher outputs (by case id) with the labels.
func Score(cases []Case, outputs map[string][]domain.Match) Report {
	r := Report{Cases: len(cases)}
	per := map[string]*TacticScore{}
	for _, c := range cases {
		ms, ok := outputs[c.ID]
		if !ok {
			r.MissingOutputs++
		}
		got := map[string]bool{}
		for _, m := range ms {
			if m.Alert {
				got[m.MarkID] = true
			}
		}
		exp := map[string]bool{}
		for _, id := range c.Expect {
			exp[id] = true
		}
		t := per[c.Tactic]
		if t == nil {
			t = &TacticScore{Tactic: c.Tactic}
			per[c.Tactic] = t
		}
		t.Cases++
		for id := range exp {
			if got[id] {
				t.TP++
			} else {
				t.FN++
				r.Errors = append(r.Errors, PairError{CaseID: c.ID, MarkID: id, Tactic: c.Tactic, Missed: true})
			}
		}
		for id := range got {
			if !exp[id] {
				t.FP++
				r.Errors = append(r.Errors, PairError{CaseID: c.ID, MarkID: id, Tactic: c.Tactic})
			}
		}
	}
	for _, t := range per {
		r.TP += t.TP
		r.FN += t.FN
		r.FP += t.FP
		t.FalseAlarms = t.FP
		t.Recall = math.NaN()
		if t.TP+t.FN > 0 {
			t.Recall = float64(t.TP) / float64(t.TP+t.FN)
		}
		r.PerTactic = append(r.PerTactic, *t)
	}
	sort.Slice(r.PerTactic, func(i, j int) bool { return r.PerTactic[i].Tactic < r.PerTactic[j].Tactic })
	sort.Slice(r.Errors, func(i, j int) bool {
		if r.Errors[i].CaseID != r.Errors[j].CaseID {
			return r.Errors[i].CaseID < r.Errors[j].CaseID
		}
		return r.Errors[i].MarkID < r.Errors[j].MarkID
	})
	if r.TP+r.FP > 0 {
		r.Precision = float64(r.TP) / float64(r.TP+r.FP)
	}
	if r.TP+r.FN > 0 {
		r.Recall = float64(r.TP) / float64(r.TP+r.FN)
	}
	if r.Precision+r.Recall > 0 {
		r.F1 = 2 * r.Precision * r.Recall / (r.Precision + r.Recall)
	}
	return r
}

// WriteText prints the report in score.py's layout, then the wrong pairs.
func (r Report) WriteText(w io.Writer) error {
	for _, t := range r.PerTactic {
		rec := "None"
		if !math.IsNaN(t.Recall) {
			rec = fmt.Sprintf("%.3f", t.Recall)
		}
		if _, err := fmt.Fprintf(w, "  %-22s n=%4d recall=%s false_alarms=%d\n", t.Tactic, t.Cases, rec, t.FalseAlarms); err != nil {
			return fmt.Errorf("writing report: %w", err)
		}
	}
	if _, err := fmt.Fprintf(w, "cases=%d missing=%d tp=%d fp=%d fn=%d precision=%.3f recall=%.3f f1=%.3f\n",
		r.Cases, r.MissingOutputs, r.TP, r.FP, r.FN, r.Precision, r.Recall, r.F1); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	for _, e := range r.Errors {
		what := "false alarm"
		if e.Missed {
			what = "missed"
		}
		if _, err := fmt.Fprintf(w, "  %s %s %s (%s)\n", what, e.CaseID, e.MarkID, e.Tactic); err != nil {
			return fmt.Errorf("writing report: %w", err)
		}
	}
	return nil
}

// Targets are the quality bars a report must meet.
type Targets struct {
	Precision    float64
	Recall       float64
	TacticRecall float64
}

// DefaultTargets are the bars: 0.95 overall, 0.85 per tactic.
func DefaultTargets() Targets {
	return Targets{Precision: 0.95, Recall: 0.95, TacticRecall: 0.85}
}

// Check returns an error naming every target the report misses.
func (r Report) Check(t Targets) error {
	var errs []error
	if r.MissingOutputs > 0 {
		errs = append(errs, fmt.Errorf("%d cases have no output", r.MissingOutputs))
	}
	if r.Precision < t.Precision {
		errs = append(errs, fmt.Errorf("precision %.3f below %.3f", r.Precision, t.Precision))
	}
	if r.Recall < t.Recall {
		errs = append(errs, fmt.Errorf("recall %.3f below %.3f", r.Recall, t.Recall))
	}
	for _, ts := range r.PerTactic {
		if !math.IsNaN(ts.Recall) && ts.Recall < t.TacticRecall {
			errs = append(errs, fmt.Errorf("tactic %s recall %.3f below %.3f", ts.Tactic, ts.Recall, t.TacticRecall))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("checking evaluation targets: %w", errors.Join(errs...))
}
