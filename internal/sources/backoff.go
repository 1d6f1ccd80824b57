package sources

import (
	"context"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// A source that keeps failing (blocked, changed its markup, gone) is crawled
// less often instead of hammered on every tick: after FailuresBeforeBackoff
// runs in a row fail, scheduled runs wait 15 min, then 30, 60 … up to
// MaxFailureBackoff after the last attempt. An operator's run now is never
// held back, and one success resets the count (the store counts).
const (
	FailuresBeforeBackoff = 3
	FirstFailureBackoff   = 15 * time.Minute
	MaxFailureBackoff     = 12 * time.Hour
)

// Backoff is how long after its last run a source with this many
// consecutive failures is left alone.
func Backoff(consecutive int) time.Duration {
	if consecutive < FailuresBeforeBackoff {
		return 0
	}
	d := FirstFailureBackoff
	for i := FailuresBeforeBackoff; i < consecutive && d < MaxFailureBackoff; i++ {
		d *= 2
	}
	return min(d, MaxFailureBackoff)
}

// BackingOff reports until when a scheduled run of id is skipped, and
// whether it is now.
func (c *Control) BackingOff(ctx context.Context, id string) (time.Time, bool, error) {
	st, err := c.store.GetSource(ctx, id)
	if err != nil {
		return time.Time{}, false, err
	}
	until, ok := backoffUntil(st, c.now())
	return until, ok, nil
}

// backoffUntil is the end of st's back-off, and whether now is before it.
func backoffUntil(st domain.SourceState, now time.Time) (time.Time, bool) {
	wait := Backoff(st.ConsecutiveErrors)
	if wait == 0 || st.LastRunAt == nil {
		return time.Time{}, false
	}
	until := st.LastRunAt.Add(wait)
	return until, now.Before(until)
}
