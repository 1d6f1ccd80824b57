package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	defaults "github.com/markwatch/markwatch/config"
	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/match"
	"github.com/markwatch/markwatch/internal/registry"
	"github.com/markwatch/markwatch/internal/store"
	"github.com/markwatch/markwatch/internal/web"
)

// The console's interfaces are what the real store offers.
var (
	_ web.AlertStore           = (*store.DB)(nil)
	_ web.AlertReviewer        = (*store.DB)(nil)
	_ web.SourceLister         = (*store.DB)(nil)
	_ web.HitGetter            = (*store.DB)(nil)
	_ web.UserStore            = (*store.DB)(nil)
	_ web.TokenStore           = (*store.DB)(nil)
	_ web.AuditReader          = (*store.DB)(nil)
	_ web.SubscriptionStore    = (*store.DB)(nil)
	_ web.SubscriptionDisabler = (*store.DB)(nil)
	_ web.NotificationReader   = (*store.DB)(nil)
	_ web.SellerClaimStore     = (*store.DB)(nil)
	_ web.EvidenceReader       = (*store.DB)(nil)
	_ web.CaseStore            = (*store.DB)(nil)
	_ web.NoticeStore          = (*store.DB)(nil)
)

// asAdmin stands in for the Guard: every request is the admin's.
func asAdmin(h http.Handler) http.Handler {
	p := access.Principal{User: domain.User{ID: 1, Name: "admin", Role: domain.RoleAdmin}, Via: access.ViaSession, CSRFToken: "t"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(access.WithPrincipal(r.Context(), p)))
	})
}

// TestConsoleOverTheRealStore runs the registry, matcher and SQLite store the
// daemon runs, and checks that the spans the matcher writes highlight the
// right characters of a stored Chinese title and that a review sticks.
func TestConsoleOverTheRealStore(t *testing.T) {
	ctx := context.Background()
	marks, err := registry.LoadFS(defaults.FS, "marks/hebei.yaml", "config/marks/hebei.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := match.New(marks, match.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "markwatch.db"), store.Options{
		Now: func() time.Time { return time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	l := domain.Listing{SourceID: "demo", Platform: "demo", Title: "【特价】六個核桃 核桃乳 240ml*12罐 整箱",
		Price: 45, Seller: "某某食品专营店", Location: "山东 临沂", URL: "https://item.example.cn/9.html"}
	ms := m.Match(l)
	if len(ms) == 0 || !ms[0].Alert || ms[0].MarkID != "liugehetao" {
		t.Fatalf("matcher did not alert on %q: %+v", l.Title, ms)
	}
	if _, err := db.SaveListing(ctx, l, ms); err != nil {
		t.Fatal(err)
	}

	srv := httptest.NewServer(asAdmin(web.New(web.Deps{Alerts: db, Reviews: db, Audit: db, Marks: marks, Sources: db}, zaptest.NewLogger(t))))
	t.Cleanup(srv.Close)
	body := fetch(t, srv.URL+"/")
	// The matcher points at the whole name (runes 4–8), past the
	// multi-byte 【特价】 prefix.
	if !strings.Contains(body, "【特价】<mark title=\"繁体/异体: 個→个\">六個核桃</mark>") {
		t.Errorf("stored alert not highlighted on 六個核桃:\n%s", body)
	}
	alerts, _, err := db.ListAlerts(ctx, domain.AlertFilter{})
	if err != nil || len(alerts) != 1 {
		t.Fatalf("alerts %v, %v", alerts, err)
	}
	id := alerts[0].ID

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("POST", srv.URL+"/alerts/"+itoa(id)+"/status", strings.NewReader(url.Values{"status": {"confirmed"}, "note": {"临沂市场监管局已立案"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 {
		t.Fatalf("review answered %d", resp.StatusCode)
	}
	got, err := db.GetAlert(ctx, id)
	if err != nil || got.Status != domain.AlertConfirmed {
		t.Errorf("stored status %q, %v; want confirmed", got.Status, err)
	}
	ev := fetch(t, srv.URL+"/alerts/"+itoa(id))
	for _, want := range []string{"已确认侵权", "河北养元智汇饮品股份有限公司", "第32类", "「六個核桃」", "第5–8字"} {
		if !strings.Contains(ev, want) {
			t.Errorf("evidence page lacks %q", want)
		}
	}
	if src := fetch(t, srv.URL+"/sources"); !strings.Contains(src, "<td>demo</td>") {
		t.Errorf("sources page lacks the demo source:\n%s", src)
	}
	// The review went through ReviewAlert: its audit row names the admin
	// and keeps the note.
	audit := fetch(t, srv.URL+"/audit")
	for _, want := range []string{"alert.review", "alert:" + itoa(id), "admin", "临沂市场监管局已立案", "confirmed"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit page lacks %q:\n%s", want, audit)
		}
	}
}

func fetch(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d\n%s", u, resp.StatusCode, b)
	}
	return string(b)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
