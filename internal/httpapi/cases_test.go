package httpapi

import (
	"bytes"
	"context"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// TestCaseRouteTable pins who may do what with evidence and cases.
func TestCaseRouteTable(t *testing.T) {
	want := map[string]access.Permission{
		"GET /api/v1/alerts/{id}/evidence":       access.ReadAlerts,
		"GET /api/v1/artefacts/{sha}":            access.ReadAlerts,
		"GET /api/v1/cases":                      access.ReadAlerts,
		"POST /api/v1/cases":                     access.Review,
		"GET /api/v1/cases/{id}":                 access.ReadAlerts,
		"PATCH /api/v1/cases/{id}":               access.Review,
		"GET /api/v1/cases/{id}/packet.pdf":      access.ReadAlerts,
		"GET /api/v1/cases/{id}/packet.zip":      access.ReadAlerts,
		"POST /api/v1/cases/{id}/notices":        access.Review,
		"PATCH /api/v1/cases/{id}/notices/{nid}": access.Review,
		"GET /api/v1/cases/{id}/notices/{file}":  access.ReadAlerts,
	}
	mc := newMemCases()
	full := Deps{Alerts: newMemStore(), Evidence: mc, Blobs: mc, Cases: mc, Notices: mc, Transition: fakeTransition,
		Notice: fakeNotice, Packet: mc.Packet, Marks: caseMarks}
	got := map[string]access.Permission{}
	mux := http.NewServeMux() // panics on conflicting patterns
	for _, r := range Routes(full, nil) {
		got[r.Pattern] = r.Perm
		mux.Handle(r.Pattern, r.Handler)
	}
	for p, perm := range want {
		if got[p] != perm {
			t.Errorf("%s needs %q, want %q", p, got[p], perm)
		}
	}
	// Each dependency missing leaves its routes out.
	tests := []struct {
		name   string
		modify func(*Deps)
		absent []string
	}{
		{"no alert store: no scope checks, nothing", func(d *Deps) { d.Alerts = nil }, slices.Collect(maps.Keys(want))},
		{"no blobs", func(d *Deps) { d.Blobs = nil }, []string{"GET /api/v1/artefacts/{sha}"}},
		{"no transition rules", func(d *Deps) { d.Transition = nil }, []string{"PATCH /api/v1/cases/{id}"}},
		{"no packet", func(d *Deps) { d.Packet = nil }, []string{"GET /api/v1/cases/{id}/packet.pdf", "GET /api/v1/cases/{id}/packet.zip"}},
		{"no notice generator", func(d *Deps) { d.Notice = nil }, []string{"POST /api/v1/cases/{id}/notices", "GET /api/v1/cases/{id}/notices/{file}"}},
	}
	for _, tt := range tests {
		d := full
		tt.modify(&d)
		for _, r := range Routes(d, nil) {
			if slices.Contains(tt.absent, r.Pattern) {
				t.Errorf("%s: %s still served", tt.name, r.Pattern)
			}
		}
	}
}

// TestCaseListIsScoped: each principal lists only the cases in its scope,
// the scope reached the store, and a store that forgot it still leaks
// nothing.
func TestCaseListIsScoped(t *testing.T) {
	tests := []struct {
		name  string
		token string
		query string
		want  []int64
	}{
		{"owner A 六个核桃", tokOwnerA, "", []int64{1}},
		{"owner B 衡水老白干", tokOwnerB, "", []int64{2}},
		{"supervisor 河北 石家庄 does not see 山东 临沂", tokSupervisor, "", []int64{2}},
		{"admin", tokAdmin, "", []int64{1, 2}},
		{"admin, investigating only", tokAdmin, "?status=investigating", []int64{2}},
		{"owner A, investigating only", tokOwnerA, "?status=investigating", []int64{}},
	}
	for _, leak := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h, mc := caseHarness(t, func(mc *memCases, _ *memStore) { mc.leak = leak })
				var got caseList
				if resp := h.getAs(t, tt.token, "/api/v1/cases"+tt.query, &got); resp.StatusCode != 200 {
					t.Fatalf("status %d", resp.StatusCode)
				}
				ids := []int64{}
				for _, c := range got.Cases {
					ids = append(ids, c.ID)
				}
				if !slices.Equal(ids, tt.want) || got.Total != len(tt.want) {
					t.Errorf("leak=%t: cases %v total %d, want %v", leak, ids, got.Total, tt.want)
				}
				if want := principals()[tt.token].Scope; !slices.Equal(mc.filter.Scope.MarkIDs, want.MarkIDs) || mc.filter.Scope.Jurisdiction != want.Jurisdiction {
					t.Errorf("store asked with scope %+v, want %+v", mc.filter.Scope, want)
				}
			})
		}
	}
	if code, _ := caseHarnessDo(t, tokAdmin, "GET", "/api/v1/cases?status=pending", ""); code != 400 {
		t.Errorf("unknown status filter: %d, want 400", code)
	}
}

