package web

import (
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

const (
	shaImg1 = "1111111111111111111111111111111111111111111111111111111111111111"
	shaSVG2 = "2222222222222222222222222222222222222222222222222222222222222222"
)

// withImages keeps a JPEG for alert 1 (六个核桃) and only an SVG for alert 2.
func withImages(h *harness) {
	h.cases.mu.Lock()
	defer h.cases.mu.Unlock()
	h.cases.caps[1] = append(h.cases.caps[1], domain.Capture{ID: 501, AlertID: 1, Artefacts: []domain.ArtefactRef{
		{Role: domain.RoleImage, SHA256: shaImg1, Size: 2048, MediaType: "image/jpeg"}}})
	h.cases.caps[2] = append(h.cases.caps[2], domain.Capture{ID: 502, AlertID: 2, Artefacts: []domain.ArtefactRef{
		{Role: domain.RoleImage, SHA256: shaSVG2, Size: 100, MediaType: "image/svg+xml"}}})
}

func TestQueueShowsKeptImages(t *testing.T) {
	h := newHarness(t, nil)
	withImages(h)
	resp, body := h.get(t, "/?status=all")
	if !strings.Contains(body, `<img class="row-thumb" src="/api/v1/artefacts/`+shaImg1+`"`) {
		t.Errorf("queue lacks alert 1's kept image:\n%s", body)
	}
	if n := strings.Count(body, `class="row-thumb"`); n != 1 {
		t.Errorf("%d thumbnails, want 1 (alert 2 kept only an SVG, the others nothing)", n)
	}
	if strings.Contains(body, shaSVG2) {
		t.Error("an SVG is shown as a thumbnail")
	}
	// Only this origin's images: never the marketplace's.
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self'") {
		t.Errorf("CSP %q lets images come from elsewhere", csp)
	}
	for _, src := range strings.Split(body, `src="`)[1:] {
		if !strings.HasPrefix(src, "/") {
			t.Errorf("page loads %q from another origin", src[:min(len(src), 60)])
		}
	}
}

func TestEvidenceShowsKeptImage(t *testing.T) {
	h := newHarness(t, nil)
	withImages(h)
	_, body := h.get(t, "/alerts/1")
	if !strings.Contains(body, `<img class="listing-image" src="/api/v1/artefacts/`+shaImg1+`"`) {
		t.Errorf("evidence page lacks the kept listing image:\n%s", body)
	}
	_, body = h.get(t, "/alerts/3")
	if strings.Contains(body, `class="listing-image"`) {
		t.Error("an alert without a kept image shows one")
	}
}

// TestQueueThumbnailsInScope: an owner's queue asks for and shows the
// images of its own alerts only.
func TestQueueThumbnailsInScope(t *testing.T) {
	h := newHarness(t, nil)
	withImages(h)
	h.signIn(ownerB) // 衡水老白干: alert 1's image is owner A's
	_, body := h.get(t, "/?status=all")
	if strings.Contains(body, shaImg1) {
		t.Error("owner B's queue shows owner A's listing image")
	}
}

func TestQueueWithoutDownloadsHasNoThumbnails(t *testing.T) {
	h := newHarness(t, func(d *Deps) { d.APIDownloads = false })
	withImages(h)
	if _, body := h.get(t, "/?status=all"); strings.Contains(body, "row-thumb") {
		t.Error("thumbnails linked to an API this origin does not serve")
	}
}
