package app

import (
	"context"
	"time"

	"github.com/markwatch/markwatch/internal/store"
)

// A source that keeps failing (blocked, changed its markup, gone) is crawled
// less often instead of hammered on every tick: after failuresBeforeBackoff
// runs in a row fail, scheduled runs wait 15 min, then 30, 60 … up to
// maxFailureBackoff after the last attempt. Operators' "run now" is never
// held back, and one success resets the count.
const (
	failuresBeforeBackoff = 3
	firstFailureBackoff   = 15 * time.Minute
	maxFailureBackoff     = 12 * time.Hour
)

// failureBackoff is how long after its last run a source with this many
// consecutive failures is left alone.
func failureBackoff(consecutive int) time.Duration {
	if consecutive < failuresBeforeBackoff {
		return 0
	}
	d := firstFailureBackoff
	for i := failuresBeforeBackoff; i < consecutive && d < maxFailureBackoff; i++ {
		d *= 2
	}
	return min(d, maxFailureBackoff)
}

// backingOff reports until when a scheduled run of id should be skipped.
func backingOff(ctx context.Context, db *store.DB, id string, now time.Time) (time.Time, bool, error) {
	st, err := db.GetSource(ctx, id)
	if err != nil {
		return time.Time{}, false, err
	}
	wait := failureBackoff(st.ConsecutiveErrors)
	if wait == 0 || st.LastRunAt == nil {
		return time.Time{}, false, nil
	}
	until := st.LastRunAt.Add(wait)
	return until, now.Before(until), nil
}
