package crawl

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// sharedPacer is what jobs.Pacer does across processes, in memory: each
// host's next turn, reserved under a lock.
type sharedPacer struct {
	mu   sync.Mutex
	next map[string]time.Time
}

func (p *sharedPacer) Wait(ctx context.Context, host string, delay time.Duration) error {
	p.mu.Lock()
	at := time.Now()
	if n := p.next[host]; n.After(at) {
		at = n
	}
	p.next[host] = at.Add(delay)
	p.mu.Unlock()
	return sleepCtx(ctx, time.Until(at))
}

// TestPoliteTransportsSharingAPacerKeepTheDelayBetweenThem: two workers,
// each with its own slots, crawl one host; with a shared pacer their
// requests are a delay apart, as one worker's would be; without it each
// keeps the delay only between its own.
func TestPoliteTransportsSharingAPacerKeepTheDelayBetweenThem(t *testing.T) {
	for _, shared := range []bool{true, false} {
		synctest.Test(t, func(t *testing.T) {
			var mu sync.Mutex
			var sent []time.Time
			next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				mu.Lock()
				sent = append(sent, time.Now())
				mu.Unlock()
				return &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody}, nil
			})
			pacer := &sharedPacer{next: map[string]time.Time{}}
			worker := func() *politeTransport {
				pt := &politeTransport{next: next, ctx: context.Background(), parallelism: 1, delay: time.Second,
					jitter: func() time.Duration { return 0 }, now: time.Now, hosts: map[string]chan *slot{}}
				if shared {
					pt.pacer = pacer
				}
				return pt
			}
			var wg sync.WaitGroup
			for _, pt := range []*politeTransport{worker(), worker()} {
				wg.Go(func() {
					for range 3 {
						req, _ := http.NewRequest(http.MethodGet, "https://s.taobao.com/search?q=六个核桃", nil)
						if _, err := pt.RoundTrip(req); err != nil {
							t.Error(err)
						}
					}
				})
			}
			wg.Wait()
			closest := time.Hour
			for i := 1; i < len(sent); i++ {
				closest = min(closest, sent[i].Sub(sent[i-1]))
			}
			if shared && closest < time.Second {
				t.Errorf("shared pacer: two requests %v apart, want at least the 1s delay", closest)
			}
			if !shared && closest != 0 {
				t.Errorf("no pacer: closest requests %v apart, want the two workers at once (the test would not see a pacer's effect)", closest)
			}
		})
	}
}

// A pacer's error (its database gone, the run cancelled) is the request's.
func TestPoliteTransportReturnsThePacersError(t *testing.T) {
	next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Error("request sent although the pacer refused its turn")
		return nil, errors.New("unreachable")
	})
	down := errors.New("connecting to postgres: connection refused")
	pt := &politeTransport{next: next, ctx: context.Background(), parallelism: 1, delay: time.Second,
		jitter: func() time.Duration { return 0 }, now: time.Now, hosts: map[string]chan *slot{},
		pacer: pacerFunc(func(context.Context, string, time.Duration) error { return down })}
	req, _ := http.NewRequest(http.MethodGet, "https://s.taobao.com/search?q=衡水老白干", nil)
	if _, err := pt.RoundTrip(req); !errors.Is(err, down) {
		t.Fatalf("RoundTrip error = %v, want the pacer's", err)
	}
}

type pacerFunc func(ctx context.Context, host string, delay time.Duration) error

func (f pacerFunc) Wait(ctx context.Context, host string, delay time.Duration) error {
	return f(ctx, host, delay)
}