func caseHarnessDo(t *testing.T, token, method, path, body string) (int, []byte) {
	h, _ := caseHarness(t, nil)
	return h.do(t, token, method, path, body)
}

// TestOutOfScopeCaseObjectsLookMissing: B's case, its packets and notices,
// B's alert's evidence and an artefact only B's captures hold answer owner
// A (and a supervisor outside the jurisdiction) exactly what a missing
// object does, and no packet is written.
func TestOutOfScopeCaseObjectsLookMissing(t *testing.T) {
	delCase := func(id int64) func(*memCases, *memStore) {
		return func(mc *memCases, _ *memStore) {
			mc.cases = slices.DeleteFunc(mc.cases, func(c domain.Case) bool { return c.ID == id })
		}
	}
	delNotice := func(id int64) func(*memCases, *memStore) {
		return func(mc *memCases, _ *memStore) {
			mc.notices = slices.DeleteFunc(mc.notices, func(n domain.Notice) bool { return n.ID == id })
		}
	}
	delAlert := func(id int64) func(*memCases, *memStore) {
		return func(_ *memCases, st *memStore) {
			st.alerts = slices.DeleteFunc(st.alerts, func(a domain.Alert) bool { return a.ID == id })
		}
	}
	delArtefact := func(sha string) func(*memCases, *memStore) {
		return func(mc *memCases, _ *memStore) {
			for i := range mc.caps {
				mc.caps[i].Artefacts = slices.DeleteFunc(mc.caps[i].Artefacts, func(r domain.ArtefactRef) bool { return r.SHA256 == sha })
			}
		}
	}
	tests := []struct {
		name    string
		token   string
		path    string
		missing func(*memCases, *memStore)
		secrets []string
	}{
		{"A reads B's case", tokOwnerA, "/api/v1/cases/2", delCase(2), []string{"MW-2026-0002", "衡水", "张三"}},
		{"A reads B's packet.pdf", tokOwnerA, "/api/v1/cases/2/packet.pdf", delCase(2), []string{"packet of case"}},
		{"A reads B's packet.zip", tokOwnerA, "/api/v1/cases/2/packet.zip", delCase(2), []string{"packet of case"}},
		{"A reads B's notice as text", tokOwnerA, "/api/v1/cases/2/notices/2.txt", delCase(2), []string{"alibaba", "衡水"}},
		{"A reads B's notice as JSON", tokOwnerA, "/api/v1/cases/2/notices/2.json", delCase(2), []string{"alibaba"}},
		{"A reads B's notice through its own case", tokOwnerA, "/api/v1/cases/1/notices/2.csv", delNotice(2), []string{"taobao"}},
		{"A reads B's alert's evidence", tokOwnerA, "/api/v1/alerts/7/evidence", delAlert(7), []string{shaPageB, "taobao"}},
		{"A reads an artefact only in B's captures", tokOwnerA, "/api/v1/artefacts/" + shaPageB, delArtefact(shaPageB), []string{"衡水"}},
		{"supervisor 河北 石家庄 reads the 山东 临沂 case", tokSupervisor, "/api/v1/cases/1", delCase(1), []string{"临沂", "MW-2026-0001"}},
		{"supervisor 河北 石家庄 reads its packet", tokSupervisor, "/api/v1/cases/1/packet.pdf", delCase(1), []string{"packet of case"}},
		{"supervisor 河北 石家庄 reads its notice", tokSupervisor, "/api/v1/cases/1/notices/1.txt", delCase(1), []string{"jd"}},
		{"supervisor 河北 石家庄 reads its artefact", tokSupervisor, "/api/v1/artefacts/" + shaPageA, delArtefact(shaPageA), []string{"<script>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, mc := caseHarness(t, nil)
			code, body := h.do(t, tt.token, "GET", tt.path, "")
			m, _ := caseHarness(t, tt.missing)
			wantCode, wantBody := m.do(t, tt.token, "GET", tt.path, "")
			if code != 404 || code != wantCode || !bytes.Equal(body, wantBody) {
				t.Errorf("out of scope: %d %s\nmissing:      %d %s", code, body, wantCode, wantBody)
			}
			for _, s := range tt.secrets {
				if bytes.Contains(body, []byte(s)) {
					t.Errorf("answer leaks %q: %s", s, body)
				}
			}
			if len(mc.packets) != 0 {
				t.Errorf("a packet was written for an out-of-scope case: %v", mc.packets)
			}
		})
	}
}

