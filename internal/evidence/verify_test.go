package evidence

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/evidence/evidencetest"
)

// scene is a daemon's evidence after a few crawls: two alerts' captures,
// heads signed and stamped, everything on disk and in the store.
type scene struct {
	store  *memStore
	blobs  *FS
	signer *Signer
	tsa    *evidencetest.TSA
	clk    *clock
	caps   []domain.Capture
}

func newScene(t *testing.T) *scene {
	t.Helper()
	sc := &scene{store: newMemStore(), blobs: newFS(t, 0), clk: newClock(), tsa: evidencetest.NewTSA(t)}
	n := newNotary(t, sc.store, sc.clk, &TSAClient{URL: sc.tsa.URL, Roots: sc.tsa.CertPool()})
	sc.signer = n.opts.Signer
	sc.caps = append(sc.caps, addCaptures(t, sc.store, sc.blobs, sc.clk, 1, 3)...)
	sc.clk.Add(time.Second)
	if err := n.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	sc.clk.Add(time.Minute)
	sc.caps = append(sc.caps, addCaptures(t, sc.store, sc.blobs, sc.clk, 2, 2)...)
	sc.clk.Add(time.Second)
	if err := n.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	return sc
}

func (sc *scene) verify(t *testing.T, alert int64) Report {
	t.Helper()
	rep, err := Verify(context.Background(), VerifyDeps{Store: sc.store, Blobs: sc.blobs}, VerifyOptions{
		AlertID: alert, Keys: []ed25519.PublicKey{sc.signer.PublicKey()}, TSARoots: sc.tsa.CertPool(), RequireStamps: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// find returns the problems of kind, failing the test if there is none.
func find(t *testing.T, rep Report, kind string) []Problem {
	t.Helper()
	var out []Problem
	for _, p := range rep.Problems {
		if p.Kind == kind {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s problem; report: %v", kind, rep.Problems)
	}
	return out
}

func TestVerifyUntouched(t *testing.T) {
	sc := newScene(t)
	rep := sc.verify(t, 0)
	if !rep.OK() || rep.Captures != 5 || rep.TreeHeads != 2 || rep.Stamped != 2 || rep.Artefacts != 7 || rep.Leaves != 5 {
		t.Fatalf("untouched evidence: %+v", rep)
	}
	if len(rep.Notes) != 0 {
		t.Errorf("notes on fully covered evidence: %v", rep.Notes)
	}
	one := sc.verify(t, 2)
	if !one.OK() || one.Captures != 2 {
		t.Fatalf("alert 2: %+v", one)
	}
}

// An artefact file changed on disk (chmod does not stop root) is named
// by hash, role, capture and path — for every capture that shares it.
func TestVerifyAlteredFile(t *testing.T) {
	sc := newScene(t)
	c := sc.caps[1]
	page := c.Artefacts[0]
	path := sc.blobs.Path(page.SHA256)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("<html>nothing to see here</html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	ps := find(t, sc.verify(t, 0), ProblemArtefactAltered)
	p := ps[0]
	if len(ps) != 1 || p.SHA256 != page.SHA256 || p.Role != domain.RoleSearchPage || p.CaptureID != c.ID || p.Path != path {
		t.Fatalf("problem %+v, want sha %s role %s capture %d path %s", ps, page.SHA256, page.Role, c.ID, path)
	}
	for _, want := range []string{page.SHA256, "search_page", fmt.Sprintf("capture %d", c.ID), path} {
		if !strings.Contains(p.String(), want) {
			t.Errorf("%q does not name %s", p, want)
		}
	}

	// The image is shared by alert 1's captures: each is named.
	img := sc.caps[0].Artefacts[1]
	if err := os.Remove(sc.blobs.Path(img.SHA256)); err != nil {
		t.Fatal(err)
	}
	missing := find(t, sc.verify(t, 0), ProblemArtefactMissing)
	if len(missing) != 3 || missing[0].Role != domain.RoleImage || missing[2].CaptureID != sc.caps[2].ID {
		t.Fatalf("missing image: %+v, want it named for captures 1–3", missing)
	}
}

// A store row changed after capture: the title-like fields a forger would
// touch (the URL, the fetch), and an artefact reference swapped for
// another stored file.
func TestVerifyAlteredRow(t *testing.T) {
	for name, change := range map[string]func(c *domain.Capture, sc *scene){
		"listing url":  func(c *domain.Capture, _ *scene) { c.ListingURL = "https://item.taobao.com/item.htm?id=999" },
		"final url":    func(c *domain.Capture, _ *scene) { c.Fetch.FinalURL = "https://elsewhere.example/" },
		"fetched at":   func(c *domain.Capture, _ *scene) { c.Fetch.FetchedAt = c.Fetch.FetchedAt.Add(-24 * time.Hour) },
		"artefact ref": func(c *domain.Capture, sc *scene) { c.Artefacts[0] = sc.caps[4].Artefacts[0] },
		"role":         func(c *domain.Capture, _ *scene) { c.Artefacts[0].Role = domain.RoleDetailPage },
	} {
		t.Run(name, func(t *testing.T) {
			sc := newScene(t)
			row := sc.store.capture(sc.caps[1].ID)
			row.Artefacts = append([]domain.ArtefactRef(nil), row.Artefacts...)
			change(row, sc)
			rep := sc.verify(t, 0)
			ps := find(t, rep, ProblemRecordHash)
			if len(ps) != 1 || ps[0].CaptureID != row.ID || ps[0].LogIndex == nil || *ps[0].LogIndex != row.LogIndex {
				t.Fatalf("problems %+v, want capture %d at log index %d", rep.Problems, row.ID, row.LogIndex)
			}
			if !strings.Contains(ps[0].String(), fmt.Sprintf("capture %d", row.ID)) {
				t.Errorf("%q does not name the capture", ps[0])
			}
		})
	}
}

// A forger who also rewrites the row's record hash is caught by the log;
// one who rewrites the leaf too (here the same column) by the signed roots.
func TestVerifyRewrittenRecordHash(t *testing.T) {
	sc := newScene(t)
	row := sc.store.capture(sc.caps[3].ID)
	row.ListingURL = "https://item.taobao.com/item.htm?id=1"
	row.RecordHash = RecordHash(*row)
	rep := sc.verify(t, 0)
	for _, p := range find(t, rep, ProblemHeadRoot) {
		if p.HeadID != 2 {
			t.Errorf("head %d named; only head 2 covers capture 4", p.HeadID)
		}
	}
	// The leaf is the column in this store: the record hash check itself
	// passes, the root check does not. A store with a separate leaf table
	// gets a log_leaf problem instead; either way the report fails.
	if rep.OK() {
		t.Fatal("rewritten record hash passed")
	}
}

func TestVerifyLogRemovedOrReordered(t *testing.T) {
	t.Run("removed", func(t *testing.T) {
		sc := newScene(t)
		sc.store.captures = append(sc.store.captures[:1], sc.store.captures[2:]...)
		rep := sc.verify(t, 0)
		find(t, rep, ProblemHeadRoot)
		// The SQLite store refuses a log with a gap; Verify goes on with
		// the log as the rows say it is and names the hole.
		orphan := find(t, rep, ProblemLogOrphan)
		if len(orphan) != 1 || *orphan[0].LogIndex != 1 {
			t.Errorf("orphans %+v, want leaf 1", orphan)
		}
		if rep.Captures != 4 {
			t.Errorf("%d captures checked, want the 4 left", rep.Captures)
		}
	})
	t.Run("removed, leaves shifted", func(t *testing.T) {
		// A store that reads the log without refusing gaps: the leaves
		// after the hole move down and no longer sit where their rows say.
		sc := newScene(t)
		sc.store.hexLeaves = true
		sc.store.captures = append(sc.store.captures[:1], sc.store.captures[2:]...)
		for i := 1; i < len(sc.store.captures); i++ {
			sc.store.captures[i].LogIndex--
		}
		rep := sc.verify(t, 0)
		find(t, rep, ProblemHeadRoot)
	})
	t.Run("reordered", func(t *testing.T) {
		sc := newScene(t)
		a, b := sc.store.capture(1), sc.store.capture(2)
		a.LogIndex, b.LogIndex = b.LogIndex, a.LogIndex
		// The record hash does not cover the index (the store assigns
		// it), so each row still matches its leaf: the signed roots are
		// what catch the new order.
		for _, p := range find(t, sc.verify(t, 0), ProblemHeadRoot) {
			if !strings.Contains(p.Detail, "reordered") {
				t.Errorf("%s", p)
			}
		}
	})
	t.Run("duplicated index", func(t *testing.T) {
		sc := newScene(t)
		sc.store.capture(5).LogIndex = 3
		rep := sc.verify(t, 0)
		find(t, rep, ProblemLogLeaf)
		find(t, rep, ProblemLogOrphan)
	})
}

func TestVerifyForgedHeads(t *testing.T) {
	t.Run("signature", func(t *testing.T) {
		sc := newScene(t)
		sc.store.heads[0].Signature = testSigner(t).Sign(sc.store.heads[0]).Signature
		ps := find(t, sc.verify(t, 0), ProblemHeadSignature)
		if len(ps) != 1 || ps[0].HeadID != 1 {
			t.Fatalf("problems %+v", ps)
		}
	})
	t.Run("other key", func(t *testing.T) {
		sc := newScene(t)
		sc.store.heads[1] = testSigner(t).Sign(sc.store.heads[1])
		ps := find(t, sc.verify(t, 0), ProblemHeadSignature)
		if ps[0].HeadID != 2 || !strings.Contains(ps[0].Detail, "not one of the 1 trusted keys") {
			t.Fatalf("problems %+v", ps)
		}
	})
	t.Run("root", func(t *testing.T) {
		sc := newScene(t)
		// Re-signed with the real key (a stolen key): the root is still
		// not the log's.
		h := sc.store.heads[0]
		h.RootHash = strings.Repeat("00", 32)
		sc.store.heads[0] = sc.signer.Sign(h)
		rep := sc.verify(t, 0)
		ps := find(t, rep, ProblemHeadRoot)
		if ps[0].HeadID != 1 {
			t.Fatalf("problems %+v", ps)
		}
		find(t, rep, ProblemHeadStamp) // the token stamped the old text
	})
	t.Run("size beyond the log", func(t *testing.T) {
		sc := newScene(t)
		sc.store.heads[1].Size = 99
		find(t, sc.verify(t, 0), ProblemHeadRoot)
	})
}

func TestVerifyTokens(t *testing.T) {
	t.Run("other data", func(t *testing.T) {
		sc := newScene(t)
		// A genuine token of the same TSA, for another head.
		sc.store.heads[1].TSAToken = sc.store.heads[0].TSAToken
		ps := find(t, sc.verify(t, 0), ProblemHeadStamp)
		if ps[0].HeadID != 2 || !strings.Contains(ps[0].Detail, "other data") {
			t.Fatalf("problems %+v", ps)
		}
	})
	t.Run("foreign TSA", func(t *testing.T) {
		sc := newScene(t)
		other := evidencetest.NewTSA(t)
		c := &TSAClient{URL: other.URL}
		tok, at, err := c.Stamp(context.Background(), headTextOf(sc.store.heads[0]))
		if err != nil {
			t.Fatal(err)
		}
		// The row agrees with its (foreign) token, as a forger would make it;
		// only the issuer gives it away.
		sc.store.heads[0].TSAToken, sc.store.heads[0].StampedAt = tok, &at
		rep := sc.verify(t, 0)
		ps := find(t, rep, ProblemHeadStamp)
		if ps[0].HeadID != 1 || !strings.Contains(ps[0].Detail, "signature does not verify") {
			t.Fatalf("problems %+v", ps)
		}
		// Without a CA the same token passes, and the report says what
		// was not checked.
		rep, _ = Verify(context.Background(), VerifyDeps{Store: sc.store, Blobs: sc.blobs},
			VerifyOptions{Keys: []ed25519.PublicKey{sc.signer.PublicKey()}})
		if !rep.OK() || len(rep.Notes) == 0 {
			t.Errorf("without a CA: %+v", rep)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		sc := newScene(t)
		sc.store.heads[0].TSAToken = []byte("garbage")
		find(t, sc.verify(t, 0), ProblemHeadStamp)
	})
	t.Run("unstamped", func(t *testing.T) {
		sc := newScene(t)
		sc.store.heads[1].TSAToken, sc.store.heads[1].StampedAt = nil, nil
		ps := find(t, sc.verify(t, 0), ProblemUncovered)
		if len(ps) != 2 || ps[0].CaptureID != 4 {
			t.Fatalf("problems %+v, want captures 4 and 5 not stamped", ps)
		}
	})
}

// A capture newer than the last head is noted, not failed: the notary has
// not run yet. One older than a head that should cover it fails.
func TestVerifyCoverage(t *testing.T) {
	sc := newScene(t)
	sc.clk.Add(time.Second)
	addCaptures(t, sc.store, sc.blobs, sc.clk, 3, 1)
	rep := sc.verify(t, 0)
	if !rep.OK() || len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "capture 6") {
		t.Fatalf("fresh capture: %+v", rep)
	}
	sc.store.capture(6).CapturedAt = sc.store.heads[0].CreatedAt.Add(-time.Hour)
	sc.store.capture(6).RecordHash = RecordHash(*sc.store.capture(6))
	find(t, sc.verify(t, 0), ProblemUncovered)
}

func TestVerifyErrors(t *testing.T) {
	if _, err := Verify(context.Background(), VerifyDeps{}, VerifyOptions{}); err == nil {
		t.Error("Verify without a store succeeded")
	}
	sc := newScene(t)
	sc.store.failTo = domain.Errorf(domain.EUNAVAILABLE, "database locked")
	if _, err := Verify(context.Background(), VerifyDeps{Store: sc.store, Blobs: sc.blobs}, VerifyOptions{}); err == nil {
		t.Error("a failing store gave a report")
	}
}

// The time the console and the packet show is the token's, or it fails.
func TestVerifyStampedAtAltered(t *testing.T) {
	sc := newScene(t)
	earlier := sc.store.heads[0].StampedAt.Add(-48 * time.Hour)
	sc.store.heads[0].StampedAt = &earlier
	ps := find(t, sc.verify(t, 0), ProblemHeadStamp)
	if ps[0].HeadID != 1 || !strings.Contains(ps[0].Detail, "the token says") {
		t.Fatalf("problems %+v", ps)
	}
}

// What the worker stores is evidence like any other: signed, it verifies.
func TestWorkerCapturesVerify(t *testing.T) {
	ctx := context.Background()
	ws := newWorkerScene(t)
	ws.job(JobImage, "https://img.alicdn.com/a.jpg")
	ws.job(JobScreenshot, "")
	if _, err := ws.w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	n := newNotary(t, ws.store, ws.clk, nil)
	ws.clk.Add(time.Second)
	if err := n.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(ctx, VerifyDeps{Store: ws.store, Blobs: ws.blobs}, VerifyOptions{Keys: []ed25519.PublicKey{n.opts.Signer.PublicKey()}})
	if err != nil || !rep.OK() || rep.Captures != 2 || rep.Artefacts != 3 {
		t.Fatalf("%+v, %v", rep, err)
	}
}
