package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestListAlerts(t *testing.T) {
	tests := []struct {
		name      string
		query     string
		wantIDs   []int64
		wantTotal int
		wantLimit int
	}{
		{"all", "", []int64{1, 2, 3, 4}, 4, defaultLimit},
		{"by mark", "?mark=liugehetao", []int64{1, 3}, 2, defaultLimit},
		{"by status", "?status=confirmed", []int64{2}, 1, defaultLimit},
		{"by mark and status", "?mark=hengshui-laobaigan&status=open", []int64{4}, 1, defaultLimit},
		{"page", "?mark=liugehetao&limit=1&offset=1", []int64{3}, 2, 1},
		{"nothing", "?mark=lulu", []int64{}, 0, defaultLimit},
	}
	h := newHarness(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct {
				Alerts []domain.Alert `json:"alerts"`
				Total  int            `json:"total"`
				Limit  int            `json:"limit"`
			}
			resp := h.get(t, "/api/v1/alerts"+tt.query, &got)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if got.Alerts == nil {
				t.Error(`"alerts" is null, want a list`)
			}
			ids := []int64{}
			for _, a := range got.Alerts {
				ids = append(ids, a.ID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(tt.wantIDs) || got.Total != tt.wantTotal || got.Limit != tt.wantLimit {
				t.Errorf("got ids %v total %d limit %d, want %v %d %d", ids, got.Total, got.Limit, tt.wantIDs, tt.wantTotal, tt.wantLimit)
			}
		})
	}
}