// TestOwnerCannotChangeCases: owners read cases on their marks but create
// and change none, not even their own; the guard refuses before the
// store is touched.
func TestOwnerCannotChangeCases(t *testing.T) {
	tests := []struct{ method, path, body string }{
		{"POST", "/api/v1/cases", `{"title":"自己立案","alert_ids":[5]}`},
		{"PATCH", "/api/v1/cases/1", `{"status":"closed"}`},
		{"PATCH", "/api/v1/cases/1", `{"notes":"权利人改的备注"}`},
		{"PATCH", "/api/v1/cases/2", `{"status":"closed"}`},
		{"POST", "/api/v1/cases/1/notices", `{"platform":"jd"}`},
		{"PATCH", "/api/v1/cases/1/notices/1", `{"sent":true}`},
	}
	for _, tok := range []string{tokOwnerA, tokOperator} {
		for _, tt := range tests {
			h, mc := caseHarness(t, nil)
			before := slices.Clone(mc.cases)
			if code, body := h.do(t, tok, tt.method, tt.path, tt.body); code != 403 {
				t.Errorf("%s %s %s: %d %s, want 403", tok, tt.method, tt.path, code, body)
			}
			if mc.wrote() != 0 || len(mc.cases) != len(before) || mc.cases[0].Status != before[0].Status || mc.cases[0].Notes != before[0].Notes {
				t.Errorf("%s %s %s changed something", tok, tt.method, tt.path)
			}
		}
	}
	// Reading is allowed.
	h, _ := caseHarness(t, nil)
	var got caseJSON
	if resp := h.getAs(t, tokOwnerA, "/api/v1/cases/1", &got); resp.StatusCode != 200 || got.Number != "MW-2026-0001" {
		t.Fatalf("owner A reading its case: %d %+v", resp.StatusCode, got)
	}
	if len(got.Suggestions) != 0 || len(got.Next) != 0 {
		t.Errorf("owner A is offered reviewer's suggestions %v or statuses %v", got.Suggestions, got.Next)
	}
	if len(got.Alerts) != 1 || got.Alerts[0].ID != 5 || len(got.Notices) != 1 {
		t.Errorf("owner A's case: alerts %v notices %v", got.Alerts, got.Notices)
	}
}

