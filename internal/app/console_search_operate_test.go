package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// TestConsoleOperatorControlsThroughTheGuard pauses, resumes and
// reschedules the demo source from the console's forms on the running
// daemon: the forms reach the API's own routes through the guard, which
// checks the forwarded CSRF token and origin, and write the API's audit
// rows. A form from another origin changes nothing.
func TestConsoleOperatorControlsThroughTheGuard(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the daemon and Meilisearch")
	}
	cfg := testConfig(t, needMeilisearch(t))
	d, _ := startAfterFirstCrawl(t, cfg)
	base := d.httpURL
	admin := testToken(t, d.db, "root", domain.RoleAdmin, "")
	hash, err := access.HashPassword("运维-口令-2026-长一点")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.db.CreateUser(context.Background(), domain.User{Name: "yunwei", Role: domain.RoleOperator}, hash, domain.SystemActor); err != nil {
		t.Fatal(err)
	}
	client, csrf := signIn(t, base, "yunwei", "运维-口令-2026-长一点")
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	post := func(path string, form url.Values, origin string) (int, string) {
		form.Set("csrf_token", csrf)
		return call(t, client, "POST", base+path, "", strings.NewReader(form.Encode()),
			map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": origin})
	}
	paused := func() bool {
		var s struct {
			Paused bool `json:"paused"`
		}
		getJSON(t, base+"/api/v1/sources/"+demoSourceID, &s, admin)
		return s.Paused
	}
	if code, _ := post("/sources/"+demoSourceID+"/pause", url.Values{}, "https://evil.example"); code != http.StatusForbidden || paused() {
		t.Fatalf("a pause posted from another origin = %d (paused %v), want 403 and nothing changed", code, paused())
	}
	if code, body := post("/sources/"+demoSourceID+"/pause", url.Values{}, base); code != http.StatusSeeOther || !paused() {
		t.Fatalf("the operator's pause = %d %.300s (paused %v)", code, body, paused())
	}
	if code, _ := post("/sources/"+demoSourceID+"/resume", url.Values{}, base); code != http.StatusSeeOther || paused() {
		t.Fatalf("the operator's resume = %d (paused %v)", code, paused())
	}
	if code, body := post("/sources/"+demoSourceID+"/schedule", url.Values{"schedule": {"*/20 * * * *"}}, base); code != http.StatusSeeOther {
		t.Fatalf("the operator's schedule = %d %.300s", code, body)
	}
	code, page := call(t, client, "GET", base+"/sources", "", nil, nil)
	if code != 200 || !strings.Contains(page, "每 20 分钟 every 20 minutes") || !strings.Contains(page, "接下来五次 Next five runs") {
		t.Errorf("the sources page after rescheduling = %d, without the schedule in words or its next runs", code)
	}
	var audit struct {
		Entries []domain.AuditEntry `json:"entries"`
	}
	getJSON(t, base+"/api/v1/audit?limit=20", &audit, admin)
	actions := map[string]bool{}
	for _, e := range audit.Entries {
		if e.Actor.Name == "yunwei" {
			actions[e.Action] = true
		}
	}
	if len(actions) < 3 {
		t.Errorf("the console's controls wrote audit rows %v, want pause, resume and schedule by yunwei", actions)
	}
}
