package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// fakeSources keeps sources in memory and refuses the specs a cron parser
// would, the way the daemon's controller does.
type fakeSources struct {
	mu      sync.Mutex
	sources map[string]*SourceStatus
	runs    map[string][]domain.CrawlRun
	limit   int   // last limit asked of Runs
	err     error // answered by every call when set
}

var (
	runStart = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	runEnd   = runStart.Add(90 * time.Second)
	runNext  = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
)

func newFakeSources() *fakeSources {
	finished := domain.CrawlRun{ID: 7, SourceID: "jd", Status: domain.RunFailed, StartedAt: runStart, FinishedAt: &runEnd,
		Pages: 4, Listings: 120, Hits: 9, Alerts: 2, Errors: map[string]int{"http_429": 3}, EndReason: "too many 429 answers"}
	running := domain.CrawlRun{ID: 8, SourceID: "jd", Status: domain.RunRunning, StartedAt: runEnd}
	return &fakeSources{
		sources: map[string]*SourceStatus{
			"demo": {SourceState: domain.SourceState{ID: "demo", Schedule: "@every 10m", NextRunAt: &runNext}},
			"jd": {SourceState: domain.SourceState{ID: "jd", Schedule: "0 */2 * * *", LastRunAt: &runStart, ConsecutiveErrors: 1},
				LastRun: &finished},
		},
		runs: map[string][]domain.CrawlRun{"jd": {running, finished}},
	}
}

func (f *fakeSources) find(id string) (*SourceStatus, error) {
	if f.err != nil {
		return nil, f.err
	}
	s, ok := f.sources[id]
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "source %q is not configured", id)
	}
	return s, nil
}

func (f *fakeSources) ListSources(context.Context) ([]SourceStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	var out []SourceStatus
	for _, id := range []string{"demo", "jd"} {
		out = append(out, *f.sources[id])
	}
	return out, nil
}

func (f *fakeSources) GetSource(_ context.Context, id string) (SourceStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.find(id)
	if err != nil {
		return SourceStatus{}, err
	}
	return *s, nil
}

func (f *fakeSources) SetSchedule(_ context.Context, id, spec string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.find(id)
	if err != nil {
		return err
	}
	if strings.Contains(spec, "99") || strings.Contains(spec, "每") {
		return domain.Errorf(domain.EINVALID, "schedule %q is not a valid cron spec (want 5 fields)", spec)
	}
	s.Schedule = spec
	return nil
}

func (f *fakeSources) Pause(_ context.Context, id string) error { return f.setPaused(id, true) }

func (f *fakeSources) Resume(_ context.Context, id string) error { return f.setPaused(id, false) }

func (f *fakeSources) setPaused(id string, paused bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.find(id)
	if err != nil {
		return err
	}
	s.Paused = paused
	return nil
}

func (f *fakeSources) Trigger(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.find(id)
	if err != nil {
		return err
	}
	if s.Running {
		return domain.Errorf(domain.ECONFLICT, "source %q is already running", id)
	}
	s.Running = true
	return nil
}

func (f *fakeSources) Runs(_ context.Context, id string, limit int) ([]domain.CrawlRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.find(id); err != nil {
		return nil, err
	}
	f.limit = limit
	runs := f.runs[id]
	return runs[:min(limit, len(runs))], nil
}

// do sends a request as the operator and decodes the JSON answer into out
// (if non-nil).
func (h *harness) doJSON(t *testing.T, method, path, body string, out any) *http.Response {
	t.Helper()
	resp := h.send(t, tokOperator, method, path, body)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: Content-Type %q, want JSON", method, path, ct)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decoding %q: %v", method, path, raw, err)
		}
	}
	return resp
}

func TestListSources(t *testing.T) {
	h := newHarness(t, nil)
	var got struct {
		Sources []map[string]any `json:"sources"`
	}
	resp := h.doJSON(t, "GET", "/api/v1/sources", "", &got)
	if resp.StatusCode != 200 || len(got.Sources) != 2 {
		t.Fatalf("got %d %v", resp.StatusCode, got)
	}
	demo, jd := got.Sources[0], got.Sources[1]
	if demo["id"] != "demo" || demo["next_run"] != "2026-11-25T09:00:00Z" || demo["last_run"] != nil || demo["last_result"] != nil {
		t.Errorf("demo = %v", demo)
	}
	for _, key := range []string{"schedule", "paused", "running", "next_run", "last_run", "consecutive_errors", "backoff_until", "last_result"} {
		if _, ok := demo[key]; !ok {
			t.Errorf("key %q missing from %v", key, demo)
		}
	}
	last, _ := jd["last_result"].(map[string]any)
	if jd["consecutive_errors"] != 1.0 || last == nil || last["status"] != "failed" || last["duration_seconds"] != 90.0 ||
		last["end_reason"] != "too many 429 answers" || fmt.Sprint(last["errors"]) != "map[http_429:3]" || last["pages"] != 4.0 {
		t.Errorf("jd = %v", jd)
	}
}