// TestCaseDetailForReviewers: a reviewer sees the same-seller suggestions
// and the statuses the case may move to.
func TestCaseDetailForReviewers(t *testing.T) {
	h, _ := caseHarness(t, nil)
	var got caseJSON
	h.getAs(t, tokSupervisor, "/api/v1/cases/2", &got)
	if len(got.Suggestions) != 1 || got.Suggestions[0].ID != 8 || got.Suggestions[0].Seller != "某某食品专营店" {
		t.Errorf("suggestions %+v, want alert 8 of 某某食品专营店", got.Suggestions)
	}
	if !slices.Equal(got.Next, []domain.CaseStatus{domain.CaseNoticeSent, domain.CaseClosed}) {
		t.Errorf("next statuses %v", got.Next)
	}
}

func TestCreateCase(t *testing.T) {
	tests := []struct {
		name     string
		token    string
		body     string
		want     int
		says     string
		mark     string
		juris    string
		alertIDs []int64
	}{
		{"supervisor 河北 石家庄 on 衡水老白干", tokSupervisor, `{"title":"衡水老白干 仿冒 某某食品专营店","alert_ids":[7,8,7]}`, 201, "", "hengshui-laobaigan", "河北 石家庄", []int64{7, 8}},
		{"admin on 六个核桃 in 山东 临沂", tokAdmin, `{"title":"六个核桃 仿冒","alert_ids":[5,6]}`, 201, "", "liugehetao", "山东 临沂", []int64{5, 6}},
		{"an open alert", tokSupervisor, `{"title":"未确认","alert_ids":[4]}`, 400, "confirm it first", "", "", nil},
		{"two marks", tokAdmin, `{"title":"混合","alert_ids":[5,7]}`, 400, "one mark", "", "", nil},
		{"no alerts", tokAdmin, `{"title":"空"}`, 400, "at least one alert", "", "", nil},
		{"no title", tokAdmin, `{"alert_ids":[5]}`, 400, "needs a title", "", "", nil},
		{"supervisor names an alert in 山东 临沂", tokSupervisor, `{"title":"越权","alert_ids":[5]}`, 404, "alert 5 does not exist", "", "", nil},
		{"unknown field", tokAdmin, `{"title":"x","alert_ids":[5],"mark_id":"hengshui-laobaigan"}`, 400, "unknown field", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, mc := caseHarness(t, nil)
			code, body := h.do(t, tt.token, "POST", "/api/v1/cases", tt.body)
			if code != tt.want || !strings.Contains(string(body), tt.says) {
				t.Fatalf("%d %s, want %d saying %q", code, body, tt.want, tt.says)
			}
			if tt.want != 201 {
				if mc.wrote() != 0 {
					t.Error("a refused case was stored")
				}
				return
			}
			var c domain.Case
			if err := decode(body, &c); err != nil {
				t.Fatal(err)
			}
			if c.MarkID != tt.mark || c.Jurisdiction != tt.juris || !slices.Equal(c.AlertIDs, tt.alertIDs) || c.Status != domain.CaseOpen ||
				c.CreatedBy.Name != principals()[tt.token].User.Name {
				t.Errorf("created %+v", c)
			}
		})
	}
	// The missing alert and the out-of-scope one answer alike.
	h, _ := caseHarness(t, nil)
	_, outside := h.do(t, tokSupervisor, "POST", "/api/v1/cases", `{"title":"越权","alert_ids":[5]}`)
	m, _ := caseHarness(t, func(_ *memCases, st *memStore) {
		st.alerts = slices.DeleteFunc(st.alerts, func(a domain.Alert) bool { return a.ID == 5 })
	})
	if _, missing := m.do(t, tokSupervisor, "POST", "/api/v1/cases", `{"title":"越权","alert_ids":[5]}`); !bytes.Equal(outside, missing) {
		t.Errorf("outside %s\nmissing %s", outside, missing)
	}
}

