// Package evaluate measures the matcher against labelled listings: precision
// and recall over (listing, mark) pairs, overall and per tactic, computed the
// way ../shared/eval/score.py computes them.
package evaluate

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// Case is one labelled listing: what a market supervisor would want flagged.
type Case struct {
	domain.Listing
	// Expect lists the ids of the marks the listing should alert for.
	Expect []string `json:"expect"`
	// Tactic names why (positives) or which trap (negatives); for reading.
	Tactic string `json:"tactic"`
	// Image is the listing photo, a path relative to the cases file; its
	// perceptual hash is the listing's image_hash (a test keeps the two
	// equal). Empty when the case has no photo.
	Image string `json:"image,omitempty"`
}

// ReadCases reads labelled cases, one JSON object a line; blank lines are
// skipped. Errors name the line.
func ReadCases(r io.Reader) ([]Case, error) {
	var out []Case
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	seen := map[string]int{}
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var c Case
		dec := json.NewDecoder(strings.NewReader(text))
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("reading cases: line %d: %w", line, err)
		}
		if c.ID == "" {
			return nil, fmt.Errorf("reading cases: line %d: missing id", line)
		}
		if prev, ok := seen[c.ID]; ok {
			return nil, fmt.Errorf("reading cases: line %d: id %q already used on line %d", line, c.ID, prev)
		}
		if c.Image != "" && c.ImageHash == 0 {
			return nil, fmt.Errorf("reading cases: line %d: case %q has an image but no image_hash", line, c.ID)
		}
		seen[c.ID] = line
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading cases: %w", err)
	}
	return out, nil
}
