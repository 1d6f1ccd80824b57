package notify

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// RetryOptions bounds how hard Retry tries.
type RetryOptions struct {
	// MaxAttempts counts the first try; default 5.
	MaxAttempts int
	// MaxElapsed bounds the time from the first try to the start of the
	// last; default 2m. A retry that would start later is not made.
	MaxElapsed time.Duration
	Backoff    Backoff
	Now        func() time.Time // default time.Now
	// Rand draws the jitter from [0,1); it must be safe for concurrent use
	// when the stage is shared. Default math/rand/v2's Float64.
	Rand func() float64
	// Sleep waits between tries and must return early with ctx's error
	// when ctx ends; tests replace it. Default a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Retry calls the next stage again while it fails with retry=true, waiting
// with exponential backoff between tries.
type Retry struct {
	next Notifier
	opts RetryOptions
}

// NewRetry wraps next.
func NewRetry(next Notifier, opts RetryOptions) *Retry {
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 5
	}
	if opts.MaxElapsed <= 0 {
		opts.MaxElapsed = 2 * time.Minute
	}
	opts.Backoff = opts.Backoff.withDefaults()
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Float64
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	return &Retry{next: next, opts: opts}
}

// Name implements Notifier.
func (r *Retry) Name() string { return r.next.Name() }

// Notify implements Notifier. The error returned is the last attempt's,
// wrapped with how many attempts were made and why retrying stopped; retry
// is true when another try later could still succeed.
func (r *Retry) Notify(ctx context.Context, alerts []domain.Alert) (bool, error) {
	start := r.opts.Now()
	for attempt := 1; ; attempt++ {
		retry, err := r.next.Notify(ctx, alerts)
		if err == nil {
			return false, nil
		}
		if !retry {
			return false, fmt.Errorf("attempt %d failed permanently: %w", attempt, err)
		}
		if attempt >= r.opts.MaxAttempts {
			return true, fmt.Errorf("giving up after %d attempts: %w", attempt, err)
		}
		wait := r.opts.Backoff.Delay(attempt, r.opts.Rand())
		var hinted interface{ RetryAfter() time.Duration }
		if errors.As(err, &hinted) {
			wait = max(wait, hinted.RetryAfter())
		}
		next := r.opts.Now().Add(wait)
		if next.Sub(start) > r.opts.MaxElapsed {
			return true, fmt.Errorf("giving up after %d attempts: next in %s would pass the %s limit: %w", attempt, wait, r.opts.MaxElapsed, err)
		}
		// Sleeping past the caller's deadline would only end in its error.
		if dl, ok := ctx.Deadline(); ok && next.After(dl) {
			return true, fmt.Errorf("giving up after %d attempts: next in %s is past the deadline: %w", attempt, wait, err)
		}
		if serr := r.opts.Sleep(ctx, wait); serr != nil {
			return true, fmt.Errorf("stopped waiting to retry after %d attempts (%w): %w", attempt, serr, err)
		}
	}
}
