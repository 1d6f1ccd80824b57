package evidence

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// clock is a settable time for the notary and worker.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func testSigner(t testing.TB) *Signer {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return NewSigner(priv)
}

// addCaptures stores n captures of alert, each with a distinct search
// page and an image shared by all of them, files first.
func addCaptures(t testing.TB, s *memStore, blobs Blobs, clk *clock, alert int64, n int) []domain.Capture {
	t.Helper()
	ctx := context.Background()
	img, err := blobs.Put(ctx, bytes.NewReader([]byte(fmt.Sprintf("\x89PNG image of alert %d", alert))), "image/png")
	if err != nil {
		t.Fatal(err)
	}
	img.Role = domain.RoleImage
	var out []domain.Capture
	for i := 0; i < n; i++ {
		page := fmt.Appendf(nil, "<html>alert %d capture %d %s</html>", alert, i, clk.Now())
		ref, err := blobs.Put(ctx, bytes.NewReader(page), "text/html")
		if err != nil {
			t.Fatal(err)
		}
		ref.Role = domain.RoleSearchPage
		c, err := s.AppendCapture(ctx, domain.Capture{
			AlertID: alert, Version: 1, SourceID: "taobao", MarkID: "nike",
			ListingURL: fmt.Sprintf("https://item.taobao.com/item.htm?id=%d", alert),
			Fetch: domain.Fetch{
				RequestURL: "https://s.taobao.com/search?q=nike", FinalURL: "https://s.taobao.com/search?q=nike",
				Status: 200, Headers: map[string][]string{"Content-Type": {"text/html"}},
				FetchedAt: clk.Now(), UserAgent: "markwatch-test", RemoteAddr: "203.0.113.7:443",
			},
			Artefacts:        []domain.ArtefactRef{ref, img},
			MarkwatchVersion: "test",
			CapturedAt:       clk.Now(),
		})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func hexEncode(b []byte) string { return fmt.Sprintf("%x", b) }

func hexSHA(b []byte) string {
	sum := sha256.Sum256(b)
	return hexEncode(sum[:])
}
