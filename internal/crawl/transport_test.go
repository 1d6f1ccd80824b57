package crawl

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestPoliteTransportLimitsParallelismAndSpacesRequests(t *testing.T) {
	var inFlight, peak atomic.Int32
	next := roundTripFunc(func(*http.Request) (*http.Response, error) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(10 * time.Millisecond)
		inFlight.Add(-1)
		h := http.Header{"Content-Type": {"text/html; charset=GBK"}}
		return &http.Response{StatusCode: 200, Header: h, Body: http.NoBody}, nil
	})
	pt := &politeTransport{next: next, ctx: context.Background(), parallelism: 2, delay: 40 * time.Millisecond,
		jitter: func() time.Duration { return 0 }, now: time.Now, hosts: map[string]chan *slot{}}
	start := time.Now()
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, "http://search.example.cn/s?q=%BA%CB%CC%D2", nil)
			resp, err := pt.RoundTrip(req)
			if err != nil {
				t.Error(err)
				return
			}
			// colly must not see the charset (it would re-decode the body).
			if resp.Header.Get("Content-Type") != "text/html" || resp.Header.Get(originalContentType) != "text/html; charset=GBK" {
				t.Errorf("headers %v", resp.Header)
			}
		}()
	}
	wg.Wait()
	if peak.Load() > 2 {
		t.Errorf("%d requests in flight, want at most 2", peak.Load())
	}
	// 6 requests over 2 slots: each slot makes 3, with 2 delays between.
	if el := time.Since(start); el < 80*time.Millisecond {
		t.Errorf("6 requests took %v, want at least 2 delays of 40ms per slot", el)
	}
}

// Under synctest: both requests are known to be waiting (one in the
// transport below, one for the host's only slot) before the cancel, with
// no sleep guessing how long that takes.
func TestPoliteTransportGivesUpWaitingWhenCancelled(t *testing.T) {
	synctest.Test(t, politeTransportGivesUpWaitingWhenCancelled)
}

func politeTransportGivesUpWaitingWhenCancelled(t *testing.T) {
	block := make(chan struct{})
	next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
		return nil, r.Context().Err()
	})
	pt := &politeTransport{next: next, ctx: context.Background(), parallelism: 1, delay: time.Hour,
		jitter: func() time.Duration { return 0 }, now: time.Now, hosts: map[string]chan *slot{}}
	defer close(block)
	ctx, cancel := context.WithCancel(context.Background())
	first, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://a.cn/1", nil)
	second, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://a.cn/2", nil)
	errs := make(chan error, 2)
	go func() { _, err := pt.RoundTrip(first); errs <- err }()
	go func() { _, err := pt.RoundTrip(second); errs <- err }()
	synctest.Wait()
	cancel()
	for range 2 {
		select {
		case err := <-errs:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v", err)
			}
		case <-time.After(time.Second):
			t.Fatal("RoundTrip did not return after cancel")
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"120", 2 * time.Minute, true},
		{"0", 0, true},
		{"Wed, 25 Nov 2026 08:00:30 GMT", 30 * time.Second, true},
		{"Wed, 25 Nov 2026 07:00:00 GMT", 0, true}, // in the past: now
		{"稍后再试", 0, false},
		{"", 0, false},
	}
	for _, tc := range tests {
		h := http.Header{}
		if tc.value != "" {
			h.Set("Retry-After", tc.value)
		}
		got, ok := retryAfter(h, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Retry-After %q = %v %v, want %v %v", tc.value, got, ok, tc.want, tc.ok)
		}
	}
}

func TestIsPrivateHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "shop.localhost": true, "127.0.0.1": true, "10.3.4.5": true, "192.168.1.20": true,
		"172.16.0.9": true, "169.254.169.254": true, "100.64.1.1": true, "[::1]": true, "::ffff:127.0.0.1": true,
		"0.0.0.0": true, "8.8.8.8": false, "223.5.5.5": false, "[2400:3200::1]": false,
	} {
		if got := isPrivateHost(context.Background(), host); got != want {
			t.Errorf("isPrivateHost(%q) = %v, want %v", host, got, want)
		}
	}
}
