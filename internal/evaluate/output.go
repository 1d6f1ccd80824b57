package evaluate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// OutputLine is one line of `markwatch match` output, the evaluation
// contract: the listing's id and the matcher's hits as the daemon stores
// them — reasons are objects with their tactic, text and title span, so a
// run's output says which signal (price, image, seller, a spelling) raised
// each hit. The command writes it and ReadOutputs reads it: one definition.
type OutputLine struct {
	ID   string         `json:"id"`
	Hits []domain.Match `json:"hits"`
}

// NewOutputLine is the contract line for one listing's results; a listing
// with no hit has an empty list, never null.
func NewOutputLine(id string, ms []domain.Match) OutputLine {
	if ms == nil {
		ms = []domain.Match{}
	}
	return OutputLine{ID: id, Hits: ms}
}

// WriteOutputLine writes one contract line (JSON, newline-terminated,
// Chinese and <>& unescaped so the output reads as the titles do).
func WriteOutputLine(w io.Writer, id string, ms []domain.Match) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(NewOutputLine(id, ms)); err != nil {
		return fmt.Errorf("encoding output for %q: %w", id, err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("writing output for %q: %w", id, err)
	}
	return nil
}

// textLine is the older shape of the contract (../shared/eval/README.md),
// reasons as bare texts, which other matchers scored by score.py may
// still write; ReadOutputs accepts it so their runs can be compared.
type textLine struct {
	ID   string `json:"id"`
	Hits []struct {
		MarkID  string   `json:"mark_id"`
		Score   float64  `json:"score"`
		Alert   bool     `json:"alert"`
		Reasons []string `json:"reasons"`
	} `json:"hits"`
}

// ReadOutputs reads contract lines (e.g. a saved `markwatch match` run) for
// scoring, by listing id. Errors name the line.
func ReadOutputs(r io.Reader) (map[string][]domain.Match, error) {
	out := map[string][]domain.Match{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		l, err := decodeOutputLine([]byte(text))
		if err != nil {
			return nil, fmt.Errorf("reading outputs: line %d: %w", line, err)
		}
		if l.ID == "" {
			return nil, fmt.Errorf("reading outputs: line %d: missing id", line)
		}
		out[l.ID] = l.Hits
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading outputs: %w", err)
	}
	return out, nil
}

func decodeOutputLine(data []byte) (OutputLine, error) {
	var l OutputLine
	err := json.Unmarshal(data, &l)
	var typeErr *json.UnmarshalTypeError
	if err == nil || !errors.As(err, &typeErr) {
		return l, err
	}
	var t textLine
	if json.Unmarshal(data, &t) != nil {
		return OutputLine{}, err // the first error says what is wrong with the current shape
	}
	l = OutputLine{ID: t.ID, Hits: make([]domain.Match, 0, len(t.Hits))}
	for _, h := range t.Hits {
		m := domain.Match{MarkID: h.MarkID, Score: h.Score, Alert: h.Alert}
		for _, text := range h.Reasons {
			m.Reasons = append(m.Reasons, domain.Reason{Text: text, Start: -1, End: -1})
		}
		l.Hits = append(l.Hits, m)
	}
	return l, nil
}
