package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/markwatch/markwatch/internal/domain"
)

// Owners of two different marks in the embedded registry.
const (
	ownerA = "河北养元智汇饮品股份有限公司"  // 六个核桃
	ownerB = "河北衡水老白干酒业股份有限公司" // 衡水老白干
)

// call sends a request with an optional bearer token and returns the status
// and body.
func call(t *testing.T, c *http.Client, method, u, token string, body io.Reader, hdr map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func alertsOf(t *testing.T, base, token string) []domain.Alert {
	t.Helper()
	code, body := call(t, nil, "GET", base+"/api/v1/alerts?limit=500", token, nil, nil)
	if code != 200 {
		t.Fatalf("GET /api/v1/alerts: %d %s", code, body)
	}
	var got struct {
		Alerts []domain.Alert `json:"alerts"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	return got.Alerts
}

// signIn logs a browser in through the console's login form and returns
// its client (with the session cookie) and the CSRF token its pages carry.
func signIn(t *testing.T, base, name, password string) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	form := url.Values{"name": {name}, "password": {password}, "next": {"/"}}
	code, body := call(t, c, "POST", base+"/login", "", strings.NewReader(form.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": base})
	if code != 200 {
		t.Fatalf("signing in as %s: %d %.300s", name, code, body)
	}
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("signed-in page of %s carries no CSRF token: %.500s", name, body)
	}
	return c, m[1]
}

// TestAccessEndToEnd is identity and access on the running daemon, tried as
// an attacker would: owner A must see and change nothing of owner B's marks
// over the API, search, console and CLI; no credentials, a forged Host, a
// cross-origin form or a missing CSRF token change nothing; and no password
// or token reaches a log line.
func TestAccessEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the daemon and Meilisearch")
	}
	cfg := testConfig(t, needMeilisearch(t))
	core, logs := observer.New(zapcore.DebugLevel)
	runs := make(chan domain.CrawlRun, 4)
	d, err := startDaemon(context.Background(), cfg, zap.New(core), func(r domain.CrawlRun) { runs <- r })
	if err != nil {
		t.Fatal(err)
	}
	defer d.stop(context.Background())
	select {
	case <-runs:
	case <-time.After(60 * time.Second):
		t.Fatal("no crawl within 60s")
	}
	if err := d.indexer.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	base := d.httpURL
	admin := testToken(t, d.db, "root", domain.RoleAdmin, "")
	tokA := testToken(t, d.db, "owner-a", domain.RoleOwner, ownerA)
	tokB := testToken(t, d.db, "owner-b", domain.RoleOwner, ownerB)
	marksA := map[string]bool{}
	for _, id := range marksByOwner(d.marks)[ownerA] {
		marksA[id] = true
	}

	all := alertsOf(t, base, admin)
	var alertA, alertB domain.Alert
	for _, a := range all {
		if marksA[a.MarkID] && alertA.ID == 0 {
			alertA = a
		}
		if !marksA[a.MarkID] && a.MarkID == "hengshui-laobaigan" && alertB.ID == 0 {
			alertB = a
		}
	}
	if alertA.ID == 0 || alertB.ID == 0 {
		t.Fatalf("demo crawl raised no alert on each owner's marks (A %d, B %d) among %d", alertA.ID, alertB.ID, len(all))
	}

	t.Run("no credentials", func(t *testing.T) {
		for _, p := range []string{"/api/v1/alerts", "/api/v1/alerts/1", "/api/v1/hits?q=x", "/api/v1/sources", "/api/v1/audit", "/api/v1/users", "/metrics"} {
			if code, _ := call(t, nil, "GET", base+p, "", nil, nil); code != 401 {
				t.Errorf("GET %s without credentials: %d, want 401", p, code)
			}
		}
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		code, _ := call(t, noRedirect, "GET", base+fmt.Sprintf("/alerts/%d", alertA.ID), "", nil, nil)
		if code != http.StatusSeeOther {
			t.Errorf("console without session: %d, want 303 to the login page", code)
		}
		if code, _ := call(t, nil, "GET", base+"/healthz", "", nil, nil); code != 200 {
			t.Errorf("/healthz must stay public: %d", code)
		}
	})

	t.Run("owner A over the API", func(t *testing.T) {
		got := alertsOf(t, base, tokA)
		if len(got) == 0 {
			t.Fatal("owner A sees none of its own alerts")
		}
		for _, a := range got {
			if !marksA[a.MarkID] {
				t.Errorf("owner A sees alert %d on %s", a.ID, a.MarkID)
			}
		}
		_, missing := call(t, nil, "GET", base+"/api/v1/alerts/99999999", tokA, nil, nil)
		code, body := call(t, nil, "GET", fmt.Sprintf("%s/api/v1/alerts/%d", base, alertB.ID), tokA, nil, nil)
		if code != 404 || strings.Contains(body, alertB.Title) {
			t.Errorf("owner A reading B's alert: %d %s", code, body)
		}
		if strings.ReplaceAll(body, fmt.Sprint(alertB.ID), "N") != strings.ReplaceAll(missing, "99999999", "N") {
			t.Errorf("B's alert answers differently from a missing one:\n%s\n%s", body, missing)
		}
		code, _ = call(t, nil, "PATCH", fmt.Sprintf("%s/api/v1/alerts/%d", base, alertB.ID), tokA,
			strings.NewReader(`{"status":"dismissed"}`), map[string]string{"Content-Type": "application/json"})
		if code != 403 && code != 404 {
			t.Errorf("owner A reviewing B's alert: %d", code)
		}
		for _, a := range alertsOf(t, base, tokB) {
			if marksA[a.MarkID] {
				t.Errorf("owner B sees A's alert %d", a.ID)
			}
		}
	})

	t.Run("search", func(t *testing.T) {
		for _, q := range []string{"", "核桃", "老白干"} {
			code, body := call(t, nil, "GET", base+"/api/v1/hits?limit=200&q="+url.QueryEscape(q), tokA, nil, nil)
			if code != 200 {
				t.Fatalf("search %q as A: %d %s", q, code, body)
			}
			var res struct{ Hits []domain.Hit }
			if err := json.Unmarshal([]byte(body), &res); err != nil {
				t.Fatal(err)
			}
			for _, h := range res.Hits {
				if !marksA[h.MarkID] {
					t.Errorf("search %q as owner A found hit %d on %s", q, h.ID, h.MarkID)
				}
			}
			code, body = call(t, nil, "GET", base+"/api/v1/hits?mark=hengshui-laobaigan&q="+url.QueryEscape(q), tokA, nil, nil)
			if code == 200 && strings.Contains(body, `"mark_id":"hengshui-laobaigan"`) {
				t.Errorf("owner A asking for B's mark found its hits: %.200s", body)
			}
		}
	})

	sup := d.demoLogins[0]
	if sup.Name != demoSupervisorName {
		t.Fatalf("demo logins %+v, want the supervisor first", d.demoLogins)
	}
	supClient, supCSRF := signIn(t, base, sup.Name, sup.Password)
	review := func(c *http.Client, id int64, csrf string, hdr map[string]string) int {
		form := url.Values{"status": {"confirmed"}, "note": {"已核实 假冒"}}
		if csrf != "" {
			form.Set("csrf_token", csrf)
		}
		h := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": base}
		for k, v := range hdr {
			h[k] = v
		}
		noRedirect := *c
		noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		code, _ := call(t, &noRedirect, "POST", fmt.Sprintf("%s/alerts/%d/status", base, id), "", strings.NewReader(form.Encode()), h)
		return code
	}
	status := func(id int64) domain.AlertStatus {
		a, err := d.db.GetAlert(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return a.Status
	}

	t.Run("console attacks change nothing", func(t *testing.T) {
		if code := review(supClient, alertA.ID, "", nil); code != 403 {
			t.Errorf("review without CSRF token: %d, want 403", code)
		}
		if code := review(supClient, alertA.ID, supCSRF, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}); code != 403 {
			t.Errorf("cross-origin review with a valid token: %d, want 403", code)
		}
		if code := review(supClient, alertA.ID, supCSRF, map[string]string{"Host": "rebind.evil.example:8080"}); code != 421 {
			t.Errorf("forged Host: %d, want 421", code)
		}
		if code := review(&http.Client{}, alertA.ID, supCSRF, nil); code != 303 && code != 401 && code != 403 {
			t.Errorf("cross-origin form without credentials: %d", code)
		}
		if s := status(alertA.ID); s != domain.AlertOpen {
			t.Fatalf("a refused request changed alert %d to %s", alertA.ID, s)
		}
		if code := review(supClient, alertA.ID, supCSRF, nil); code != 303 {
			t.Fatalf("the supervisor's own review: %d, want 303", code)
		}
		if s := status(alertA.ID); s != domain.AlertConfirmed {
			t.Fatalf("review did not take: %s", s)
		}
		if code := review(supClient, alertB.ID, supCSRF, nil); code != 303 {
			t.Fatalf("review of B's alert: %d", code)
		}
	})

	t.Run("owner A in the console", func(t *testing.T) {
		var ownerLogin login
		for _, l := range d.demoLogins {
			if l.Name == demoOwnerName {
				ownerLogin = l
			}
		}
		c, _ := signIn(t, base, ownerLogin.Name, ownerLogin.Password)
		code, page := call(t, c, "GET", base+"/?status=", "", nil, nil)
		if code != 200 || strings.Contains(page, alertB.Title) {
			t.Errorf("owner's queue: %d; shows B's alert %q: %v", code, alertB.Title, strings.Contains(page, alertB.Title))
		}
		if code, page := call(t, c, "GET", fmt.Sprintf("%s/alerts/%d", base, alertB.ID), "", nil, nil); code != 404 || strings.Contains(page, alertB.Seller) && alertB.Seller != "" {
			t.Errorf("owner's evidence page of B's alert: %d", code)
		}
	})

	t.Run("CLI audit list", func(t *testing.T) {
		run := func(token string) (int, string) {
			c := &sourcesCLI{api: base, token: token}
			var out, errOut strings.Builder
			env := Env{Stdout: &out, Stderr: &errOut, Getenv: func(k string) (string, bool) {
				if k == "MARKWATCH_TOKEN" {
					return c.token, true
				}
				return "", false
			}}
			code := Main(context.Background(), []string{"audit", "list", "--json", "--api", base}, env)
			return code, out.String() + errOut.String()
		}
		code, out := run(tokA)
		if code != 0 || !strings.Contains(out, fmt.Sprintf(`"object":"alert:%d"`, alertA.ID)) {
			t.Errorf("owner A's audit list lacks its alert's review: %d %.400s", code, out)
		}
		if strings.Contains(out, fmt.Sprintf(`"object":"alert:%d"`, alertB.ID)) || strings.Contains(out, "user.add") {
			t.Errorf("owner A's audit list shows others' changes: %.600s", out)
		}
		code, out = run(admin)
		if code != 0 || !strings.Contains(out, fmt.Sprintf(`"object":"alert:%d"`, alertB.ID)) || !strings.Contains(out, "已核实 假冒") {
			t.Errorf("admin's audit list lacks B's review and its note: %d %.400s", code, out)
		}
	})

	// Nothing secret in any log line: passwords, tokens, their hashes.
	secrets := []string{admin, tokA, tokB, sup.Password}
	for _, l := range d.demoLogins {
		secrets = append(secrets, l.Password)
	}
	for _, e := range logs.All() {
		line := e.Message + fmt.Sprint(e.ContextMap())
		for _, s := range secrets {
			if strings.Contains(line, s) {
				t.Fatalf("a secret reached the log: %s", line)
			}
		}
	}
}

// TestAcceptedSellerJoinsTheAllowList: an owner says a shop is authorised;
// until a supervisor accepts, the shop's look-alike listings still alert;
// once accepted, the daemon's matcher treats the shop as authorised. An
// owner cannot accept its own claim.
func TestAcceptedSellerJoinsTheAllowList(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the daemon and Meilisearch")
	}
	cfg := testConfig(t, needMeilisearch(t))
	cfg.Crawl.RunOnStart = false
	d, err := startDaemon(context.Background(), cfg, zap.NewNop(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.stop(context.Background())
	owner := testToken(t, d.db, "owner-a", domain.RoleOwner, ownerA)
	sup := testToken(t, d.db, "wang", domain.RoleSupervisor, "")
	const shop = "衡水某某副食批发部"
	listing := domain.Listing{Title: "六个核挑 核桃乳 240ml*20罐 整箱", Seller: shop, Location: "河北 衡水", SourceID: "demo"}
	alerts := func() bool {
		for _, m := range d.matcher.Match(listing) {
			if m.MarkID == "liugehetao" && m.Alert {
				return true
			}
		}
		return false
	}
	if !alerts() {
		t.Fatal("the unknown shop's listing should alert before any claim")
	}
	json := map[string]string{"Content-Type": "application/json"}
	code, body := call(t, nil, "POST", d.httpURL+"/api/v1/seller-claims", owner,
		strings.NewReader(`{"mark_id":"liugehetao","seller":"`+shop+`","note":"2026年授权经销商"}`), json)
	if code != 201 && code != 200 {
		t.Fatalf("owner's claim: %d %s", code, body)
	}
	var claim domain.SellerClaim
	if err := jsonDecode(body, &claim); err != nil || claim.ID == 0 {
		t.Fatalf("claim answer %s: %v", body, err)
	}
	if !alerts() {
		t.Fatal("a claim nobody accepted already changed the matcher")
	}
	accept := fmt.Sprintf("%s/api/v1/seller-claims/%d/accept", d.httpURL, claim.ID)
	if code, _ := call(t, nil, "POST", accept, owner, nil, nil); code != 403 {
		t.Fatalf("owner accepting its own claim: %d, want 403", code)
	}
	if code, body := call(t, nil, "POST", accept, sup, nil, nil); code != 200 {
		t.Fatalf("supervisor accepting: %d %s", code, body)
	}
	if alerts() {
		t.Fatal("an accepted seller's listing still alerts")
	}
}

func jsonDecode(s string, v any) error { return json.Unmarshal([]byte(s), v) }
