package app

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestConsoleBulkReviewAsAnAttackerWouldTryIt posts the queue's bulk form
// to the running daemon's guard: without the session's CSRF token, from
// another origin, as an owner, and with an alert of a mark the owner does
// not hold; only the supervisor's own form from the console changes
// anything. The API's hit search refuses an unknown parameter there too.
func TestConsoleBulkReviewAsAnAttackerWouldTryIt(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the daemon and Meilisearch")
	}
	cfg := testConfig(t, needMeilisearch(t))
	d, _ := startAfterFirstCrawl(t, cfg)
	base := d.httpURL
	admin := testToken(t, d.db, "root", domain.RoleAdmin, "")
	open := alertsOf(t, base, admin)
	if len(open) < 2 {
		t.Fatalf("the demo raised %d alerts, want two to tick", len(open))
	}
	ids := []string{strconv.FormatInt(open[0].ID, 10), strconv.FormatInt(open[1].ID, 10)}
	var sup, owner login
	for _, l := range d.demoLogins {
		switch l.Name {
		case demoSupervisorName:
			sup = l
		case demoOwnerName:
			owner = l
		}
	}
	client, csrf := signIn(t, base, sup.Name, sup.Password)
	form := func(token string) string {
		return url.Values{"id": ids, "status": {"dismissed"}, "note": {"批量驳回 正品授权店"}, "csrf_token": {token}, "back": {"/"}}.Encode()
	}
	post := func(c *http.Client, body, origin string) int {
		code, _ := call(t, c, "POST", base+"/alerts/review", "", strings.NewReader(body),
			map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": origin})
		return code
	}
	if code := post(client, form(""), base); code != http.StatusForbidden {
		t.Errorf("bulk form without the CSRF token = %d, want 403", code)
	}
	if code := post(client, form(csrf), "https://evil.example"); code != http.StatusForbidden {
		t.Errorf("bulk form posted from another origin = %d, want 403", code)
	}
	bare := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if code := post(bare, form(csrf), base); code != http.StatusSeeOther && code != http.StatusUnauthorized && code != http.StatusForbidden {
		t.Errorf("bulk form without a session = %d, want it sent to sign in or refused", code)
	}
	if owner.Name != "" {
		oc, ocsrf := signIn(t, base, owner.Name, owner.Password)
		if code := post(oc, form(ocsrf), base); code != http.StatusForbidden {
			t.Errorf("owner's bulk form = %d, want 403 (owners do not review)", code)
		}
	}
	for _, a := range alertsOf(t, base, admin)[:2] {
		if a.Status != domain.AlertOpen {
			t.Fatalf("a refused bulk form changed alert %d to %s", a.ID, a.Status)
		}
	}
	noRedirect := *client
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if code := post(&noRedirect, form(csrf), base); code != http.StatusSeeOther {
		t.Fatalf("the supervisor's bulk form = %d, want 303 back to the queue", code)
	}
	for _, id := range ids {
		var a domain.Alert
		if code := getJSON(t, base+"/api/v1/alerts/"+id, &a, admin); code != 200 || a.Status != domain.AlertDismissed {
			t.Errorf("alert %s after the bulk dismissal: %d %s", id, code, a.Status)
		}
	}

	code, body := call(t, nil, "GET", base+"/api/v1/hits?q=%E5%85%AD%E4%B8%AA%E6%A0%B8%E6%A1%83&mrak=liugehetao", admin, nil, nil)
	if code != http.StatusBadRequest || !strings.Contains(body, "unknown query parameter mrak") {
		t.Errorf("hit search with a misspelt filter = %d %s, want 400 naming it", code, body)
	}
}
