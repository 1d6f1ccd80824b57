package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

func TestCaseRoutesDeclarePermissions(t *testing.T) {
	want := map[string]access.Permission{
		"GET /cases":                     access.ReadAlerts,
		"GET /cases/{id}":                access.ReadAlerts,
		"POST /cases":                    access.Review,
		"POST /cases/{id}":               access.Review,
		"POST /cases/{id}/notices":       access.Review,
		"POST /cases/{id}/notices/{nid}": access.Review,
	}
	fc := newFakeCases()
	got := map[string]access.Permission{}
	mux := http.NewServeMux() // panics on conflicting patterns
	for _, r := range Routes(Deps{Alerts: &fakeStore{}, Cases: fc, Notices: fc, Evidence: fc}, nil) {
		got[r.Pattern] = r.Perm
		mux.Handle(r.Pattern, r.Handler)
	}
	for p, perm := range want {
		if got[p] != perm {
			t.Errorf("%s: permission %q, want %q", p, got[p], perm)
		}
	}
	for _, r := range Routes(Deps{Alerts: &fakeStore{}, Cases: fc}, nil) {
		if strings.Contains(r.Pattern, "notices") {
			t.Errorf("%s declared without a notice store", r.Pattern)
		}
	}
}

// Texts of cases owner A (六个核桃) does not hold.
var notAsCase = []string{"MW-2026-0002", "衡水老白干 仿冒", "石家庄市市场监管局 张三", "河北 石家庄"}

func TestCaseListIsScoped(t *testing.T) {
	tests := []struct {
		name  string
		who   *access.Principal
		shows []string
		hides []string
	}{
		{"owner A 六个核桃", ownerA, []string{"MW-2026-0001", "MW-2026-0003", "六个核桃 仿冒 某某食品专营店"}, notAsCase},
		{"owner B 衡水老白干", ownerB, []string{"MW-2026-0002"}, []string{"MW-2026-0001", "MW-2026-0003", "山东 临沂"}},
		{"supervisor 河北 石家庄", supervisor("河北 石家庄"), []string{"MW-2026-0002", "共 1 件"}, []string{"MW-2026-0001", "山东 临沂"}},
		{"supervisor 山东 临沂", supervisor("山东 临沂"), []string{"MW-2026-0001", "MW-2026-0003"}, notAsCase},
		{"admin", admin, []string{"MW-2026-0001", "MW-2026-0002", "MW-2026-0003", "共 3 件"}, nil},
	}
	for _, ignore := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := newHarness(t, nil)
				h.cases.ignoreScope = ignore
				h.signIn(tt.who)
				resp, body := h.get(t, "/cases")
				if resp.StatusCode != 200 {
					t.Fatalf("status %d", resp.StatusCode)
				}
				for _, s := range tt.shows {
					if !strings.Contains(body, s) {
						t.Errorf("store ignores scope=%t: the list lacks %q", ignore, s)
					}
				}
				for _, s := range tt.hides {
					if strings.Contains(body, s) {
						t.Errorf("store ignores scope=%t: the list shows %q", ignore, s)
					}
				}
			})
		}
	}
	h := newHarness(t, nil)
	if _, body := h.get(t, "/cases?status=investigating"); !strings.Contains(body, "MW-2026-0002") || strings.Contains(body, "MW-2026-0001") {
		t.Error("the status filter does not filter")
	}
	if resp, _ := h.get(t, "/cases?status=pending"); resp.StatusCode != 400 {
		t.Errorf("unknown status: %d, want 400", resp.StatusCode)
	}
	// The nav offers 案件 to everyone who reads alerts.
	for _, who := range []*access.Principal{admin, operator, ownerA, supervisor("")} {
		h.signIn(who)
		if _, body := h.get(t, "/"); !strings.Contains(body, `<a href="/cases">案件 Cases</a>`) {
			t.Errorf("%s: no 案件 link", who.User.Name)
		}
	}
}