// TestSourceBackoffUntil: a source held back after repeated failures says
// until when; one that is not says null.
func TestSourceBackoffUntil(t *testing.T) {
	h := newHarness(t, nil)
	until := runStart.Add(15 * time.Minute)
	jd := h.sources.sources["jd"]
	jd.ConsecutiveErrors, jd.BackoffUntil = 3, &until
	for _, tt := range []struct {
		id   string
		want any
	}{{"jd", "2026-11-25T08:15:00Z"}, {"demo", nil}} {
		var got map[string]any
		resp := h.doJSON(t, "GET", "/api/v1/sources/"+tt.id, "", &got)
		if v, ok := got["backoff_until"]; resp.StatusCode != 200 || !ok || v != tt.want {
			t.Errorf("%s: %d backoff_until %v (present %v), want %v", tt.id, resp.StatusCode, v, ok, tt.want)
		}
	}
}

func TestSourceRoutes(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		check      func(t *testing.T, got map[string]any)
	}{
		{"get", "GET", "/api/v1/sources/jd", "", 200, func(t *testing.T, got map[string]any) {
			if got["id"] != "jd" || got["schedule"] != "0 */2 * * *" {
				t.Errorf("got %v", got)
			}
		}},
		{"set schedule", "PUT", "/api/v1/sources/demo/schedule", `{"schedule":" */5 * * * * "}`, 200, func(t *testing.T, got map[string]any) {
			if got["schedule"] != "*/5 * * * *" {
				t.Errorf("schedule = %v, want the new one, trimmed", got["schedule"])
			}
		}},
		{"six fields", "PUT", "/api/v1/sources/demo/schedule", `{"schedule":"30 0 8 * * *"}`, 200, nil},
		{"pause", "POST", "/api/v1/sources/jd/pause", "", 200, func(t *testing.T, got map[string]any) {
			if got["paused"] != true {
				t.Errorf("paused = %v", got["paused"])
			}
		}},
		{"run now", "POST", "/api/v1/sources/demo/run", "", 202, func(t *testing.T, got map[string]any) {
			if got["running"] != true {
				t.Errorf("running = %v", got["running"])
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			var got map[string]any
			resp := h.doJSON(t, tt.method, tt.path, tt.body, &got)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %v", resp.StatusCode, tt.wantStatus, got)
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

func TestPauseThenResume(t *testing.T) {
	h := newHarness(t, nil)
	var got map[string]any
	h.doJSON(t, "POST", "/api/v1/sources/demo/pause", "", &got)
	if got["paused"] != true {
		t.Fatalf("after pause: %v", got)
	}
	h.doJSON(t, "POST", "/api/v1/sources/demo/resume", "", &got)
	if got["paused"] != false {
		t.Fatalf("after resume: %v", got)
	}
}

func TestSourceErrors(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		callErr    error
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{"unknown source", "GET", "/api/v1/sources/jingdong", "", nil, 404, "not_found", `source "jingdong" is not configured`},
		{"invalid spec", "PUT", "/api/v1/sources/jd/schedule", `{"schedule":"0 99 * * *"}`, nil, 400, "invalid", `schedule "0 99 * * *" is not a valid cron spec`},
		{"chinese spec", "PUT", "/api/v1/sources/jd/schedule", `{"schedule":"每小时"}`, nil, 400, "invalid", "not a valid cron spec"},
		{"empty body", "PUT", "/api/v1/sources/jd/schedule", "", nil, 400, "invalid", "request body is empty"},
		{"not JSON", "PUT", "/api/v1/sources/jd/schedule", "*/5 * * * *", nil, 400, "invalid", `must be JSON like {"schedule":`},
		{"misspelt field", "PUT", "/api/v1/sources/jd/schedule", `{"cron":"@hourly"}`, nil, 400, "invalid", `unknown field "cron"`},
		{"no schedule", "PUT", "/api/v1/sources/jd/schedule", `{}`, nil, 400, "invalid", "has no schedule"},
		{"blank schedule", "PUT", "/api/v1/sources/jd/schedule", `{"schedule":"  "}`, nil, 400, "invalid", "has no schedule"},
		{"two values", "PUT", "/api/v1/sources/jd/schedule", `{"schedule":"@hourly"} {"schedule":"@daily"}`, nil, 400, "invalid", "more than one JSON value"},
		{"huge body", "PUT", "/api/v1/sources/jd/schedule", `{"schedule":"` + strings.Repeat("*", maxScheduleBody) + `"}`, nil, 400, "invalid", "over 4096 bytes"},
		{"pause unknown", "POST", "/api/v1/sources/jingdong/pause", "", nil, 404, "not_found", "not configured"},
		{"resume unknown", "POST", "/api/v1/sources/jingdong/resume", "", nil, 404, "not_found", "not configured"},
		{"run unknown", "POST", "/api/v1/sources/jingdong/run", "", nil, 404, "not_found", "not configured"},
		{"runs unknown", "GET", "/api/v1/sources/jingdong/runs", "", nil, 404, "not_found", "not configured"},
		{"zero limit", "GET", "/api/v1/sources/jd/runs?limit=0", "", nil, 400, "invalid", "limit=\"0\": must be a whole number from 1 to 500"},
		{"word limit", "GET", "/api/v1/sources/jd/runs?limit=all", "", nil, 400, "invalid", "limit="},
		{"store down", "GET", "/api/v1/sources", "", domain.Errorf(domain.EUNAVAILABLE, "database is locked"), 503, "unavailable", "database is locked"},
		{"internal", "GET", "/api/v1/sources/jd", "", errors.New("sql: no such table: sources in /var/lib/markwatch"), 500, "internal", "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.sources.err = tt.callErr
			var got errResp
			resp := h.doJSON(t, tt.method, tt.path, tt.body, &got)
			if resp.StatusCode != tt.wantStatus || got.Error.Code != tt.wantCode || !strings.Contains(got.Error.Message, tt.wantMsg) {
				t.Errorf("got %d %+v, want %d %s containing %q", resp.StatusCode, got.Error, tt.wantStatus, tt.wantCode, tt.wantMsg)
			}
			if strings.Contains(got.Error.Message, "/var/lib") {
				t.Errorf("internal detail leaked: %q", got.Error.Message)
			}
		})
	}
}

func TestInvalidScheduleKeepsOld(t *testing.T) {
	h := newHarness(t, nil)
	h.doJSON(t, "PUT", "/api/v1/sources/jd/schedule", `{"schedule":"0 99 * * *"}`, nil)
	var got map[string]any
	h.doJSON(t, "GET", "/api/v1/sources/jd", "", &got)
	if got["schedule"] != "0 */2 * * *" {
		t.Errorf("schedule after a refused change = %v, want the old one", got["schedule"])
	}
}

func TestTriggerWhileRunningConflicts(t *testing.T) {
	h := newHarness(t, nil)
	if resp := h.doJSON(t, "POST", "/api/v1/sources/jd/run", "", nil); resp.StatusCode != 202 {
		t.Fatalf("first run: %d", resp.StatusCode)
	}
	var got errResp
	resp := h.doJSON(t, "POST", "/api/v1/sources/jd/run", "", &got)
	if resp.StatusCode != 409 || got.Error.Code != "conflict" || !strings.Contains(got.Error.Message, "already running") {
		t.Errorf("second run: %d %+v", resp.StatusCode, got)
	}
}

func TestSourceRuns(t *testing.T) {
	tests := []struct {
		query     string
		wantLimit int
		wantIDs   string
	}{
		{"", defaultRunsLimit, "[8 7]"},
		{"?limit=1", 1, "[8]"},
		{"?limit=500", 500, "[8 7]"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			h := newHarness(t, nil)
			var got struct {
				SourceID string           `json:"source_id"`
				Limit    int              `json:"limit"`
				Runs     []map[string]any `json:"runs"`
			}
			resp := h.doJSON(t, "GET", "/api/v1/sources/jd/runs"+tt.query, "", &got)
			if resp.StatusCode != 200 || got.SourceID != "jd" || got.Limit != tt.wantLimit || h.sources.limit != tt.wantLimit {
				t.Fatalf("got %d %+v (asked limit %d), want limit %d", resp.StatusCode, got, h.sources.limit, tt.wantLimit)
			}
			var ids []any
			for _, r := range got.Runs {
				ids = append(ids, r["id"])
			}
			if fmt.Sprint(ids) != tt.wantIDs {
				t.Errorf("run ids %v, want %s", ids, tt.wantIDs)
			}
			if got.Runs[0]["status"] != "running" || got.Runs[0]["duration_seconds"] != nil {
				t.Errorf("running run = %v, want no duration yet", got.Runs[0])
			}
		})
	}
}
