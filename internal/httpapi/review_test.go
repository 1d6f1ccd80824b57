package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/markwatch/markwatch/internal/domain"
)

// fakeReviewer changes statuses in its own copy of the alerts and refuses
// what the store refuses.
type fakeReviewer struct {
	mu     sync.Mutex
	alerts map[int64]domain.Alert
	calls  int
	err    error
}

func newFakeReviewer() *fakeReviewer {
	f := &fakeReviewer{alerts: map[int64]domain.Alert{}}
	for _, a := range alerts {
		f.alerts[a.ID] = a
	}
	return f
}

func (f *fakeReviewer) SetAlertStatus(_ context.Context, id int64, status domain.AlertStatus) (domain.Alert, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return domain.Alert{}, f.err
	}
	a, ok := f.alerts[id]
	if !ok {
		return domain.Alert{}, domain.Errorf(domain.ENOTFOUND, "alert %d does not exist", id)
	}
	a.Status = status
	f.alerts[id] = a
	return a, nil
}

type reviewHarness struct {
	*sourcesHarness // reuses do(); its fake sources are not mounted
	rev             *fakeReviewer
}

func newReviewHarness(t *testing.T) *reviewHarness {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	log := zap.New(core)
	h := &reviewHarness{sourcesHarness: &sourcesHarness{logs: logs}, rev: newFakeReviewer()}
	base := New(Deps{Alerts: &fakeStore{alerts: alerts}}, log)
	h.srv = httptest.NewServer(WithReview(base, h.rev, log))
	t.Cleanup(h.srv.Close)
	return h
}

func TestReviewSetsStatus(t *testing.T) {
	tests := []struct {
		name   string
		id     int64
		body   string
		status domain.AlertStatus
	}{
		{"六個核桃 handed to enforcement", 1, `{"status":"confirmed"}`, domain.AlertConfirmed},
		{"衡水老白乾 reopened", 2, `{"status":"open"}`, domain.AlertOpen},
		{"六介核桃 dismissed, with spaces", 3, " {\"status\" : \"dismissed\"}\n", domain.AlertDismissed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newReviewHarness(t)
			var got domain.Alert
			resp := h.do(t, "PATCH", fmt.Sprintf("/api/v1/alerts/%d", tt.id), tt.body, &got)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status code %d, want 200", resp.StatusCode)
			}
			if got.ID != tt.id || got.Status != tt.status {
				t.Errorf("answered alert %d with status %q, want %d with %q", got.ID, got.Status, tt.id, tt.status)
			}
			if stored := h.rev.alerts[tt.id].Status; stored != tt.status {
				t.Errorf("stored status %q, want %q", stored, tt.status)
			}
			if got.Title == "" || got.MarkID == "" {
				t.Errorf("answer %+v is not the whole alert", got)
			}
		})
	}
}

func TestReviewRefusals(t *testing.T) {
	tests := []struct {
		name     string
		path     string
		body     string
		code     int
		errCode  string
		contains []string
	}{
		{"unknown status lists valid ones", "/api/v1/alerts/1", `{"status":"closed"}`, 400, "invalid",
			[]string{`"closed"`, "confirmed", "dismissed", "open"}},
		{"Chinese label is not a status", "/api/v1/alerts/1", `{"status":"确认侵权"}`, 400, "invalid",
			[]string{"确认侵权", "confirmed"}},
		{"wrong case", "/api/v1/alerts/1", `{"status":"Confirmed"}`, 400, "invalid", []string{"confirmed"}},
		{"empty body", "/api/v1/alerts/1", "", 400, "invalid", []string{"empty", reviewExample}},
		{"no status", "/api/v1/alerts/1", `{}`, 400, "invalid", []string{"no status"}},
		{"unknown field", "/api/v1/alerts/1", `{"status":"confirmed","note":"已移交"}`, 400, "invalid", []string{"note"}},
		{"not JSON", "/api/v1/alerts/1", `status=confirmed`, 400, "invalid", []string{reviewExample}},
		{"two values", "/api/v1/alerts/1", `{"status":"open"}{"status":"confirmed"}`, 400, "invalid", []string{"more than one"}},
		{"too big", "/api/v1/alerts/1", `{"status":"open","x":"` + strings.Repeat("核", 2000) + `"}`, 400, "invalid", []string{"over 4096 bytes"}},
		{"id not a number", "/api/v1/alerts/abc", `{"status":"open"}`, 400, "invalid", []string{`"abc"`, "positive"}},
		{"id zero", "/api/v1/alerts/0", `{"status":"open"}`, 400, "invalid", []string{"positive"}},
		{"unknown id", "/api/v1/alerts/99", `{"status":"dismissed"}`, 404, "not_found", []string{"alert 99 does not exist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newReviewHarness(t)
			var e errorBody
			resp := h.do(t, "PATCH", tt.path, tt.body, &e)
			if resp.StatusCode != tt.code || e.Error.Code != tt.errCode {
				t.Fatalf("answer %d %q, want %d %q (%s)", resp.StatusCode, e.Error.Code, tt.code, tt.errCode, e.Error.Message)
			}
			for _, s := range tt.contains {
				if !strings.Contains(e.Error.Message, s) {
					t.Errorf("message %q does not say %q", e.Error.Message, s)
				}
			}
			for id, a := range h.rev.alerts {
				if want := alertByID(id).Status; a.Status != want {
					t.Errorf("alert %d changed to %q by a refused request", id, a.Status)
				}
			}
		})
	}
}

