package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestBulkReviewConfirmsTheTickedWithOneNote(t *testing.T) {
	h := newHarness(t, nil)
	_, body := h.get(t, "/")
	for _, want := range []string{`<form id="bulk"`, `action="/alerts/review"`, `name="csrf_token"`, `form="bulk"`} {
		if !strings.Contains(body, want) {
			t.Errorf("queue lacks %q", want)
		}
	}
	form := url.Values{"id": {"1", "3", "1"}, "status": {"confirmed"}, "note": {"同一卖家 陆个核桃 批量确认"}, "back": {"/?status=open"}}
	resp, body := h.post(t, "/alerts/review", form, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/?status=open" {
		t.Fatalf("bulk review = %d %s", resp.StatusCode, body)
	}
	got := h.store.reviewed()
	if len(got) != 2 || got[0].id != 1 || got[1].id != 3 {
		t.Fatalf("reviews %+v, want alerts 1 and 3 once each", got)
	}
	for _, rv := range got {
		if rv.rv.Status != domain.AlertConfirmed || rv.rv.Note != "同一卖家 陆个核桃 批量确认" {
			t.Errorf("review %+v, want confirmed with the one note", rv)
		}
	}
}

// A form carrying an alert outside the principal's scope changes nothing,
// not even the alerts in scope ticked with it, and answers as a missing
// alert.
func TestBulkReviewRefusesAnAlertOutsideTheScope(t *testing.T) {
	h := newHarness(t, nil)
	h.signIn(supervisor("山东"))
	for _, form := range []url.Values{
		{"id": {"1", "2"}, "status": {"dismissed"}}, // 2 is 河南's
		{"id": {"1"}, "status": {"open"}},
		{"id": {"1", "x"}, "status": {"confirmed"}},
		{"status": {"confirmed"}},
	} {
		resp, _ := h.post(t, "/alerts/review", form, nil)
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusBadRequest {
			t.Errorf("bulk %v = %d, want 404 or 400", form, resp.StatusCode)
		}
	}
	if got := h.store.reviewed(); len(got) != 0 {
		t.Errorf("refused bulk forms reviewed %+v", got)
	}
	// An owner may not review at all.
	h.signIn(ownerA)
	if resp, _ := h.post(t, "/alerts/review", url.Values{"id": {"1"}, "status": {"confirmed"}}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("owner's bulk review = %d, want 403", resp.StatusCode)
	}
}