func TestAlertJSONKeepsChinese(t *testing.T) {
	h := newHarness(t, nil)
	resp := h.send(t, tokAdmin, "GET", "/api/v1/alerts/1", "")
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	for _, want := range []string{`"title":"六個核桃 核桃乳 240ml*12罐 整箱"`, `"text":"繁体: 個→个"`, `"mark_id":"liugehetao"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("body lacks %s:\n%s", want, body)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name       string
		path       string
		storeErr   error
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{"unknown alert", "/api/v1/alerts/42", nil, 404, "not_found", "alert 42 does not exist"},
		{"bad alert id", "/api/v1/alerts/abc", nil, 400, "invalid", `alert id "abc"`},
		{"bad status", "/api/v1/alerts?status=待处理", nil, 400, "invalid", `status="待处理": must be open, confirmed or dismissed`},
		{"bad mark", "/api/v1/alerts?mark=六个核桃", nil, 400, "invalid", `mark="六个核桃"`},
		{"bad limit", "/api/v1/alerts?limit=0", nil, 400, "invalid", "limit=\"0\": must be a whole number from 1 to 500"},
		{"huge limit", "/api/v1/hits?q=核桃&limit=100000", nil, 400, "invalid", "limit="},
		{"negative offset", "/api/v1/alerts?offset=-1", nil, 400, "invalid", "offset="},
		{"bad alert flag", "/api/v1/hits?q=核桃&alert=是", nil, 400, "invalid", `alert="是": must be true or false`},
		{"conflict", "/api/v1/alerts", domain.Errorf(domain.ECONFLICT, "alert changed meanwhile"), 409, "conflict", "alert changed meanwhile"},
		{"store down", "/api/v1/alerts", fmt.Errorf("querying: %w", domain.Errorf(domain.EUNAVAILABLE, "database is locked")), 503, "unavailable", "database is locked"},
		{"internal", "/api/v1/alerts", errors.New("sql: no such table: alerts at /var/lib/markwatch/markwatch.db"), 500, "internal", "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.store.alertErr = tt.storeErr
			var got errResp
			u, _ := url.Parse(tt.path)
			u.RawQuery = u.Query().Encode() // send Chinese percent-encoded, as browsers do
			resp := h.get(t, u.String(), &got)
			if resp.StatusCode != tt.wantStatus || got.Error.Code != tt.wantCode || !strings.Contains(got.Error.Message, tt.wantMsg) {
				t.Errorf("got %d %+v, want %d %s containing %q", resp.StatusCode, got.Error, tt.wantStatus, tt.wantCode, tt.wantMsg)
			}
			if strings.Contains(got.Error.Message, "/var/lib") {
				t.Errorf("internal detail leaked: %q", got.Error.Message)
			}
		})
	}
}

func TestInternalErrorLoggedOnce(t *testing.T) {
	h := newHarness(t, nil)
	h.store.alertErr = errors.New("sql: database disk image is malformed")
	h.get(t, "/api/v1/alerts?mark=liugehetao", nil)
	entries := h.logs.FilterMessage("http request").All()
	if len(entries) != 1 {
		t.Fatalf("%d request log lines, want 1", len(entries))
	}
	e := entries[0]
	ctx := e.ContextMap()
	if e.Level != zapcore.ErrorLevel || ctx["status"] != int64(500) || !strings.Contains(fmt.Sprint(ctx["error"]), "malformed") ||
		ctx["path"] != "/api/v1/alerts" || ctx["method"] != "GET" {
		t.Errorf("log line = %v %v", e.Level, ctx)
	}
	if h.logs.Len() != 1 {
		t.Errorf("%d log lines in all, want the error logged once", h.logs.Len())
	}
}

func TestSearchHits(t *testing.T) {
	h := newHarness(t, nil)
	var got struct {
		Hits  []domain.Hit `json:"hits"`
		Total int          `json:"total"`
	}
	path := "/api/v1/hits?" + url.Values{"q": {"核桃"}, "alert": {"true"}, "limit": {"10"}, "offset": {"0"}}.Encode()
	if !strings.Contains(path, "q=%E6%A0%B8%E6%A1%83") {
		t.Fatalf("query not percent-encoded: %s", path)
	}
	resp := h.get(t, path, &got)
	if resp.StatusCode != 200 || got.Total != 1 || len(got.Hits) != 1 || got.Hits[0].Title != "六介核桃 植物蛋白饮料" {
		t.Fatalf("got %d %+v", resp.StatusCode, got)
	}
	if h.hits.q != "核桃" || !reflect.DeepEqual(h.hits.query, HitQuery{AlertOnly: true, Limit: 10, Facets: true}) || h.hits.scope.Restricted {
		t.Errorf("searcher got q=%q %+v %+v", h.hits.q, h.hits.query, h.hits.scope)
	}

	resp = h.get(t, "/api/v1/hits?"+url.Values{"q": {"核桃"}, "mark": {"shexian-hetao"}}.Encode(), &got)
	if resp.StatusCode != 200 || got.Total != 1 || got.Hits[0].MarkID != "shexian-hetao" {
		t.Errorf("by mark: %d %+v", resp.StatusCode, got)
	}
	resp = h.get(t, "/api/v1/hits?"+url.Values{"q": {"今麦郎"}}.Encode(), &got)
	if resp.StatusCode != 200 || got.Hits == nil || len(got.Hits) != 0 {
		t.Errorf("no match: %d %+v, want 200 and an empty list", resp.StatusCode, got)
	}
}

func TestSearchUnavailable(t *testing.T) {
	tests := []struct {
		name string
		deps func(*Deps)
		err  error
	}{
		{"no searcher", func(d *Deps) { d.Hits = nil }, nil},
		{"index down", nil, fmt.Errorf("searching meilisearch: %w", domain.Errorf(domain.EUNAVAILABLE, "meilisearch does not answer"))},
		{"uncoded failure", nil, errors.New("dial tcp 127.0.0.1:7700: connect: connection refused")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.deps)
			h.hits.err = tt.err
			var got errResp
			resp := h.get(t, "/api/v1/hits?q=%E6%A0%B8%E6%A1%83", &got)
			if resp.StatusCode != 503 || got.Error.Code != "unavailable" || resp.Header.Get("Retry-After") == "" {
				t.Errorf("got %d %+v", resp.StatusCode, got)
			}
			if strings.Contains(got.Error.Message, "127.0.0.1") {
				t.Errorf("internal address leaked: %q", got.Error.Message)
			}
			// Alerts still work while search is down.
			if resp := h.get(t, "/api/v1/alerts", nil); resp.StatusCode != 200 {
				t.Errorf("alerts answered %d while search was down", resp.StatusCode)
			}
		})
	}
}

func TestHealthAndMetrics(t *testing.T) {
	h := newHarness(t, nil)
	var health map[string]string
	if resp := h.get(t, "/healthz", &health); resp.StatusCode != 200 || health["status"] != "ok" {
		t.Errorf("healthz: %d %v", resp.StatusCode, health)
	}
	resp := h.send(t, tokOperator, "GET", "/metrics", "")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "markwatch_up 1\n" {
		t.Errorf("metrics: %d %q", resp.StatusCode, body)
	}
	// Probes are logged at debug so they do not drown the API's lines.
	for _, e := range h.logs.FilterMessage("http request").All() {
		if e.Level != zapcore.DebugLevel {
			t.Errorf("probe %v logged at %v", e.ContextMap()["path"], e.Level)
		}
	}
}

func TestReadyz(t *testing.T) {
	ok := func(context.Context) error { return nil }
	down := func(context.Context) error { return errors.New("dial tcp 127.0.0.1:7700: connection refused") }
	slow := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	late := func(ctx context.Context) error { <-ctx.Done(); return nil } // ignores the deadline's meaning
	tests := []struct {
		name       string
		checks     []Check
		wantStatus int
		wantFailed []string
	}{
		{"all pass", []Check{{"store", ok}, {"index", ok}}, 200, nil},
		{"no checks", nil, 200, nil},
		{"index down", []Check{{"store", ok}, {"index", down}}, 503, []string{"index"}},
		{"slow store", []Check{{"store", slow}, {"index", ok}}, 503, []string{"store"}},
		{"late answer", []Check{{"store", late}}, 503, []string{"store"}},
		{"panicking check", []Check{{"index", func(context.Context) error { panic("nil client") }}}, 503, []string{"index"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(d *Deps) { d.Checks = tt.checks; d.ReadyTimeout = 50 * time.Millisecond })
			var got readiness
			resp := h.get(t, "/readyz", &got)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %+v", resp.StatusCode, tt.wantStatus, got)
			}
			for _, name := range tt.wantFailed {
				if got.Checks[name] != "failed" || got.Error == nil || got.Error.Code != "unavailable" || !strings.Contains(got.Error.Message, name) {
					t.Errorf("check %s not reported as failing: %+v %+v", name, got, got.Error)
				}
			}
			if tt.wantFailed == nil && (got.Status != "ready" || got.Error != nil) {
				t.Errorf("got %+v", got)
			}
			if tt.wantFailed != nil {
				entries := h.logs.FilterMessage("http request").All()
				if len(entries) != 1 || entries[0].Level != zapcore.WarnLevel || entries[0].ContextMap()["error"] == nil {
					t.Errorf("a failing probe should be logged once at warn with the reason: %v", entries)
				}
			}
		})
	}
}

type panickyStore struct{ *memStore }

func (*panickyStore) QueryAlerts(context.Context, domain.AlertFilter) ([]domain.Alert, int, error) {
	panic("assignment to entry in nil map") // what a real store bug would raise
}

func TestPanicRecovered(t *testing.T) {
	h := newHarness(t, func(d *Deps) { d.Alerts = &panickyStore{newMemStore()} })
	var got errResp
	resp := h.get(t, "/api/v1/alerts", &got)
	if resp.StatusCode != 500 || got.Error.Code != "internal" || strings.Contains(got.Error.Message, "nil map") {
		t.Errorf("got %d %+v", resp.StatusCode, got)
	}
	entries := h.logs.All()
	if len(entries) != 1 || entries[0].Level != zapcore.ErrorLevel || !strings.Contains(fmt.Sprint(entries[0].ContextMap()["error"]), "nil map") ||
		!strings.Contains(fmt.Sprint(entries[0].ContextMap()["stack"]), "QueryAlerts") {
		t.Errorf("panic not logged once with its stack: %v", entries)
	}
	// The server keeps serving.
	if resp := h.get(t, "/healthz", nil); resp.StatusCode != 200 {
		t.Errorf("healthz after panic: %d", resp.StatusCode)
	}
}