func TestUpdateCase(t *testing.T) {
	tests := []struct {
		name   string
		id     string
		body   string
		want   int
		says   []string
		status domain.CaseStatus
	}{
		{"open → removed skips steps", "1", `{"status":"removed"}`, 400, []string{"MW-2026-0001 is open", "allowed next statuses: investigating, closed"}, domain.CaseOpen},
		{"unknown status", "1", `{"status":"done"}`, 400, []string{"not a case status", "open, investigating, notice_sent, removed, closed"}, domain.CaseOpen},
		{"open → investigating with an assignee", "1", `{"status":"investigating","assignee":"临沂市市场监管局 李四"}`, 200, []string{`"status":"investigating"`, "李四"}, domain.CaseInvestigating},
		{"any → closed", "1", `{"status":"closed","notes":"已下架，结案"}`, 200, []string{"已下架，结案"}, domain.CaseClosed},
		{"add the suggested alert", "1", `{"alert_ids":[5,6]}`, 200, []string{`"alert_ids":[5,6]`}, domain.CaseOpen},
		{"add an alert of another mark", "1", `{"alert_ids":[5,7]}`, 400, []string{"one mark"}, domain.CaseOpen},
		{"add an open alert", "1", `{"alert_ids":[5,1]}`, 400, []string{"confirm it first"}, domain.CaseOpen},
		{"empty the case", "1", `{"alert_ids":[]}`, 400, []string{"at least one alert"}, domain.CaseOpen},
		{"empty title", "1", `{"title":"  "}`, 400, []string{"cannot be empty"}, domain.CaseOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, mc := caseHarness(t, nil)
			code, body := h.do(t, tokAdmin, "PATCH", "/api/v1/cases/"+tt.id, tt.body)
			if code != tt.want {
				t.Fatalf("%d %s, want %d", code, body, tt.want)
			}
			for _, s := range tt.says {
				if !strings.Contains(string(body), s) {
					t.Errorf("answer %s lacks %q", body, s)
				}
			}
			if mc.cases[0].Status != tt.status {
				t.Errorf("status %s, want %s", mc.cases[0].Status, tt.status)
			}
			if tt.want != 200 && mc.wrote() != 0 {
				t.Error("a refused change was stored")
			}
		})
	}
	// The supervisor of 河北 石家庄 cannot change the 山东 临沂 case.
	h, mc := caseHarness(t, nil)
	if code, _ := h.do(t, tokSupervisor, "PATCH", "/api/v1/cases/1", `{"status":"closed"}`); code != 404 || mc.wrote() != 0 {
		t.Errorf("supervisor outside the jurisdiction: %d, writes %d", code, mc.wrote())
	}
}

// TestArtefactIsNeverRenderedInline: a stored page holding a script comes
// back byte for byte as a download the browser may not sniff or render.
func TestArtefactIsNeverRenderedInline(t *testing.T) {
	h, _ := caseHarness(t, nil)
	resp := h.send(t, tokOwnerA, "GET", "/api/v1/artefacts/"+shaPageA, "")
	defer resp.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	if resp.StatusCode != 200 || !bytes.Equal(body.Bytes(), hostilePge) {
		t.Fatalf("%d %q", resp.StatusCode, body.Bytes())
	}
	hd := resp.Header
	if cd := hd.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, shaPageA+".html") {
		t.Errorf("Content-Disposition %q, want an attachment", cd)
	}
	if hd.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(hd.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("headers %v", hd)
	}
	if hd.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q, want the recorded one", hd.Get("Content-Type"))
	}
	// Upper-case hex is the same artefact; a malformed sha is a 400.
	if code, _ := h.do(t, tokOwnerA, "GET", "/api/v1/artefacts/"+strings.ToUpper(shaShotA), ""); code != 200 {
		t.Errorf("upper-case sha: %d", code)
	}
	if code, _ := h.do(t, tokOwnerA, "GET", "/api/v1/artefacts/..%2f..%2fetc%2fpasswd", ""); code != 400 {
		t.Errorf("path-like sha: %d, want 400", code)
	}
	// A media type the marketplace made up is not echoed.
	for _, mt := range []string{"text/html\r\nSet-Cookie: x=1", "", "???"} {
		if got := safeMediaType(mt); got != "application/octet-stream" {
			t.Errorf("safeMediaType(%q) = %q", mt, got)
		}
	}
}

