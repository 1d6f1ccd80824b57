package httpapi

import (
	"bytes"
	"fmt"
	"net/url"
	"slices"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestOwnerListsOnlyOwnAlerts: owner A (六个核桃) sees only its alerts, the
// scope reached the store, and asking for B's mark by name finds nothing.
func TestOwnerListsOnlyOwnAlerts(t *testing.T) {
	tests := []struct {
		name  string
		token string
		query string
		want  []int64
	}{
		{"owner A, every alert", tokOwnerA, "", []int64{1, 3}},
		{"owner A names B's mark 衡水老白干", tokOwnerA, "?mark=hengshui-laobaigan", []int64{}},
		{"owner B", tokOwnerB, "", []int64{2, 4}},
		{"supervisor 河北 石家庄", tokSupervisor, "", []int64{4}},
		{"operator sees all", tokOperator, "", []int64{1, 2, 3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			var got alertList
			if resp := h.getAs(t, tt.token, "/api/v1/alerts"+tt.query, &got); resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if ids := alertIDs(got.Alerts); !slices.Equal(ids, tt.want) || got.Total != len(tt.want) {
				t.Errorf("got alerts %v total %d, want %v", ids, got.Total, tt.want)
			}
			want := principals()[tt.token].Scope
			if fmt.Sprint(h.store.alertFilter.Scope) != fmt.Sprint(want) {
				t.Errorf("store got scope %+v, want %+v", h.store.alertFilter.Scope, want)
			}
		})
	}
}

func alertIDs(as []domain.Alert) []int64 {
	ids := []int64{}
	for _, a := range as {
		ids = append(ids, a.ID)
	}
	return ids
}

// TestLeakyStoreStillShowsOnlyOwnAlerts: a store that forgot the scope in
// its SQL still cannot hand owner A the alerts of 衡水老白干.
func TestLeakyStoreStillShowsOnlyOwnAlerts(t *testing.T) {
	h := newHarness(t, nil)
	h.store.leak, h.hits.leak = true, true
	var got alertList
	h.getAs(t, tokOwnerA, "/api/v1/alerts", &got)
	if ids := alertIDs(got.Alerts); !slices.Equal(ids, []int64{1, 3}) || got.Total != 2 {
		t.Errorf("through a leaky store owner A got %v total %d", ids, got.Total)
	}
	var hl hitList
	h.getAs(t, tokOwnerA, "/api/v1/hits", &hl)
	for _, hit := range hl.Hits {
		if hit.MarkID != "liugehetao" {
			t.Errorf("through a leaky index owner A got hit %+v", hit)
		}
	}
	if n := h.logs.FilterMessage("reader answered rows outside the principal's scope; dropped them").Len(); n != 2 {
		t.Errorf("%d leak log lines, want 2 (alerts and hits)", n)
	}
}

// TestOutOfScopeAlertLooksMissing: an alert outside the scope answers
// exactly what a missing one does: same status, same body, no content.
func TestOutOfScopeAlertLooksMissing(t *testing.T) {
	tests := []struct {
		name   string
		token  string
		method string
		id     int64
		body   string
		want   int
	}{
		{"owner A reads 衡水老白干's alert", tokOwnerA, "GET", 2, "", 404},
		// Owners hold no Review: the guard refuses before any lookup, the
		// same way for an existing and a missing alert.
		{"owner A reviews 衡水老白干's alert", tokOwnerA, "PATCH", 2, `{"status":"dismissed"}`, 403},
		{"supervisor 河北 石家庄 reads an alert in 山东 临沂", tokSupervisor, "GET", 1, "", 404},
		{"supervisor 河北 石家庄 reviews an alert in 山东 临沂", tokSupervisor, "PATCH", 1, `{"status":"confirmed","note":"越权"}`, 404},
		{"supervisor 河北 石家庄 reviews an alert in 河北 保定", tokSupervisor, "PATCH", 3, `{"status":"dismissed"}`, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := fmt.Sprintf("/api/v1/alerts/%d", tt.id)
			h := newHarness(t, nil)
			code, body := h.do(t, tt.token, tt.method, path, tt.body)

			missing := newHarness(t, nil)
			missing.store.alerts = slices.DeleteFunc(missing.store.alerts, func(a domain.Alert) bool { return a.ID == tt.id })
			wantCode, wantBody := missing.do(t, tt.token, tt.method, path, tt.body)

			if code != tt.want || code != wantCode || !bytes.Equal(body, wantBody) {
				t.Errorf("out of scope: %d %s\nmissing:      %d %s", code, body, wantCode, wantBody)
			}
			a := alerts[tt.id-1]
			for _, secret := range []string{a.Title, a.Seller, a.Location, a.MarkID} {
				if bytes.Contains(body, []byte(secret)) {
					t.Errorf("answer leaks %q: %s", secret, body)
				}
			}
			if len(h.store.reviews) != 0 {
				t.Errorf("an out-of-scope review reached the store: %+v", h.store.reviews)
			}
		})
	}
}

// TestSupervisorReviewsInJurisdiction: the same supervisor may review the
// alert in its own 河北 石家庄.
func TestSupervisorReviewsInJurisdiction(t *testing.T) {
	h := newHarness(t, nil)
	code, raw := h.do(t, tokSupervisor, "PATCH", "/api/v1/alerts/4", `{"status":"confirmed"}`)
	if code != 200 || h.store.alerts[3].Status != domain.AlertConfirmed {
		t.Errorf("review in jurisdiction: %d %s", code, raw)
	}
}

// TestOwnerHitSearchIsScoped: the owner's scope is what the index is asked
// with, so its tenant token limits the search.
func TestOwnerHitSearchIsScoped(t *testing.T) {
	tests := []struct {
		token string
		q     string
		want  []int64
	}{
		{tokOwnerA, "核桃", []int64{10}}, // not 涉县核桃, not B's
		{tokOwnerA, "衡水老白干", []int64{}},
		{tokOwnerB, "衡水老白干", []int64{13}},
		{tokSupervisor, "", []int64{13}},
		{tokAdmin, "核桃", []int64{10, 11}},
	}
	for _, tt := range tests {
		t.Run(principals()[tt.token].User.Name+" "+tt.q, func(t *testing.T) {
			h := newHarness(t, nil)
			var got hitList
			if resp := h.getAs(t, tt.token, "/api/v1/hits?"+url.Values{"q": {tt.q}}.Encode(), &got); resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			ids := []int64{}
			for _, hit := range got.Hits {
				ids = append(ids, hit.ID)
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("hits %v, want %v", ids, tt.want)
			}
			if want := principals()[tt.token].Scope; fmt.Sprint(h.hits.scope) != fmt.Sprint(want) {
				t.Errorf("searcher got scope %+v, want %+v", h.hits.scope, want)
			}
		})
	}
}
