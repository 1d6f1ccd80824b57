package app

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestQueueThumbnailOnTheDaemon keeps a listing image for one of owner A's
// alerts on the running daemon: A's queue shows it from this origin, the
// image route serves it to A, and owner B asking for it by its address is
// answered as if it did not exist.
func TestQueueThumbnailOnTheDaemon(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the daemon and Meilisearch")
	}
	cfg := testConfig(t, needMeilisearch(t))
	d, _ := startAfterFirstCrawl(t, cfg)
	ctx := context.Background()
	base := d.httpURL
	admin := testToken(t, d.db, "root", domain.RoleAdmin, "")
	tokA := testToken(t, d.db, "owner-a", domain.RoleOwner, ownerA)
	tokB := testToken(t, d.db, "owner-b", domain.RoleOwner, ownerB)
	marksA := map[string]bool{}
	for _, id := range marksByOwner(d.marks)[ownerA] {
		marksA[id] = true
	}
	var alertA domain.Alert
	for _, a := range alertsOf(t, base, admin) {
		if marksA[a.MarkID] && a.Status == domain.AlertOpen {
			alertA = a
			break
		}
	}
	if alertA.ID == 0 {
		t.Fatal("the demo raised no open alert of owner A's marks")
	}
	img := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), []byte("六个核桃 商品图")...)
	ref, err := d.evidence.blobs.Put(ctx, bytes.NewReader(img), "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	ref.Role = domain.RoleImage
	if _, err := d.db.AppendCapture(ctx, domain.Capture{AlertID: alertA.ID, Artefacts: []domain.ArtefactRef{ref},
		Fetch: domain.Fetch{RequestURL: "https://img.example.cn/1.jpg", Status: 200, FetchedAt: time.Now()}, CapturedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	src := "/api/v1/artefacts/" + ref.SHA256

	// The console as owner A signed in (testToken's password); the page's
	// image is fetched with the same session.
	clientA, _ := signIn(t, base, "owner-a", "correct horse battery")
	code, page := call(t, clientA, "GET", base+"/?status=open&mark="+alertA.MarkID, "", nil, nil)
	if code != http.StatusOK || !strings.Contains(page, `<img class="row-thumb" src="`+src+`"`) {
		t.Errorf("owner A's queue = %d, want alert %d's thumbnail %s", code, alertA.ID, src)
	}
	if code, page = call(t, clientA, "GET", base+"/alerts/"+strconv.FormatInt(alertA.ID, 10), "", nil, nil); code != http.StatusOK || !strings.Contains(page, `class="listing-image" src="`+src+`"`) {
		t.Errorf("owner A's evidence page = %d, want the listing image", code)
	}
	for who, c := range map[string]*http.Client{"token": nil, "session": clientA} {
		tok := tokA
		if c != nil {
			tok = ""
		}
		if code, body := call(t, c, "GET", base+src, tok, nil, nil); code != http.StatusOK || body != string(img) {
			t.Errorf("owner A's image by %s = %d (%d bytes), want the kept bytes", who, code, len(body))
		}
	}
	if code, body := call(t, nil, "GET", base+src, tokB, nil, nil); code != http.StatusNotFound || strings.Contains(body, "JFIF") {
		t.Errorf("owner B asking for owner A's image = %d, want 404 and no bytes", code)
	}
	if code, _ := call(t, nil, "GET", base+src, "", nil, nil); code == http.StatusOK {
		t.Error("the image is served without credentials")
	}
}