func TestEvidenceOfAnAlert(t *testing.T) {
	h, _ := caseHarness(t, nil)
	var got evidenceJSON
	if resp := h.getAs(t, tokOwnerA, "/api/v1/alerts/5/evidence", &got); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if len(got.Captures) != 1 || got.Captures[0].Fetch.RemoteAddr != "111.13.149.108:443" || len(got.Captures[0].Artefacts) != 2 {
		t.Errorf("captures %+v", got.Captures)
	}
	if len(got.Versions) != 2 || got.Versions[1].Price != 39.9 || !slices.Equal(got.Versions[1].Changes, []string{"price"}) {
		t.Errorf("versions %+v", got.Versions)
	}
	if got.ArtefactPath != "/api/v1/artefacts/{sha256}" {
		t.Errorf("artefact path %q", got.ArtefactPath)
	}
	// An alert without evidence answers empty lists, not null.
	_, raw := h.do(t, tokOwnerA, "GET", "/api/v1/alerts/1/evidence", "")
	if !strings.Contains(string(raw), `"captures":[]`) || !strings.Contains(string(raw), `"versions":[]`) {
		t.Errorf("empty evidence %s", raw)
	}
}

func TestPacketDownloads(t *testing.T) {
	h, mc := caseHarness(t, nil)
	for _, f := range []struct{ ext, media string }{{"pdf", "application/pdf"}, {"zip", "application/zip"}} {
		resp := h.send(t, tokOwnerA, "GET", "/api/v1/cases/1/packet."+f.ext, "")
		var body bytes.Buffer
		body.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != f.media ||
			resp.Header.Get("Content-Disposition") != `attachment; filename=MW-2026-0001.`+f.ext || body.String() != "%"+strings.ToUpper(f.ext)+" packet of case 1" {
			t.Errorf("packet.%s: %d %v %q", f.ext, resp.StatusCode, resp.Header, body.String())
		}
	}
	if !slices.Equal(mc.packets, []string{"1.pdf", "1.zip"}) {
		t.Errorf("packets %v", mc.packets)
	}
	// A packet that fails before writing answers a JSON error.
	h2 := newHarness(t, func(d *Deps) {
		mc := newMemCases()
		d.Cases, d.Packet = mc, func(_ context.Context, _ int64, _ io.Writer, _ string) error {
			return domain.Errorf(domain.EUNAVAILABLE, "chromium is not running")
		}
	})
	if code, body := h2.do(t, tokAdmin, "GET", "/api/v1/cases/1/packet.pdf", ""); code != 503 || !strings.Contains(string(body), "chromium is not running") {
		t.Errorf("failing packet: %d %s", code, body)
	}
}

