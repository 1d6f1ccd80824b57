package notify

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// fakeClock is a clock that only moves when Retry sleeps.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func TestRetry(t *testing.T) {
	unavailable := result{retry: true, err: errors.New("receiver answered 503")}
	badRequest := result{retry: false, err: errors.New("receiver answered 400")}
	ok := result{}
	tests := []struct {
		name      string
		results   []result
		opts      RetryOptions
		wantCalls int
		wantSleep []time.Duration
		wantRetry bool
		wantErr   string // "" means delivered
	}{
		{name: "first try", results: []result{ok}, wantCalls: 1},
		{name: "fails twice then succeeds", results: []result{unavailable, unavailable, ok},
			wantCalls: 3, wantSleep: []time.Duration{time.Second, 2 * time.Second}},
		{name: "permanent failure is not retried", results: []result{badRequest},
			wantCalls: 1, wantErr: "attempt 1 failed permanently: receiver answered 400"},
		{name: "permanent after a retryable one", results: []result{unavailable, badRequest},
			wantCalls: 2, wantSleep: []time.Duration{time.Second}, wantErr: "attempt 2 failed permanently"},
		{name: "max attempts", results: []result{unavailable}, opts: RetryOptions{MaxAttempts: 3},
			wantCalls: 3, wantSleep: []time.Duration{time.Second, 2 * time.Second}, wantRetry: true,
			wantErr: "giving up after 3 attempts: receiver answered 503"},
		{name: "max elapsed", results: []result{unavailable}, opts: RetryOptions{MaxAttempts: 100, MaxElapsed: 10 * time.Second},
			// 1+2+4 = 7s slept; the next 8s wait would start 15s after the first try.
			wantCalls: 4, wantSleep: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, wantRetry: true,
			wantErr: "giving up after 4 attempts: next in 8s would pass the 10s limit"},
		{name: "receiver's Retry-After is longer", results: []result{{retry: true, err: &StatusError{Code: 429, retryAfter: 30 * time.Second}}, ok},
			wantCalls: 2, wantSleep: []time.Duration{30 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{now: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}
			s := &script{name: "hook", results: tt.results}
			opts := tt.opts
			opts.Now, opts.Sleep, opts.Rand = clock.Now, clock.Sleep, func() float64 { return 0 }
			retry, err := NewRetry(s, opts).Notify(context.Background(), alertsWithIDs(1))
			if s.calls() != tt.wantCalls {
				t.Errorf("%d calls, want %d", s.calls(), tt.wantCalls)
			}
			if !equalDurations(clock.sleeps, tt.wantSleep) {
				t.Errorf("slept %v, want %v", clock.sleeps, tt.wantSleep)
			}
			if retry != tt.wantRetry {
				t.Errorf("retry = %v, want %v", retry, tt.wantRetry)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v, want delivered", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRetryJitterComesFromInjectedRand(t *testing.T) {
	clock := &fakeClock{now: time.Unix(0, 0)}
	draws := []float64{0.2, 0.8}
	s := &script{name: "hook", results: []result{{retry: true, err: errors.New("503")}, {retry: true, err: errors.New("503")}, {}}}
	r := NewRetry(s, RetryOptions{Now: clock.Now, Sleep: clock.Sleep, Rand: func() float64 {
		d := draws[0]
		draws = draws[1:]
		return d
	}})
	if _, err := r.Notify(context.Background(), alertsWithIDs(1)); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{900 * time.Millisecond, 1200 * time.Millisecond} // 1s·(1-0.5·0.2), 2s·(1-0.5·0.8)
	if !equalDurations(clock.sleeps, want) {
		t.Errorf("slept %v, want %v", clock.sleeps, want)
	}
}

// A cancelled context ends a real backoff at once: with an hour's wait, the
// test would hang if Retry slept it out.
func TestRetryStopsBackoffWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &cancelOnCall{cancel: cancel}
	r := NewRetry(s, RetryOptions{MaxAttempts: 10, MaxElapsed: 24 * time.Hour, Backoff: Backoff{Initial: time.Hour}})
	retry, err := r.Notify(ctx, alertsWithIDs(1))
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("err = %v, want context.Canceled and the last failure", err)
	}
	if !retry {
		t.Error("retry = false; the delivery could still succeed later")
	}
	if s.calls != 1 {
		t.Errorf("%d attempts, want 1", s.calls)
	}
}

type cancelOnCall struct {
	cancel context.CancelFunc
	calls  int
}

func (c *cancelOnCall) Name() string { return "hook" }
func (c *cancelOnCall) Notify(context.Context, []domain.Alert) (bool, error) {
	c.calls++
	c.cancel()
	return true, errors.New("dial tcp: connection refused")
}

// A wait that would end past the caller's deadline is not started.
func TestRetryDoesNotSleepPastDeadline(t *testing.T) {
	clock := &fakeClock{now: time.Now()}
	ctx, cancel := context.WithDeadline(context.Background(), clock.now.Add(1500*time.Millisecond))
	defer cancel()
	s := &script{name: "hook", results: []result{{retry: true, err: errors.New("503")}}}
	r := NewRetry(s, RetryOptions{Now: clock.Now, Sleep: clock.Sleep, Rand: func() float64 { return 0 }})
	_, err := r.Notify(ctx, alertsWithIDs(1))
	if err == nil || !strings.Contains(err.Error(), "past the deadline") {
		t.Fatalf("err = %v", err)
	}
	if s.calls() != 2 || len(clock.sleeps) != 1 {
		t.Errorf("%d calls and sleeps %v; want the 1s wait taken and the 2s one not", s.calls(), clock.sleeps)
	}
}
