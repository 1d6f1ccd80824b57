package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// Titles of alerts on marks owner A (六个核桃) does not hold.
var notAsAlerts = []string{"衡水老白", "赵县雪梨 新鲜水果", "河南 郑州", "山东 烟台", "酒水批发", "莱阳果园"}

func TestOwnerQueueShowsOnlyItsMarks(t *testing.T) {
	for _, ignore := range []bool{false, true} {
		name := "store applies the scope"
		if ignore {
			name = "store forgets the scope"
		}
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.store.ignoreScope = ignore
			h.signIn(ownerA)
			for _, q := range []string{"/?status=all", "/?status=all&mark=hengshui-laobaigan", "/?status=all&mark=zhaoxian-xueli"} {
				resp, body := h.get(t, q)
				if resp.StatusCode != 200 {
					t.Fatalf("GET %s: %d", q, resp.StatusCode)
				}
				// The store was asked with A's scope.
				if f := h.store.filter; !f.Scope.Restricted || len(f.Scope.MarkIDs) != 1 || f.Scope.MarkIDs[0] != "liugehetao" {
					t.Errorf("GET %s asked the store with scope %+v, want A's", q, f.Scope)
				}
				for _, s := range notAsAlerts {
					if strings.Contains(body, s) {
						t.Errorf("GET %s: owner A sees %q of another owner's alert", q, s)
					}
				}
				// The mark filter offers only A's marks.
				for _, s := range []string{`value="hengshui-laobaigan"`, `value="zhaoxian-xueli"`, "衡水老白干（", "赵县雪梨（"} {
					if strings.Contains(body, s) {
						t.Errorf("GET %s: the mark filter offers %q", q, s)
					}
				}
			}
			_, body := h.get(t, "/?status=all")
			if !strings.Contains(body, "240ml*12罐") || !strings.Contains(body, `<option value="liugehetao">六个核桃（商标）</option>`) {
				t.Errorf("owner A does not see its own alert or mark:\n%s", body)
			}
			if !strings.Contains(body, "共 2 条") {
				t.Error("owner A's count is not of its own two alerts: the total leaks other owners' numbers")
			}
			if ignore && h.logs.FilterMessage("store returned an alert outside the scope; left out of the queue").Len() == 0 {
				t.Error("a store that forgot the scope went unnoticed in the log")
			}
		})
	}
}

// An alert outside the scope answers byte for byte as a missing one, so an
// owner cannot even learn which ids exist.
func TestOutOfScopeAlertIsTheMissingPage(t *testing.T) {
	h := newHarness(t, nil)
	h.signIn(ownerA)
	missingResp, missing := h.get(t, "/alerts/99")
	if missingResp.StatusCode != 404 {
		t.Fatalf("missing alert: %d", missingResp.StatusCode)
	}
	for _, id := range []string{"2", "3"} { // 衡水老白干, 赵县雪梨
		resp, body := h.get(t, "/alerts/"+id)
		if resp.StatusCode != 404 {
			t.Errorf("owner A GET /alerts/%s: %d, want 404", id, resp.StatusCode)
		}
		if body != missing {
			t.Errorf("owner A GET /alerts/%s differs from a missing alert's page:\n%s\n---\n%s", id, body, missing)
		}
	}
	if resp, body := h.get(t, "/alerts/1"); resp.StatusCode != 200 || !strings.Contains(body, "河北养元智汇饮品股份有限公司") {
		t.Errorf("owner A's own alert: %d", resp.StatusCode)
	}
	// B, the other way round.
	h.signIn(ownerB)
	if resp, body := h.get(t, "/alerts/1"); resp.StatusCode != 404 || strings.Contains(body, "六個核桃") {
		t.Errorf("owner B GET /alerts/1: %d", resp.StatusCode)
	}
}

