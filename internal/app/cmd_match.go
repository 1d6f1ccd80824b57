package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/evaluate"
)

// maxLine bounds one JSON line; a marketplace title is far smaller.
const maxLine = 4 << 20

// runMatch implements the contract in ../shared/eval/README.md: listings as
// JSON lines on stdin (with image_hash, contacts and seller_history when
// known), one evaluate.OutputLine per listing on stdout, in input order.
// It runs the same matcher as the daemon.
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
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		// A labelled case's expect and tactic are not listing fields: decoding
		// into domain.Listing drops them, so the matcher cannot read them.
		var l domain.Listing
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			w.Flush()
			return domain.Errorf(domain.EINVALID, "stdin line %d: not a JSON listing (want {\"id\":…,\"title\":…}): %v", line, plainError(err))
		}
		if err := evaluate.WriteOutputLine(w, l.ID, m.Match(l)); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		w.Flush()
		return fmt.Errorf("reading stdin after line %d: %w", line, err)
	}
	return w.Flush()
}

// plainError is err's text without a coded error's "invalid: " prefix, so a
// wrapped message does not say it twice.
func plainError(err error) string {
	if domain.ErrorCode(err) == domain.EINTERNAL {
		return err.Error()
	}
	return domain.ErrorMessage(err)
}
