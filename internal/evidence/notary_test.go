package evidence

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/evidence/evidencetest"
)

func newNotary(t *testing.T, s *memStore, clk *clock, tsa Stamper) *Notary {
	t.Helper()
	n, err := NewNotary(NotaryOptions{
		Store: s, Signer: testSigner(t), TSA: tsa, Now: clk.Now,
		Rand:    func() float64 { return 0 }, // no jitter: waits are exact
		Backoff: Backoff{Initial: time.Minute, Max: 10 * time.Minute},
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNotarySignsAndStamps(t *testing.T) {
	ctx := context.Background()
	s, clk, tsa := newMemStore(), newClock(), evidencetest.NewTSA(t)
	blobs := newFS(t, 0)
	n := newNotary(t, s, clk, &TSAClient{URL: tsa.URL, Roots: tsa.CertPool()})

	if err := n.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if len(s.heads) != 0 {
		t.Fatalf("empty log: %d heads signed", len(s.heads))
	}
	addCaptures(t, s, blobs, clk, 1, 3)
	if err := n.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if len(s.heads) != 1 {
		t.Fatalf("%d heads, want 1", len(s.heads))
	}
	h := s.heads[0]
	leaves, _ := s.LogLeaves(ctx, 3)
	data, _ := leafData(leaves)
	if h.Size != 3 || h.RootHash != hexRoot(data) || n.opts.Signer.VerifyHead(h) != nil {
		t.Fatalf("head %+v does not sign the log", h)
	}
	if len(h.TSAToken) == 0 || h.StampedAt == nil {
		t.Fatal("head not stamped")
	}
	if _, err := VerifyToken(h.TSAToken, headTextOf(h), tsa.CertPool()); err != nil {
		t.Fatalf("stored token: %v", err)
	}
	// No growth, no new head.
	clk.Add(time.Minute)
	if err := n.Tick(ctx); err != nil || len(s.heads) != 1 {
		t.Fatalf("tick without growth: %v, %d heads", err, len(s.heads))
	}

	// The token the notary stored verifies with openssl, as a court's
	// expert would check it.
	if openssl, err := exec.LookPath("openssl"); err == nil {
		opensslVerify(t, openssl, tsa, headTextOf(s.heads[0]), s.heads[0].TSAToken)
	} else {
		t.Log("openssl not installed: token not checked with it")
	}
}

// While the TSA is down heads are signed and wait; the TSA is not hammered
// during the backoff; when it is back every waiting head is stamped.
func TestNotaryTSAOutage(t *testing.T) {
	ctx := context.Background()
	s, clk, tsa := newMemStore(), newClock(), evidencetest.NewTSA(t)
	blobs := newFS(t, 0)
	n := newNotary(t, s, clk, &TSAClient{URL: tsa.URL, Roots: tsa.CertPool()})
	tsa.SetMode(evidencetest.ModeUnavailable)

	addCaptures(t, s, blobs, clk, 1, 2)
	err := n.Tick(ctx)
	if err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("tick with the TSA down: err = %v, want the 503 named", err)
	}
	if len(s.heads) != 1 || len(s.heads[0].TSAToken) != 0 {
		t.Fatalf("heads %+v: want one signed and pending", s.heads)
	}
	asked := tsa.Requests()
	clk.Add(30 * time.Second) // within the 1m backoff
	addCaptures(t, s, blobs, clk, 2, 1)
	if err := n.Tick(ctx); err != nil {
		t.Fatalf("tick during backoff: %v", err)
	}
	if tsa.Requests() != asked {
		t.Errorf("the TSA was asked during the backoff")
	}
	if len(s.heads) != 2 {
		t.Fatalf("%d heads, want the log's growth signed during the outage", len(s.heads))
	}
	if w := n.wait(); w != 30*time.Second {
		t.Errorf("next pass in %v, want the 30s left of the backoff", w)
	}
	clk.Add(30 * time.Second)
	if err := n.Tick(ctx); err == nil {
		t.Fatal("second failure not reported")
	}
	// The second failure doubles the wait.
	clk.Add(time.Minute)
	before := tsa.Requests()
	tsa.SetMode(evidencetest.ModeOK)
	if err := n.Tick(ctx); err != nil || tsa.Requests() != before {
		t.Fatalf("tick 1m into a 2m backoff: %v, %d requests", err, tsa.Requests()-before)
	}
	clk.Add(time.Minute)
	if err := n.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	for _, h := range s.heads {
		if len(h.TSAToken) == 0 {
			t.Errorf("head %d still pending after the TSA came back", h.ID)
		} else if _, err := VerifyToken(h.TSAToken, headTextOf(h), tsa.CertPool()); err != nil {
			t.Errorf("head %d: %v", h.ID, err)
		}
	}
}

func TestNotaryWithoutTSA(t *testing.T) {
	ctx := context.Background()
	s, clk := newMemStore(), newClock()
	n := newNotary(t, s, clk, nil)
	addCaptures(t, s, newFS(t, 0), clk, 1, 1)
	if err := n.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if len(s.heads) != 1 || len(s.heads[0].TSAToken) != 0 {
		t.Fatalf("heads %+v: want one, pending", s.heads)
	}
}

// A TSA that answers with a token for something else is refused: the head
// stays pending rather than carrying a token that proves nothing.
func TestNotaryRefusesBadTokens(t *testing.T) {
	ctx := context.Background()
	for _, mode := range []evidencetest.Mode{evidencetest.ModeOtherData, evidencetest.ModeSHA512, evidencetest.ModeGarbage, evidencetest.ModeReject} {
		s, clk, tsa := newMemStore(), newClock(), evidencetest.NewTSA(t)
		n := newNotary(t, s, clk, &TSAClient{URL: tsa.URL, Roots: tsa.CertPool()})
		tsa.SetMode(mode)
		addCaptures(t, s, newFS(t, 0), clk, 1, 1)
		if err := n.Tick(ctx); err == nil {
			t.Errorf("mode %d: no error", mode)
		}
		if len(s.heads) != 1 || len(s.heads[0].TSAToken) != 0 {
			t.Errorf("mode %d: head stamped with a bad token", mode)
		}
	}
}

// The notary will not sign over a rewritten history.
func TestNotaryRefusesRewrittenLog(t *testing.T) {
	ctx := context.Background()
	s, clk := newMemStore(), newClock()
	blobs := newFS(t, 0)
	n := newNotary(t, s, clk, nil)
	addCaptures(t, s, blobs, clk, 1, 3)
	if err := n.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	s.captures[1].RecordHash = strings.Repeat("0", 64)
	addCaptures(t, s, blobs, clk, 1, 1)
	err := n.Tick(ctx)
	if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(err.Error(), "no longer matches tree head 1") {
		t.Fatalf("err = %v, want a conflict naming head 1", err)
	}
	if len(s.heads) != 1 {
		t.Errorf("a head was signed over the rewritten log")
	}
	// A fresh notary (a restart) reads the last head and refuses too.
	if err := newNotary(t, s, clk, nil).Tick(ctx); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("after restart: err = %v", err)
	}
	s.captures = s.captures[:2]
	if err := newNotary(t, s, clk, nil).Tick(ctx); err == nil || !strings.Contains(err.Error(), "leaves were removed") {
		t.Errorf("shrunk log: err = %v", err)
	}
}

func TestNotaryRunStopsWithContext(t *testing.T) {
	s, clk := newMemStore(), newClock()
	n := newNotary(t, s, clk, nil)
	addCaptures(t, s, newFS(t, 0), clk, 1, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- n.Run(ctx) }()
	deadline := time.After(5 * time.Second)
	for {
		s.mu.Lock()
		heads := len(s.heads)
		s.mu.Unlock()
		if heads == 1 {
			break
		}
		select {
		case <-deadline:
			t.Fatal("Run signed no head")
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func hexRoot(leaves [][]byte) string {
	return strings.ToLower(hexEncode(Root(leaves)))
}