func alertByID(id int64) domain.Alert {
	for _, a := range alerts {
		if a.ID == id {
			return a
		}
	}
	return domain.Alert{}
}

func TestReviewStoreFailureIsInternal(t *testing.T) {
	h := newReviewHarness(t)
	h.rev.err = errors.New("sqlite: database is locked at /var/lib/markwatch/markwatch.db")
	var e errorBody
	resp := h.do(t, "PATCH", "/api/v1/alerts/1", `{"status":"confirmed"}`, &e)
	if resp.StatusCode != 500 || e.Error.Code != "internal" {
		t.Fatalf("answer %d %q, want 500 internal", resp.StatusCode, e.Error.Code)
	}
	if strings.Contains(e.Error.Message, "/var/lib") {
		t.Errorf("message %q leaks the store's detail", e.Error.Message)
	}
	lines := h.logs.FilterMessage("http request").All()
	if len(lines) != 1 {
		t.Fatalf("%d request log lines, want 1", len(lines))
	}
	if err, _ := lines[0].ContextMap()["error"].(string); !strings.Contains(err, "setting status of alert 1") || !strings.Contains(err, "locked") {
		t.Errorf("logged error %q, want the wrapped store error", err)
	}
}

func TestWithReviewDelegatesTheRest(t *testing.T) {
	h := newReviewHarness(t)
	var one domain.Alert
	if resp := h.do(t, "GET", "/api/v1/alerts/2", "", &one); resp.StatusCode != 200 || one.Title != alerts[1].Title {
		t.Errorf("GET through the wrapper: %d, title %q", resp.StatusCode, one.Title)
	}
	var list alertList
	if resp := h.do(t, "GET", "/api/v1/alerts?status=open", "", &list); resp.StatusCode != 200 || list.Total != 2 {
		t.Errorf("list through the wrapper: %d, total %d", resp.StatusCode, list.Total)
	}

	var e errorBody
	resp := h.do(t, "DELETE", "/api/v1/alerts/1", "", &e)
	if resp.StatusCode != 405 || !strings.Contains(resp.Header.Get("Allow"), "PATCH") || !strings.Contains(e.Error.Message, "PATCH") {
		t.Errorf("DELETE of an alert: %d, Allow %q, message %q; want 405 naming PATCH", resp.StatusCode, resp.Header.Get("Allow"), e.Error.Message)
	}
	// The collection and deeper paths stay with the base handler.
	if resp := h.do(t, "PATCH", "/api/v1/alerts", `{"status":"open"}`, nil); resp.StatusCode != 405 {
		t.Errorf("PATCH of the collection: %d, want the base handler's 405", resp.StatusCode)
	}
	if resp := h.do(t, "PATCH", "/api/v1/alerts/1/notes", `{"status":"open"}`, nil); resp.StatusCode != 404 {
		t.Errorf("PATCH of a deeper path: %d, want the base handler's 404", resp.StatusCode)
	}
	if h.rev.calls != 0 {
		t.Errorf("reviewer called %d times by requests that are not reviews", h.rev.calls)
	}
	if n := h.logs.FilterMessage("http request").Len(); n != 5 {
		t.Errorf("%d request log lines for 5 requests, want each logged once", n)
	}

	base := http.NotFoundHandler()
	if got := WithReview(base, nil, nil); fmt.Sprintf("%p", got) != fmt.Sprintf("%p", base) {
		t.Error("WithReview with no reviewer should return the handler unchanged")
	}
}

func TestIsAlertPath(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"/api/v1/alerts/1", true},
		{"/api/v1/alerts/abc", true}, // the handler answers 400, not h's 404
		{"/api/v1/alerts/", false},
		{"/api/v1/alerts", false},
		{"/api/v1/alerts/1/", false},
		{"/api/v1/alertsx/1", false},
		{"/alerts/1", false},
	}
	for _, tt := range tests {
		if got := isAlertPath(tt.path); got != tt.want {
			t.Errorf("isAlertPath(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}
