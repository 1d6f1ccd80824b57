package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestReviewSetsStatus(t *testing.T) {
	tests := []struct {
		name   string
		id     int64
		body   string
		status domain.AlertStatus
		note   string
	}{
		{"六個核桃 handed to enforcement", 1, `{"status":"confirmed","note":"已移交临沂市市场监管局"}`, domain.AlertConfirmed, "已移交临沂市市场监管局"},
		{"衡水老白乾 reopened", 2, `{"status":"open"}`, domain.AlertOpen, ""},
		{"六介核桃 dismissed, with spaces", 3, " {\"status\" : \"dismissed\", \"note\": \"  授权经销商  \"}\n", domain.AlertDismissed, "授权经销商"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			code, raw := h.do(t, tokAdmin, "PATCH", fmt.Sprintf("/api/v1/alerts/%d", tt.id), tt.body)
			if code != http.StatusOK {
				t.Fatalf("status code %d, want 200: %s", code, raw)
			}
			var got domain.Alert
			if err := decode(raw, &got); err != nil {
				t.Fatal(err)
			}
			if got.ID != tt.id || got.Status != tt.status {
				t.Errorf("answered alert %d with status %q, want %d with %q", got.ID, got.Status, tt.id, tt.status)
			}
			if len(h.store.reviews) != 1 || h.store.reviews[0].rv != (domain.Review{Status: tt.status, Note: tt.note}) {
				t.Errorf("store got reviews %+v, want one with status %q note %q", h.store.reviews, tt.status, tt.note)
			}
			if got.Title == "" || got.MarkID == "" {
				t.Errorf("answer %+v is not the whole alert", got)
			}
		})
	}
}

// TestReviewNoteAndActorReachTheStore: the review is recorded as the
// principal who made it, with its note, in the audit log it reads back.
func TestReviewNoteAndActorReachTheStore(t *testing.T) {
	h := newHarness(t, nil)
	sup := principals()[tokSupervisor]
	code, raw := h.do(t, tokSupervisor, "PATCH", "/api/v1/alerts/4", `{"status":"confirmed","note":"某某食品专营店 售假，已立案"}`)
	if code != 200 {
		t.Fatalf("supervisor review of an alert in 河北 石家庄: %d %s", code, raw)
	}
	if len(h.store.reviews) != 1 {
		t.Fatalf("%d reviews reached the store", len(h.store.reviews))
	}
	rc := h.store.reviews[0]
	if rc.rv.Note != "某某食品专营店 售假，已立案" || rc.actor != sup.Actor() {
		t.Errorf("store got note %q actor %+v, want the note and actor %+v", rc.rv.Note, rc.actor, sup.Actor())
	}
	var list auditList
	h.getAs(t, tokAdmin, "/api/v1/audit?action=alert.review", &list)
	if len(list.Entries) != 1 || list.Entries[0].Actor.Name != "sjz-scjg" || list.Entries[0].Actor.Role != domain.RoleSupervisor ||
		list.Entries[0].Note != rc.rv.Note || list.Entries[0].Object != "alert:4" {
		t.Errorf("audit = %+v", list.Entries)
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
		{"no status", "/api/v1/alerts/1", `{"note":"先看看"}`, 400, "invalid", []string{"no status"}},
		{"unknown field", "/api/v1/alerts/1", `{"status":"confirmed","comment":"已移交"}`, 400, "invalid", []string{"comment"}},
		{"not JSON", "/api/v1/alerts/1", `status=confirmed`, 400, "invalid", []string{reviewExample}},
		{"two values", "/api/v1/alerts/1", `{"status":"open"}{"status":"confirmed"}`, 400, "invalid", []string{"more than one"}},
		{"note too long", "/api/v1/alerts/1", `{"status":"open","note":"` + strings.Repeat("核", maxNoteRunes+1) + `"}`, 400, "invalid", []string{"2001 characters"}},
		{"too big", "/api/v1/alerts/1", `{"status":"open","note":"` + strings.Repeat("核", 6000) + `"}`, 400, "invalid", []string{"over 16384 bytes"}},
		{"id not a number", "/api/v1/alerts/abc", `{"status":"open"}`, 400, "invalid", []string{`"abc"`, "positive"}},
		{"id zero", "/api/v1/alerts/0", `{"status":"open"}`, 400, "invalid", []string{"positive"}},
		{"unknown id", "/api/v1/alerts/99", `{"status":"dismissed"}`, 404, "not_found", []string{"alert 99 does not exist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			code, raw := h.do(t, tokAdmin, "PATCH", tt.path, tt.body)
			var e errorBody
			if err := decode(raw, &e); err != nil {
				t.Fatal(err)
			}
			if code != tt.code || e.Error.Code != tt.errCode {
				t.Fatalf("answer %d %q, want %d %q (%s)", code, e.Error.Code, tt.code, tt.errCode, e.Error.Message)
			}
			for _, s := range tt.contains {
				if !strings.Contains(e.Error.Message, s) {
					t.Errorf("message %q does not say %q", e.Error.Message, s)
				}
			}
			if len(h.store.reviews) != 0 {
				t.Errorf("a refused request reached the store: %+v", h.store.reviews)
			}
		})
	}
}

func TestReviewStoreFailureIsInternal(t *testing.T) {
	h := newHarness(t, nil)
	h.store.reviewErr = errors.New("sqlite: database is locked at /var/lib/markwatch/markwatch.db")
	code, raw := h.do(t, tokAdmin, "PATCH", "/api/v1/alerts/1", `{"status":"confirmed"}`)
	var e errorBody
	if err := decode(raw, &e); err != nil {
		t.Fatal(err)
	}
	if code != 500 || e.Error.Code != "internal" {
		t.Fatalf("answer %d %q, want 500 internal", code, e.Error.Code)
	}
	if strings.Contains(e.Error.Message, "/var/lib") {
		t.Errorf("message %q leaks the store's detail", e.Error.Message)
	}
	lines := h.logs.FilterMessage("http request").All()
	if len(lines) != 1 {
		t.Fatalf("%d request log lines, want 1", len(lines))
	}
	if err, _ := lines[0].ContextMap()["error"].(string); !strings.Contains(err, "reviewing alert 1") || !strings.Contains(err, "locked") {
		t.Errorf("logged error %q, want the wrapped store error", err)
	}
}