// An out-of-scope case answers byte for byte as a missing one.
func TestOutOfScopeCaseIsTheMissingPage(t *testing.T) {
	tests := []struct {
		who  *access.Principal
		id   string
		leak []string
	}{
		{ownerA, "2", notAsCase},
		{ownerB, "1", []string{"MW-2026-0001", "临沂"}},
		{supervisor("河北 石家庄"), "1", []string{"MW-2026-0001", "临沂", "李四"}},
		{supervisor("河北 石家庄"), "3", []string{"MW-2026-0003"}},
	}
	for _, tt := range tests {
		h := newHarness(t, nil).withCaseAlerts()
		h.signIn(tt.who)
		missingResp, missing := h.get(t, "/cases/99")
		resp, body := h.get(t, "/cases/"+tt.id)
		if resp.StatusCode != 404 || missingResp.StatusCode != 404 || body != missing {
			t.Errorf("%s GET /cases/%s: %d, differs from a missing case's page:\n%s\n---\n%s", tt.who.User.Name, tt.id, resp.StatusCode, body, missing)
		}
		for _, s := range tt.leak {
			if strings.Contains(body, s) {
				t.Errorf("%s GET /cases/%s leaks %q", tt.who.User.Name, tt.id, s)
			}
		}
	}
}

// Owners read their cases but change nothing: every case post is 403 and
// the store is untouched; the page offers them no forms but sign-out.
func TestOwnerCannotChangeCases(t *testing.T) {
	h := newHarness(t, nil).withCaseAlerts()
	h.signIn(ownerA)
	posts := []struct {
		path string
		form url.Values
	}{
		{"/cases", url.Values{"title": {"权利人立案"}, "alert_id": {"5"}}},
		{"/cases/1", url.Values{"action": {"status"}, "status": {"closed"}}},
		{"/cases/1", url.Values{"action": {"edit"}, "title": {"改"}, "notes": {"权利人改的"}}},
		{"/cases/1", url.Values{"action": {"add_alert"}, "alert_id": {"6"}}},
		{"/cases/2", url.Values{"action": {"status"}, "status": {"closed"}}},
		{"/cases/1/notices", url.Values{"platform": {"jd"}}},
		{"/cases/1/notices/1", url.Values{"action": {"sent"}}},
	}
	for _, who := range []*access.Principal{ownerA, operator} {
		h.signIn(who)
		for _, p := range posts {
			p.form.Set("csrf_token", who.CSRFToken)
			if resp, _ := h.post(t, p.path, p.form, nil); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s POST %s: %d, want 403", who.User.Name, p.path, resp.StatusCode)
			}
		}
	}
	if n := h.cases.wrote(); n != 0 {
		t.Errorf("refused posts wrote %d times", n)
	}
	h.signIn(ownerA)
	resp, body := h.get(t, "/cases/1")
	if resp.StatusCode != 200 || !strings.Contains(body, "MW-2026-0001") || !strings.Contains(body, "六仌核桃") {
		t.Fatalf("owner A reading its case: %d", resp.StatusCode)
	}
	for _, s := range []string{`action="/cases`, "加入案件", "变更状态", "生成通知", "六个核桃 仿 礼盒装"} {
		if strings.Contains(body, s) {
			t.Errorf("owner A's case page offers %q", s)
		}
	}
	// It still downloads what it may read.
	for _, s := range []string{`href="/api/v1/cases/1/packet.pdf"`, `href="/api/v1/cases/1/packet.zip"`, `href="/api/v1/cases/1/notices/1.txt"`} {
		if !strings.Contains(body, s) {
			t.Errorf("owner A's case page lacks %s", s)
		}
	}
	// Owners get no 立案 form on their confirmed alerts either.
	if _, q := h.get(t, "/?status=confirmed"); strings.Contains(q, `action="/cases"`) {
		t.Error("the queue offers owner A the 立案 form")
	}
}

var buttonRE = regexp.MustCompile(`<button type="submit" name="status" value="([a-z_]+)"`)

func TestCasePageForReviewers(t *testing.T) {
	h := newHarness(t, nil).withCaseAlerts()
	h.signIn(supervisor("山东 临沂"))
	resp, body := h.get(t, "/cases/1")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, s := range []string{
		"六个核桃 仿冒 某某食品专营店", "MW-2026-0001", "山东 临沂", "已立案", "临沂市市场监管局 李四", "临沂市场监管局已受理",
		`<a href="/alerts/5">`, "六仌核桃", // the case's alert
		`name="action" value="add_alert"><input type="hidden" name="alert_id" value="6">`, "加入案件 Add", // the suggestion
		"京东知识产权保护平台", `href="/api/v1/cases/1/notices/1.csv"`, "标记已发送",
		`<option value="pinduoduo">`, "生成通知",
	} {
		if !strings.Contains(body, s) {
			t.Errorf("case page lacks %q", s)
		}
	}
	// Only the statuses the workflow allows are offered.
	var offered []string
	for _, m := range buttonRE.FindAllStringSubmatch(body, -1) {
		offered = append(offered, m[1])
	}
	if strings.Join(offered, ",") != "investigating,closed" {
		t.Errorf("status buttons %v, want investigating, closed", offered)
	}
	// One alert: no remove button (a case keeps at least one).
	if strings.Contains(body, "remove_alert") {
		t.Error("the only alert of a case can be removed")
	}
}

