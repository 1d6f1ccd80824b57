package evidence

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// BenchmarkVerify1000 verifies 1000 captures, each with its own 80 KB
// search page and a 30 KB image shared by ten captures, under 100 signed
// tree heads: about the evidence of a busy week.
func BenchmarkVerify1000(b *testing.B) {
	ctx := context.Background()
	s, blobs, clk := newMemStore(), newFS(b, 0), newClock()
	signer := testSigner(b)
	page := marketplacePage()
	var img domain.ArtefactRef
	for i := 0; i < 1000; i++ {
		copy(page[len(page)-8:], fmt.Sprintf("%08d", i))
		ref, err := blobs.Put(ctx, bytes.NewReader(page), "text/html")
		if err != nil {
			b.Fatal(err)
		}
		ref.Role = domain.RoleSearchPage
		if i%10 == 0 {
			img, err = blobs.Put(ctx, bytes.NewReader(bytes.Repeat([]byte{byte(i), byte(i >> 8)}, 15000)), "image/jpeg")
			if err != nil {
				b.Fatal(err)
			}
			img.Role = domain.RoleImage
		}
		clk.Add(time.Second)
		if _, err := s.AppendCapture(ctx, domain.Capture{AlertID: int64(i/3 + 1), Version: 1, SourceID: "taobao", MarkID: "nike",
			ListingURL: fmt.Sprintf("https://item.taobao.com/item.htm?id=%d", i),
			Fetch: domain.Fetch{RequestURL: "https://s.taobao.com/search?q=nike", Status: 200, FetchedAt: clk.Now(),
				Headers: map[string][]string{"Content-Type": {"text/html"}, "Server": {"Tengine"}}},
			Artefacts: []domain.ArtefactRef{ref, img}, CapturedAt: clk.Now()}); err != nil {
			b.Fatal(err)
		}
		if i%10 == 9 {
			n, _ := NewNotary(NotaryOptions{Store: s, Signer: signer, Now: clk.Now})
			if err := n.Tick(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	deps := VerifyDeps{Store: s, Blobs: blobs}
	opts := VerifyOptions{Keys: []ed25519.PublicKey{signer.PublicKey()}}
	for b.Loop() {
		rep, err := Verify(ctx, deps, opts)
		if err != nil || !rep.OK() || rep.Captures != 1000 || rep.TreeHeads != 100 {
			b.Fatalf("%+v, %v", rep, err)
		}
	}
}
