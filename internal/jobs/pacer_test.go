package jobs

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// spacing returns the gaps between the sorted times.
func spacing(times []time.Time) []time.Duration {
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	gaps := make([]time.Duration, 0, len(times))
	for i := 1; i < len(times); i++ {
		gaps = append(gaps, times[i].Sub(times[i-1]))
	}
	return gaps
}

// concurrently runs each of fns n times in a goroutine of its own and
// collects the times each call returned at.
func concurrently(t *testing.T, n int, fns ...func() error) []time.Time {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	var times []time.Time
	for _, fn := range fns {
		wg.Go(func() {
			for range n {
				if err := fn(); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				times = append(times, time.Now())
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return times
}

// TestPacerSpacesRequestsAcrossWorkers: two workers (two pools, as two
// processes) requesting one host at once get turns exactly a delay apart,
// and their requests go out at those turns.
func TestPacerSpacesRequestsAcrossWorkers(t *testing.T) {
	url := newDB(t)
	p1, p2 := NewPacer(newPool(t, url, 2)), NewPacer(newPool(t, url, 2))
	const delay = 50 * time.Millisecond
	ctx := t.Context()

	t.Run("turns", func(t *testing.T) {
		// Each reservation's turn, in the database's clock.
		turn := func(p *Pacer) func() (time.Time, error) {
			return func() (time.Time, error) {
				turn, _, err := p.reserve(ctx, "item.taobao.com", delay)
				return turn, err
			}
		}
		var mu sync.Mutex
		var turns []time.Time
		record := func(f func() (time.Time, error)) func() error {
			return func() error {
				at, err := f()
				mu.Lock()
				turns = append(turns, at)
				mu.Unlock()
				return err
			}
		}
		concurrently(t, 10, record(turn(p1)), record(turn(p2)))
		gaps := spacing(turns)
		t.Logf("20 turns reserved at once, gaps: min %s, max %s", slices.Min(gaps), slices.Max(gaps))
		if slices.Min(gaps) < delay {
			t.Errorf("turns %s apart, want %s: %v", slices.Min(gaps), delay, gaps)
		}
	})

	t.Run("requests", func(t *testing.T) {
		wait := func(p *Pacer) func() error {
			return func() error { return p.Wait(ctx, "detail.tmall.com", delay) }
		}
		begun := time.Now()
		gaps := spacing(concurrently(t, 10, wait(p1), wait(p2)))
		span := time.Since(begun)
		t.Logf("20 requests in %s, gaps: min %s, max %s", span, slices.Min(gaps), slices.Max(gaps))
		if span < 19*delay {
			t.Errorf("20 requests in %s, want at least 19 delays (%s)", span, 19*delay)
		}
		// The turns are exact (above); when a request goes out also has
		// this machine's scheduling in it, so the gaps are judged by their
		// median: requests sharing turns would make half of them near 0.
		if median := slices.Sorted(slices.Values(gaps))[len(gaps)/2]; median < delay-2*time.Millisecond {
			t.Errorf("requests a median %s apart, want %s: %v", median, delay, gaps)
		}
	})
}

// TestPacerPerHost: a busy host does not hold up another, host names
// ignore case, and no delay means no wait.
func TestPacerPerHost(t *testing.T) {
	url := newDB(t)
	p := NewPacer(newPool(t, url, 2))
	ctx := t.Context()
	// item.jd.com is booked 10 s ahead.
	if _, _, err := p.reserve(ctx, "item.jd.com", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		host  string
		delay time.Duration
		busy  bool
	}{
		{"mobile.yangkeduo.com", time.Second, false},
		{"mobile.yangkeduo.com", 0, false},
		{"ITEM.JD.COM", time.Second, true},
	}
	for _, c := range cases {
		ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		begun := time.Now()
		err := p.Wait(ctx, c.host, c.delay)
		cancel()
		if busy := errors.Is(err, context.DeadlineExceeded); busy != c.busy || err != nil && !busy {
			t.Errorf("Wait(%s, %s) = %v after %s; want busy %v", c.host, c.delay, err, time.Since(begun), c.busy)
		}
	}
	if err := p.Wait(ctx, "", time.Second); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("Wait with no host = %v, want %s", err, domain.EINVALID)
	}
}

// TestPacerCancel: ending ctx ends a wait at once, before and during the
// sleep.
func TestPacerCancel(t *testing.T) {
	url := newDB(t)
	p := NewPacer(newPool(t, url, 2))
	if _, _, err := p.reserve(t.Context(), "shop.1688.com", 10*time.Second); err != nil { // booked 10 s ahead
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	begun := time.Now()
	err := p.Wait(ctx, "shop.1688.com", 10*time.Second)
	if took := time.Since(begun); !errors.Is(err, context.Canceled) || took > time.Second {
		t.Errorf("Wait cancelled after 50 ms: %v after %s; want context.Canceled at once", err, took)
	}
	begun = time.Now()
	if err := p.Wait(ctx, "shop.1688.com", 10*time.Second); !errors.Is(err, context.Canceled) || time.Since(begun) > 100*time.Millisecond {
		t.Errorf("Wait on a cancelled ctx: %v after %s; want context.Canceled at once", err, time.Since(begun))
	}
}
