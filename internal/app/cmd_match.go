package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"

	"github.com/markwatch/markwatch/internal/domain"
)

// caseListing is one input line of the evaluation contract: a listing with
// an id, plus fields (expect, tactic) the matcher must not read.
type caseListing struct {
	ID       string  `json:"id"`
	Title    string  `json:"title"`
	Seller   string  `json:"seller"`
	Location string  `json:"location"`
	Price    float64 `json:"price"`
	Platform string  `json:"platform"`
	URL      string  `json:"url"`
}

type matchOutput struct {
	ID   string         `json:"id"`
	Hits []domain.Match `json:"hits"`
}

// maxLine bounds one JSON line; a marketplace title is far smaller.
const maxLine = 4 << 20

// runMatch implements the contract in ../shared/eval/README.md: listings as
// JSON lines on stdin, one JSON line per listing on stdout, in input order.
// It runs the same matcher, built the same way, as the daemon.
func runMatch(_ context.Context, env Env, args []string) error {
	fs := newFlags("match", env)
	regPath := fs.String("registry", "", "registry of protected marks (default: the embedded config/marks/hebei.yaml)")
	threshold := fs.Float64("threshold", 0, "alert threshold in [0,1] (default: the matcher's)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, m, err := buildMatcher(*regPath, *threshold)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(env.Stdin)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	w := bufio.NewWriter(env.Stdout)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		var c caseListing
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			w.Flush()
			return domain.Errorf(domain.EINVALID, "stdin line %d: not a JSON listing (want {\"id\":…,\"title\":…}): %v", line, err)
		}
		hits := m.Match(domain.Listing{
			ID: c.ID, Title: c.Title, Seller: c.Seller, Location: c.Location,
			Price: c.Price, Platform: c.Platform, URL: c.URL,
		})
		if hits == nil {
			hits = []domain.Match{}
		}
		if err := enc.Encode(matchOutput{ID: c.ID, Hits: hits}); err != nil {
			return fmt.Errorf("writing output for line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading stdin after line %d: %w", line, err)
	}
	return w.Flush()
}
