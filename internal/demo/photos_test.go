package demo

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/imagesig"
)

// Bars of the image signal as the demo exercises it: a copy is within
// copyBits of its reference; an ordinary photo is more than ordinaryBits
// from every reference. The matcher's "small distance" lies between.
const (
	copyBits     = 6
	ordinaryBits = 14
)

// referenceHashes hashes the committed reference PNGs as the registry
// loader does, from the files themselves.
func referenceHashes(t *testing.T) map[string]domain.PHash {
	t.Helper()
	var h imagesig.Hasher
	out := map[string]domain.PHash{}
	for _, d := range refDesigns() {
		ph, err := h.File(filepath.Join(refDir, d.Name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		out[d.Name] = ph
	}
	return out
}

func servedHash(t *testing.T, base, id string) domain.PHash {
	t.Helper()
	resp, err := http.Get(base + "/static/img/" + id + ".jpg")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("image %s: %d %s, %v", id, resp.StatusCode, resp.Header.Get("Content-Type"), err)
	}
	ph, err := imagesig.Hasher{}.Hash(body)
	if err != nil {
		t.Fatalf("image %s: %v", id, err)
	}
	return ph
}

// TestCopiesMatchTheirReference fetches each copy listing's photo as the
// crawler would: resized, watermarked and recompressed, it is still within
// a few bits of the reference it copies, and far from every other one.
func TestCopiesMatchTheirReference(t *testing.T) {
	refs := referenceHashes(t)
	srv := httptest.NewServer(NewServer(Options{}).Handler())
	defer srv.Close()
	copies := 0
	for _, it := range catalogue() {
		if it.Photo == "" {
			continue
		}
		copies++
		t.Run(fmt.Sprintf("%d %s", it.ID, it.Photo), func(t *testing.T) {
			if it.Signal != SignalImage {
				t.Errorf("%q copies %s but shows signal %q", it.Title, it.Photo, it.Signal)
			}
			got := servedHash(t, srv.URL, strconv.Itoa(it.ID))
			for name, ref := range refs {
				d := got.Distance(ref)
				if name == it.Photo && d > copyBits {
					t.Errorf("copy of %s is %d bits from it, want ≤ %d", name, d, copyBits)
				}
				if name != it.Photo && d <= ordinaryBits {
					t.Errorf("copy of %s is %d bits from %s too, want > %d", it.Photo, d, name, ordinaryBits)
				}
				if name == it.Photo {
					t.Logf("%d bits from %s", d, name)
				}
			}
		})
	}
	if copies < 6 {
		t.Errorf("%d copy listings, want at least 6", copies)
	}
}

// TestOrdinaryPhotosMatchNoReference: every other listing's photo, on every
// platform, and photos of ids outside the catalogue, are far from every
// reference, so the image signal has nothing to say about them.
func TestOrdinaryPhotosMatchNoReference(t *testing.T) {
	refs := referenceHashes(t)
	srv := httptest.NewServer(NewServer(Options{}).Handler())
	defer srv.Close()
	ids := []string{"42", "sku-9", "0"}
	for _, it := range catalogue() {
		if it.Photo == "" {
			ids = append(ids, strconv.Itoa(it.ID))
		}
	}
	closest := 64
	for _, id := range ids {
		got := servedHash(t, srv.URL, id)
		for name, ref := range refs {
			d := got.Distance(ref)
			closest = min(closest, d)
			if d <= ordinaryBits {
				t.Errorf("ordinary photo %s is %d bits from reference %s, want > %d", id, d, name, ordinaryBits)
			}
		}
	}
	t.Logf("%d ordinary photos; the closest is %d bits from a reference", len(ids), closest)
}