func TestOwnerCannotReview(t *testing.T) {
	h := newHarness(t, nil)
	h.signIn(ownerA)
	_, queue := h.get(t, "/")
	_, evidence := h.get(t, "/alerts/1")
	for name, body := range map[string]string{"queue": queue, "evidence": evidence} {
		if strings.Contains(body, "/status") || strings.Contains(body, "确认侵权</button>") {
			t.Errorf("the %s offers owner A review buttons", name)
		}
	}
	for _, id := range []string{"1", "2"} { // its own and another's
		resp, _ := h.post(t, "/alerts/"+id+"/status", form("dismissed", "/"), nil)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("owner A reviewing alert %s: %d, want 403", id, resp.StatusCode)
		}
	}
	if rs := h.store.reviewed(); len(rs) != 0 || h.store.status(1) != domain.AlertOpen || h.store.status(2) != domain.AlertConfirmed {
		t.Errorf("a refused review changed something: %+v", rs)
	}
	// Operators read alerts but review nothing either.
	h.signIn(operator)
	if _, body := h.get(t, "/"); strings.Contains(body, "/status") {
		t.Error("the queue offers an operator review buttons")
	}
	if resp, _ := h.post(t, "/alerts/1/status", form("confirmed", "/"), nil); resp.StatusCode != 403 {
		t.Errorf("operator review: %d, want 403", resp.StatusCode)
	}
}

// A supervisor limited to a jurisdiction sees and reviews only alerts
// whose seller is located there; anything else is 404 and unchanged.
func TestSupervisorJurisdiction(t *testing.T) {
	// Alerts: 1 山东 临沂, 2 河南 郑州, 3 山东 烟台, 4 河北 保定.
	tests := []struct {
		jurisdiction string
		inside       []int64
		outside      []int64
	}{
		{"山东 临沂", []int64{1}, []int64{2, 3, 4}},
		{"山东", []int64{1, 3}, []int64{2, 4}},
		{"河北 石家庄", nil, []int64{1, 2, 3, 4}},
		{"河北", []int64{4}, []int64{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.jurisdiction, func(t *testing.T) {
			h := newHarness(t, nil)
			h.signIn(supervisor(tt.jurisdiction))
			for _, id := range tt.outside {
				before := h.store.status(id)
				resp, body := h.post(t, "/alerts/"+itoa(id)+"/status", form("confirmed", "/"), nil)
				if resp.StatusCode != 404 || !strings.Contains(body, "没有这条告警") {
					t.Errorf("reviewing alert %d outside %s: %d, want 404", id, tt.jurisdiction, resp.StatusCode)
				}
				if h.store.status(id) != before {
					t.Errorf("alert %d changed from outside the jurisdiction", id)
				}
				if resp, _ := h.get(t, "/alerts/"+itoa(id)); resp.StatusCode != 404 {
					t.Errorf("evidence of alert %d outside %s: %d, want 404", id, tt.jurisdiction, resp.StatusCode)
				}
			}
			for _, id := range tt.inside {
				if resp, _ := h.post(t, "/alerts/"+itoa(id)+"/status", form("dismissed", "/"), nil); resp.StatusCode != 303 {
					t.Errorf("reviewing alert %d inside %s: %d, want 303", id, tt.jurisdiction, resp.StatusCode)
				}
			}
			if n := len(h.store.reviewed()); n != len(tt.inside) {
				t.Errorf("%d reviews recorded, want %d", n, len(tt.inside))
			}
		})
	}
}

// The handlers hold the line even without the Guard: a console mounted on
// a plain mux by mistake refuses the same requests.
func TestHandlersCheckPermissionsThemselves(t *testing.T) {
	h := newHarness(t, nil)
	plain := New(Deps{Alerts: h.store, Reviews: h.store, Marks: testMarks, Subscriptions: h.subs, ValidateSubscription: fakeValidate}, nil)
	serve := func(p *access.Principal, method, target string, body url.Values) *http.Response {
		req, _ := http.NewRequest(method, target, strings.NewReader(body.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if p != nil {
			req = req.WithContext(access.WithPrincipal(req.Context(), *p))
		}
		rec := newRecorder()
		plain.ServeHTTP(rec, req)
		return rec.Result()
	}
	if resp := serve(nil, "GET", "/?status=all", nil); resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Errorf("anonymous queue: %d %q, want 303 to the login page", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := serve(ownerA, "POST", "/alerts/1/status", form("dismissed", "/")); resp.StatusCode != 403 {
		t.Errorf("owner review without the Guard: %d, want 403", resp.StatusCode)
	}
	if resp := serve(nil, "POST", "/subscriptions/1/delete", nil); resp.StatusCode != 303 {
		t.Errorf("anonymous delete without the Guard: %d, want 303", resp.StatusCode)
	}
	if len(h.store.reviewed()) != 0 || len(h.subs.subs) != 3 {
		t.Error("a refused request changed something")
	}
}