func TestCaseUpdates(t *testing.T) {
	tests := []struct {
		name   string
		form   url.Values
		code   int
		says   []string
		status domain.CaseStatus
		alerts []int64
	}{
		{"open → removed is refused, naming what may follow", url.Values{"action": {"status"}, "status": {"removed"}}, 400,
			[]string{"不能变为「已下架」", "「调查中」investigating", "「已结案」closed"}, domain.CaseOpen, []int64{5}},
		{"open → investigating", url.Values{"action": {"status"}, "status": {"investigating"}}, 303, nil, domain.CaseInvestigating, []int64{5}},
		{"add the suggested alert", url.Values{"action": {"add_alert"}, "alert_id": {"6"}}, 303, nil, domain.CaseOpen, []int64{5, 6}},
		{"add an open alert", url.Values{"action": {"add_alert"}, "alert_id": {"1"}}, 400, []string{"尚未确认侵权"}, domain.CaseOpen, []int64{5}},
		{"add another mark's alert", url.Values{"action": {"add_alert"}, "alert_id": {"7"}}, 404, []string{"没有这条告警"}, domain.CaseOpen, []int64{5}},
		{"remove the last alert", url.Values{"action": {"remove_alert"}, "alert_id": {"5"}}, 400, []string{"至少需要一条告警"}, domain.CaseOpen, []int64{5}},
		{"unknown action", url.Values{"action": {"delete"}}, 400, []string{"action="}, domain.CaseOpen, []int64{5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil).withCaseAlerts()
			h.signIn(supervisor("山东 临沂"))
			resp, body := h.post(t, "/cases/1", tt.form, nil)
			if resp.StatusCode != tt.code {
				t.Fatalf("status %d, want %d:\n%s", resp.StatusCode, tt.code, body)
			}
			if tt.code == 303 && resp.Header.Get("Location") != "/cases/1" {
				t.Errorf("redirect to %q", resp.Header.Get("Location"))
			}
			for _, s := range tt.says {
				if !strings.Contains(body, s) {
					t.Errorf("answer lacks %q", s)
				}
			}
			c := h.cases.get(1)
			if c.Status != tt.status || !equalIDs(c.AlertIDs, tt.alerts) {
				t.Errorf("case now %s %v, want %s %v", c.Status, c.AlertIDs, tt.status, tt.alerts)
			}
		})
	}
	// Edit title, assignee and notes; a supervisor elsewhere cannot.
	h := newHarness(t, nil).withCaseAlerts()
	h.signIn(supervisor("河北 石家庄"))
	edit := url.Values{"action": {"edit"}, "title": {"改标题"}, "assignee": {"张三"}, "notes": {"越权"}}
	if resp, _ := h.post(t, "/cases/1", edit, nil); resp.StatusCode != 404 || h.cases.wrote() != 0 {
		t.Errorf("supervisor of 河北 石家庄 edits the 临沂 case: %d, writes %d", resp.StatusCode, h.cases.wrote())
	}
	h.signIn(supervisor("山东"))
	edit.Set("notes", "已调取店铺信息")
	if resp, _ := h.post(t, "/cases/1", edit, nil); resp.StatusCode != 303 {
		t.Fatalf("edit: %d", resp.StatusCode)
	}
	if c := h.cases.get(1); c.Title != "改标题" || c.Assignee != "张三" || c.Notes != "已调取店铺信息" {
		t.Errorf("edited case %+v", c)
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFileACase(t *testing.T) {
	h := newHarness(t, nil).withCaseAlerts()
	h.signIn(supervisor("山东 临沂"))
	// The queue offers 立案 on confirmed alerts only.
	_, queue := h.get(t, "/?status=all")
	forms := formRE.FindAllString(queue, -1)
	filed := 0
	for _, f := range forms {
		if strings.Contains(f, `action="/cases"`) {
			filed++
			if !strings.Contains(f, `name="alert_id" value="5"`) && !strings.Contains(f, `name="alert_id" value="6"`) {
				t.Errorf("立案 offered on an alert that is not confirmed:\n%s", f)
			}
		}
	}
	if filed != 2 {
		t.Errorf("%d 立案 forms in the queue, want 2 (alerts 5 and 6)", filed)
	}
	if _, ev := h.get(t, "/alerts/5"); !strings.Contains(ev, `action="/cases"`) || !strings.Contains(ev, `value="六个核桃 涉嫌侵权 某某食品专营店 2026-11-26"`) {
		t.Error("the evidence page of a confirmed alert lacks the 立案 form with a proposed title")
	}
	resp, body := h.post(t, "/cases", url.Values{"title": {"六个核桃 仿冒 临沂"}, "alert_id": {"5", "6"}}, nil)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/cases/101" {
		t.Fatalf("file: %d %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	c := h.cases.get(101)
	if c.MarkID != "liugehetao" || c.Jurisdiction != "山东 临沂" || !equalIDs(c.AlertIDs, []int64{5, 6}) || c.CreatedBy.Name != "linyi-amr" || c.Status != domain.CaseOpen {
		t.Errorf("filed %+v", c)
	}
	refused := []struct {
		form url.Values
		code int
		says string
	}{
		{url.Values{"title": {"未确认"}, "alert_id": {"1"}}, 400, "尚未确认侵权"},
		{url.Values{"title": {"无告警"}}, 400, "至少需要一条告警"},
		{url.Values{"alert_id": {"5"}}, 400, "需要标题"},
		{url.Values{"title": {"越权"}, "alert_id": {"7"}}, 404, "没有这条告警"}, // 河北 石家庄, outside
	}
	before := h.cases.wrote()
	for _, r := range refused {
		if resp, body := h.post(t, "/cases", r.form, nil); resp.StatusCode != r.code || !strings.Contains(body, r.says) {
			t.Errorf("POST /cases %v: %d, want %d saying %q", r.form, resp.StatusCode, r.code, r.says)
		}
	}
	if h.cases.wrote() != before {
		t.Error("a refused case was stored")
	}
	// The out-of-scope alert is the missing-alert page.
	_, outside := h.post(t, "/cases", url.Values{"title": {"越权"}, "alert_id": {"7"}}, nil)
	_, missing := h.post(t, "/cases", url.Values{"title": {"越权"}, "alert_id": {"99"}}, nil)
	if outside != missing {
		t.Error("an out-of-scope alert answers differently from a missing one")
	}
}

func TestNoticesFromTheConsole(t *testing.T) {
	h := newHarness(t, nil).withCaseAlerts()
	h.signIn(supervisor("山东"))
	if resp, _ := h.post(t, "/cases/1/notices", url.Values{"platform": {"pinduoduo"}}, nil); resp.StatusCode != 303 {
		t.Fatalf("generate: %d", resp.StatusCode)
	}
	if n := h.cases.notice(101); n.CaseID != 1 || n.Platform != "pinduoduo" || !n.GeneratedAt.Equal(printed) {
		t.Errorf("notice %+v", n)
	}
	if resp, _ := h.post(t, "/cases/1/notices", url.Values{"platform": {"amazon"}}, nil); resp.StatusCode != 400 {
		t.Errorf("unknown platform: %d", resp.StatusCode)
	}
	if resp, body := h.post(t, "/cases/1/notices/1", url.Values{"action": {"answered"}, "answer": {"已下架"}}, nil); resp.StatusCode != 400 || !strings.Contains(body, "请先标记已发送") {
		t.Errorf("answered before sent: %d", resp.StatusCode)
	}
	if resp, _ := h.post(t, "/cases/1/notices/1", url.Values{"action": {"sent"}}, nil); resp.StatusCode != 303 || h.cases.notice(1).SentAt == nil {
		t.Errorf("sent: %d", resp.StatusCode)
	}
	if resp, _ := h.post(t, "/cases/1/notices/1", url.Values{"action": {"answered"}, "answer": {"已下架 3 个链接"}}, nil); resp.StatusCode != 303 {
		t.Errorf("answered: %d", resp.StatusCode)
	}
	if n := h.cases.notice(1); n.AnsweredAt == nil || n.Answer != "已下架 3 个链接" {
		t.Errorf("notice %+v", n)
	}
	_, body := h.get(t, "/cases/1")
	for _, s := range []string{"已下架 3 个链接", "记录答复", "2026-11-26 00:05:00"} {
		if !strings.Contains(body, s) {
			t.Errorf("case page lacks %q", s)
		}
	}
	// Notice 2 belongs to case 2 (河北 石家庄): not through case 1.
	before := h.cases.wrote()
	if resp, _ := h.post(t, "/cases/1/notices/2", url.Values{"action": {"sent"}}, nil); resp.StatusCode != 404 || h.cases.wrote() != before {
		t.Errorf("another case's notice through case 1: %d", resp.StatusCode)
	}
	h.signIn(supervisor("河北 石家庄"))
	if resp, _ := h.post(t, "/cases/1/notices", url.Values{"platform": {"jd"}}, nil); resp.StatusCode != 404 || h.cases.wrote() != before {
		t.Errorf("supervisor outside generates a notice: %d", resp.StatusCode)
	}
}

// Hostile case titles, notes and assignees, and hostile listing titles in
// the version timeline, reach the pages escaped.
func TestHostileCaseTextIsEscaped(t *testing.T) {
	h := newHarness(t, nil).withCaseAlerts()
	for _, who := range []*access.Principal{admin, ownerA, supervisor("山东")} {
		h.signIn(who)
		for _, path := range []string{"/cases", "/cases/3", "/alerts/1"} {
			resp, body := h.get(t, path)
			if resp.StatusCode != 200 {
				t.Fatalf("%s GET %s: %d", who.User.Name, path, resp.StatusCode)
			}
			for _, bad := range []string{"<script>", "<img src=x", "<b>张</b>"} {
				if strings.Contains(body, bad) {
					t.Errorf("%s GET %s: hostile %q reached the page", who.User.Name, path, bad)
				}
			}
		}
	}
	h.signIn(admin)
	_, body := h.get(t, "/cases/3")
	for _, s := range []string{`&lt;script&gt;alert(&#34;案&#34;)&lt;/script&gt;六个核桃 仿冒`, `&#34;&gt;&lt;img src=x onerror=alert(1)&gt;备注`, "&lt;b&gt;张&lt;/b&gt;"} {
		if !strings.Contains(body, s) {
			t.Errorf("case page lacks the escaped %q", s)
		}
	}
}

func TestEvidenceTimelineAndCaptures(t *testing.T) {
	h := newHarness(t, nil)
	resp, body := h.get(t, "/alerts/1")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, s := range []string{
		// captures
		"取证 #11", "https://search.example.cn/s?q=六个核桃&amp;p=1", "111.13.149.108:443", "Mozilla/5.0 markwatch/1.0",
		"搜索结果页", shaPage, "47.1 KB", "text/html; charset=gbk", `href="/api/v1/artefacts/` + shaPage + `" download`,
		"整页截图", `<img class="thumb" src="/api/v1/artefacts/` + shaShot + `"`, strings.Repeat("e", 64) + " (log #7)",
		// timeline
		"第1版", "第2版", "第3版", "第4版", `<dd class="changed">¥45.00</dd>`, "变更 Changed: 售价",
		`<dd class="changed">六个核桃 &lt;script&gt;`, "变更 Changed: 标题", `<span class="badge badge-removed">已下架 Removed</span>`,
		"变更 Changed: 在售状态", `<a class="sub" href="#capture-11">`,
		// which version the reasons read
		"第3版起标题已变更为「六个核桃 &lt;script&gt;", "判定依据针对第1版标题「六個核桃 核桃乳 240ml*12罐」", "<th>所指版本 Version</th>", "<td>第1版</td>",
	} {
		if !strings.Contains(body, s) {
			t.Errorf("evidence page lacks %q", s)
		}
	}
	if strings.Count(body, `class="changed"`) != 3 {
		t.Errorf("%d changed fields marked, want 3 (price in v2, title in v3, availability in v4)", strings.Count(body, `class="changed"`))
	}
	// Without downloads served by the API: hashes, no links, no thumbnail.
	h = newHarness(t, func(d *Deps) { d.APIDownloads = false })
	_, body = h.get(t, "/alerts/1")
	if !strings.Contains(body, shaShot) || strings.Contains(body, "/api/v1/artefacts/") || strings.Contains(body, "<img") {
		t.Error("without API downloads the page still links artefacts")
	}
	// A failing evidence store leaves the rest of the page and says so.
	h = newHarness(t, nil)
	h.cases.evErr = errorString("sqlite: database is locked")
	resp, body = h.get(t, "/alerts/1")
	if resp.StatusCode != 200 || !strings.Contains(body, "证据记录暂时无法读取") || !strings.Contains(body, "六个核桃") {
		t.Errorf("evidence failure: %d", resp.StatusCode)
	}
	// An alert without evidence says so.
	_, body = newHarness(t, nil).get(t, "/alerts/2")
	if !strings.Contains(body, "尚无取证记录") || !strings.Contains(body, "尚无版本记录") {
		t.Error("an alert without evidence does not say so")
	}
}