func TestNotices(t *testing.T) {
	h, mc := caseHarness(t, nil)
	code, body := h.do(t, tokAdmin, "POST", "/api/v1/cases/1/notices", `{"platform":"pinduoduo"}`)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	var n domain.Notice
	decode(body, &n)
	if n.CaseID != 1 || n.Platform != "pinduoduo" || !n.GeneratedAt.Equal(seen) {
		t.Errorf("notice %+v", n)
	}
	path := "/api/v1/cases/1/notices/" + strconv.FormatInt(n.ID, 10)
	resp := h.send(t, tokOwnerA, "GET", path+".txt", "")
	var txt bytes.Buffer
	txt.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(txt.String(), "pinduoduo 知识产权投诉 MW-2026-0001") ||
		!strings.Contains(txt.String(), "https://markwatch.example.gov.cn/api/v1/artefacts/"+shaPageA) ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("notice text: %d %v %s", resp.StatusCode, resp.Header, txt.String())
	}
	for _, ext := range []string{"csv", "json"} {
		if code, body := h.do(t, tokOwnerA, "GET", path+"."+ext, ""); code != 200 || !strings.Contains(string(body), "jd.com/5.html") && ext == "csv" {
			t.Errorf("notice %s: %d %s", ext, code, body)
		}
	}
	if code, _ := h.do(t, tokOwnerA, "GET", path+".html", ""); code != 400 {
		t.Errorf("notice as html: %d, want 400", code)
	}
	// Answered before sent is refused; sent, then answered, sticks.
	if code, body := h.do(t, tokAdmin, "PATCH", path, `{"answered":true,"answer":"已下架"}`); code != 400 || !strings.Contains(string(body), "mark it sent") {
		t.Errorf("answered before sent: %d %s", code, body)
	}
	if code, _ := h.do(t, tokAdmin, "PATCH", path, `{"sent":true}`); code != 200 {
		t.Errorf("sent: %d", code)
	}
	code, body = h.do(t, tokAdmin, "PATCH", path, `{"answer":"已下架 3 个链接"}`)
	decode(body, &n)
	if code != 200 || n.SentAt == nil || n.AnsweredAt == nil || n.Answer != "已下架 3 个链接" {
		t.Errorf("answer: %d %s", code, body)
	}
	// An unknown platform creates nothing.
	before := mc.wrote()
	if code, _ := h.do(t, tokAdmin, "POST", "/api/v1/cases/1/notices", `{"platform":"amazon"}`); code != 400 || mc.wrote() != before {
		t.Errorf("unknown platform: %d, writes %d → %d", code, before, mc.wrote())
	}
	// A supervisor outside the jurisdiction neither creates nor updates.
	if code, _ := h.do(t, tokSupervisor, "POST", "/api/v1/cases/1/notices", `{"platform":"jd"}`); code != 404 {
		t.Errorf("supervisor outside creates a notice: %d", code)
	}
	if code, _ := h.do(t, tokSupervisor, "PATCH", "/api/v1/cases/1/notices/1", `{"sent":true}`); code != 404 || mc.wrote() != before {
		t.Errorf("supervisor outside updates a notice: %d", code)
	}
}

// TestCaseRoutesWithoutPrincipalRefuse: mounted without the guard, every
// evidence and case route answers 401 and touches nothing.
func TestCaseRoutesWithoutPrincipalRefuse(t *testing.T) {
	mc := newMemCases()
	deps := Deps{Alerts: newMemStore(), Evidence: mc, Blobs: mc, Cases: mc, Notices: mc, Transition: fakeTransition,
		Notice: fakeNotice, Packet: mc.Packet, Marks: caseMarks}
	r := strings.NewReplacer("{id}", "1", "{nid}", "1", "{file}", "1.txt", "{sha}", shaPageA)
	for _, rt := range Routes(deps, nil) {
		if rt.Perm == access.Public {
			continue
		}
		method, path, _ := strings.Cut(rt.Pattern, " ")
		req, _ := http.NewRequest(method, r.Replace(path), strings.NewReader(`{"status":"closed","platform":"jd","sent":true,"title":"x","alert_ids":[5]}`))
		rec := &statusRecorder{header: http.Header{}}
		rt.Handler.ServeHTTP(rec, req)
		if rec.status != http.StatusUnauthorized {
			t.Errorf("%s without a principal: %d", rt.Pattern, rec.status)
		}
	}
	if mc.wrote() != 0 || len(mc.packets) != 0 {
		t.Errorf("requests without a principal wrote %d times, packets %v", mc.wrote(), mc.packets)
	}
}
