package demo_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	defaults "github.com/markwatch/markwatch/config"
	"github.com/markwatch/markwatch/internal/demo"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/imagesig"
	"github.com/markwatch/markwatch/internal/match"
	"github.com/markwatch/markwatch/internal/registry"
)

// TestSignalListingsRaiseTheirReasons matches every demo listing with the
// embedded registry (prices, reference images hashed as the daemon hashes
// them) and the photo the demo serves for it: each listing that carries a
// signal alerts with that signal's reason — the seller ones once their
// network has a confirmed alert, and only then — and no other listing gets
// a price or image reason. This is the table the README shows.
func TestSignalListingsRaiseTheirReasons(t *testing.T) {
	marks, err := registry.LoadFS(defaults.FS, defaults.Registry, "config/"+defaults.Registry)
	if err != nil {
		t.Fatal(err)
	}
	if err := registry.HashImages(defaults.FS, defaults.RegistryDir, marks, imagesig.Hasher{}.Hash); err != nil {
		t.Fatal(err)
	}
	m, err := match.New(marks, match.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := demo.NewServer(demo.Options{})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	seen := map[demo.Signal]int{}
	for _, it := range srv.Items() {
		l := domain.Listing{Title: it.Title, Price: it.Price, Seller: it.Seller, Location: it.Location, Platform: it.Platform}
		l.ImageHash = photoHash(t, ts.URL, it.ID)
		hits := m.Match(l)
		if it.Signal == demo.SignalSeller {
			// The title alone: a look-alike alerts, a plain name does not.
			if got := alerts(hits); got != (it.Kind == demo.KindLookalike) {
				t.Errorf("%d %q without history: alert %v", it.ID, it.Title, got)
			}
			l.SellerHistory = &domain.SellerHistory{NetworkID: 1, Confirmed: 1, Via: "电话 138****5678 与 " + demo.RingShops()[demo.PlatformMain]}
			hits = m.Match(l)
		}
		for _, tactic := range []string{"price", "image", "seller"} {
			got := hasReason(hits, tactic)
			if want := string(it.Signal) == tactic; got != want {
				t.Errorf("%d %q (%s, signal %q): %s reason %v, want %v; hits %+v", it.ID, it.Title, it.Kind, it.Signal, tactic, got, want, hits)
			}
		}
		if it.Signal != "" {
			seen[it.Signal]++
			if !alerts(hits) {
				t.Errorf("%d %q (signal %s) raised no alert: %+v", it.ID, it.Title, it.Signal, hits)
			}
		}
	}
	for _, s := range []demo.Signal{demo.SignalPrice, demo.SignalImage, demo.SignalSeller} {
		if seen[s] < 3 {
			t.Errorf("%d listings show the %s signal, want at least 3", seen[s], s)
		}
	}
}

// The image copies' titles avoid the mark's name and every registered form
// of it: the photo alone gives them away.
func TestImageCopiesAvoidTheName(t *testing.T) {
	marks, err := registry.LoadFS(defaults.FS, defaults.Registry, "config/"+defaults.Registry)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range demo.NewServer(demo.Options{}).Items() {
		if it.Photo == "" {
			continue
		}
		i := slices.IndexFunc(marks, func(m domain.Mark) bool {
			return slices.ContainsFunc(m.Images, func(r domain.RefImage) bool { return r.Path == "images/"+it.Photo+".png" })
		})
		if i < 0 {
			t.Errorf("%d copies %s, which no mark lists", it.ID, it.Photo)
			continue
		}
		for _, name := range append([]string{marks[i].Name}, marks[i].Forms...) {
			if strings.Contains(it.Title, name) {
				t.Errorf("%d %q names %s", it.ID, it.Title, name)
			}
		}
	}
}

func photoHash(t *testing.T, base string, id int) domain.PHash {
	t.Helper()
	resp, err := http.Get(base + "/static/img/" + strconv.Itoa(id) + ".jpg")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	h, err := imagesig.Hasher{}.Hash(body)
	if err != nil {
		t.Fatalf("photo %d: %v", id, err)
	}
	return h
}

func alerts(hits []domain.Match) bool {
	return slices.ContainsFunc(hits, func(h domain.Match) bool { return h.Alert })
}

func hasReason(hits []domain.Match, tactic string) bool {
	for _, h := range hits {
		if slices.ContainsFunc(h.Reasons, func(r domain.Reason) bool { return r.Tactic == tactic }) {
			return true
		}
	}
	return false
}
