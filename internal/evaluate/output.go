package evaluate

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// OutputHit is one hit in the `markwatch match` JSON-lines contract
// (../shared/eval/README.md): reasons are their readable texts ("形近: 个→介"),
// which already name the tactic in Chinese.
type OutputHit struct {
	MarkID  string   `json:"mark_id"`
	Score   float64  `json:"score"`
	Alert   bool     `json:"alert"`
	Reasons []string `json:"reasons"`
}

// OutputLine is one line of `markwatch match` output.
type OutputLine struct {
	ID   string      `json:"id"`
	Hits []OutputHit `json:"hits"`
}

// NewOutputLine converts matcher results for one listing into a contract line.
func NewOutputLine(id string, ms []domain.Match) OutputLine {
	line := OutputLine{ID: id, Hits: make([]OutputHit, 0, len(ms))}
	for _, m := range ms {
		h := OutputHit{MarkID: m.MarkID, Score: m.Score, Alert: m.Alert, Reasons: make([]string, 0, len(m.Reasons))}
		for _, r := range m.Reasons {
			h.Reasons = append(h.Reasons, r.Text)
		}
		line.Hits = append(line.Hits, h)
	}
	return line
}

// WriteOutputLine writes one contract line (JSON, newline-terminated).
func WriteOutputLine(w io.Writer, id string, ms []domain.Match) error {
	data, err := json.Marshal(NewOutputLine(id, ms))
	if err != nil {
		return fmt.Errorf("encoding output for %q: %w", id, err)
	}
	if _, err := w.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("writing output for %q: %w", id, err)
	}
	return nil
}

// ReadOutputs reads contract lines (e.g. a saved `markwatch match` run) for
// scoring; only mark ids and alert flags matter to Score.
func ReadOutputs(r io.Reader) (map[string][]domain.Match, error) {
	out := map[string][]domain.Match{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var l OutputLine
		if err := json.Unmarshal([]byte(text), &l); err != nil {
			return nil, fmt.Errorf("reading outputs: line %d: %w", line, err)
		}
		ms := make([]domain.Match, 0, len(l.Hits))
		for _, h := range l.Hits {
			ms = append(ms, domain.Match{MarkID: h.MarkID, Score: h.Score, Alert: h.Alert})
		}
		out[l.ID] = ms
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading outputs: %w", err)
	}
	return out, nil
}
