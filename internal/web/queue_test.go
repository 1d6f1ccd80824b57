package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestQueueDefaultsToOpenNewestFirst(t *testing.T) {
	h := newHarness(t, nil)
	resp, body := h.get(t, "/")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if f := h.store.filter; f.Status != domain.AlertOpen || f.MarkID != "" || f.Limit != defaultPageSize || f.Offset != 0 {
		t.Errorf("asked the store for %+v, want open alerts, first page", f)
	}
	i3, i1 := strings.Index(body, "赵县雪梨 新鲜水果"), strings.Index(body, "240ml*12罐")
	if i3 < 0 || i1 < 0 || i3 > i1 {
		t.Errorf("want alert 3 (newer) before alert 1; positions %d, %d", i3, i1)
	}
	for _, want := range []string{
		`六<mark title="繁体: 個→个">個</mark>核桃 <mark class="ctx" title="商品: 核桃乳">核桃乳</mark> 240ml*12罐`, // highlighted
		"六个核桃", "<div class=\"kind\">商标</div>", "赵县雪梨", "地理标志", // mark names and kinds
		"0.93", "某某食品专营店", "山东 临沂",
		"2026-11-24 10:30:00 &#43;08:00", "2026-11-25 10:30:00 &#43;08:00", // first and last seen in Beijing time
		`<a href="https://item.example.cn/1.html" rel="noopener noreferrer" target="_blank">`,
		`<a href="/alerts/1">`,
		`action="/alerts/1/status"`, `value="confirmed"`, "确认侵权", `value="dismissed"`, "驳回",
		`<input type="hidden" name="back" value="/">`,
		"共 2 条",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("queue lacks %q", want)
		}
	}
	if strings.Contains(body, "衡水老白乾") {
		t.Error("the default queue shows a confirmed alert")
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("queue answered without %s", h)
		}
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestQueueFilters(t *testing.T) {
	tests := []struct {
		query     string
		filter    domain.AlertFilter
		shows     []string
		hides     []string
		selection string
	}{
		{"?status=confirmed", domain.AlertFilter{Status: domain.AlertConfirmed},
			[]string{"衡水老白", "重新打开", "中华老字号", "已确认侵权"}, []string{"核桃乳", "赵县雪梨 新鲜"}, `<option value="confirmed" selected>`},
		{"?status=all", domain.AlertFilter{},
			[]string{"衡水老白", "核桃乳", "赵县雪梨", "已驳回"}, nil, `<option value="all" selected>`},
		{"?mark=liugehetao&status=all", domain.AlertFilter{MarkID: "liugehetao"},
			[]string{"核桃乳", "特价"}, []string{"衡水老白乾", "赵县雪梨 新鲜"}, `<option value="liugehetao" selected>六个核桃（商标）</option>`},
		{"?mark=zhaoxian-xueli", domain.AlertFilter{MarkID: "zhaoxian-xueli", Status: domain.AlertOpen},
			[]string{"赵县雪梨 新鲜水果"}, []string{"核桃乳"}, `<option value="open" selected>`},
		{"?mark=lulu", domain.AlertFilter{MarkID: "lulu", Status: domain.AlertOpen},
			[]string{"没有符合条件的告警"}, []string{"<table"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			h := newHarness(t, nil)
			resp, body := h.get(t, "/"+tt.query)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			f := h.store.filter
			if f.MarkID != tt.filter.MarkID || f.Status != tt.filter.Status {
				t.Errorf("store asked for mark %q status %q, want %q %q", f.MarkID, f.Status, tt.filter.MarkID, tt.filter.Status)
			}
			for _, s := range tt.shows {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			for _, s := range tt.hides {
				if strings.Contains(body, s) {
					t.Errorf("page shows %q", s)
				}
			}
			if !strings.Contains(body, tt.selection) {
				t.Errorf("page lacks the selected filter %q", tt.selection)
			}
		})
	}
}

func TestQueueRefusesBadParameters(t *testing.T) {
	tests := []struct{ query, says string }{
		{"?status=closed", "open, confirmed, dismissed or all"},
		{"?status=待审核", "open, confirmed, dismissed or all"},
		{"?mark=六个核桃", "registry id"},
		{"?mark=" + strings.Repeat("a", 65), "registry id"},
		{"?page=0", "from 1 to"},
		{"?page=二", "from 1 to"},
		{"?page=99999999999", "from 1 to"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			h := newHarness(t, nil)
			resp, body := h.get(t, "/"+tt.query)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tt.says) {
				t.Errorf("status %d, want 400 saying %q; body:\n%s", resp.StatusCode, tt.says, body)
			}
		})
	}
}

func TestQueuePages(t *testing.T) {
	h := newHarness(t, func(d *Deps) { d.PageSize = 1 })
	_, body := h.get(t, "/?status=all")
	if !strings.Contains(body, "第 1 / 4 页") || !strings.Contains(body, `href="/?status=all&amp;page=2"`) || strings.Contains(body, "上一页") {
		t.Errorf("first page navigation wrong:\n%s", body)
	}
	_, body = h.get(t, "/?status=all&page=2")
	if h.store.filter.Offset != 1 || h.store.filter.Limit != 1 {
		t.Errorf("page 2 asked for %+v", h.store.filter)
	}
	if !strings.Contains(body, `href="/?status=all"`) || !strings.Contains(body, `href="/?status=all&amp;page=3"`) {
		t.Errorf("page 2 lacks links both ways:\n%s", body)
	}
	if !strings.Contains(body, `name="back" value="/?status=all&amp;page=2"`) {
		t.Error("review forms on page 2 do not return to page 2")
	}
	_, body = h.get(t, "/?status=all&page=4")
	if strings.Contains(body, "下一页") {
		t.Error("last page links to a next page")
	}
	_, body = h.get(t, "/?status=all&page=9")
	if !strings.Contains(body, "没有符合条件的告警") {
		t.Error("a page past the end should say nothing matches")
	}
}

// Titles, sellers and URLs come from marketplaces; they must reach the page
// escaped, with the highlighting still on the right characters.
func TestQueueEscapesUntrustedText(t *testing.T) {
	h := newHarness(t, nil)
	_, body := h.get(t, "/?status=dismissed")
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<b>坏</b>") || strings.Contains(body, `<i>`) {
		t.Fatalf("untrusted markup reached the page:\n%s", body)
	}
	for _, want := range []string{
		`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;<mark title="名称相同 &#34;&lt;i&gt;&#34;">六个核桃</mark> &amp; &#34;特价&#34;`,
		`&lt;b&gt;坏&lt;/b&gt;店`,
		`href="#ZgotmplZ"`, // a javascript: URL is neutralised
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestQueueWithoutRegistryShowsIDs(t *testing.T) {
	h := newHarness(t, func(d *Deps) { d.Marks = nil; d.Sources = nil })
	_, body := h.get(t, "/?mark=liugehetao")
	if !strings.Contains(body, `<input type="text" name="mark" value="liugehetao"`) || !strings.Contains(body, ">liugehetao<") {
		t.Errorf("without a registry the mark filter should be a text box and rows show ids:\n%s", body)
	}
	if strings.Contains(body, `href="/sources"`) {
		t.Error("the sources link shows without a source lister")
	}
	if resp, _ := h.get(t, "/sources"); resp.StatusCode != 404 {
		t.Errorf("/sources without a lister: %d, want 404", resp.StatusCode)
	}
}

func TestQueueStoreFailures(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		says   string
		hides  string
		level  string
	}{
		{"internal detail stays in the log", errorString("sqlite: disk I/O error at /var/lib/markwatch/markwatch.db"), 500, "服务器内部错误", "/var/lib", "error"},
		{"unavailable", domain.Errorf(domain.EUNAVAILABLE, "数据库繁忙 store is busy"), 503, "数据库繁忙", "", "warn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.store.err = tt.err
			resp, body := h.get(t, "/")
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.says) {
				t.Errorf("status %d, want %d saying %q:\n%s", resp.StatusCode, tt.status, tt.says, body)
			}
			if tt.hides != "" && strings.Contains(body, tt.hides) {
				t.Errorf("page leaks %q", tt.hides)
			}
			logged := h.logs.FilterMessage("console request failed").All()
			if len(logged) != 1 || logged[0].Level.String() != tt.level {
				t.Fatalf("logged %v, want one %s line", logged, tt.level)
			}
			if msg, _ := logged[0].ContextMap()["error"].(string); !strings.Contains(msg, "listing alerts for the queue") {
				t.Errorf("logged error %q lacks what was being done", msg)
			}
		})
	}
	h := newHarness(t, func(d *Deps) { d.Alerts = nil })
	if resp, _ := h.get(t, "/"); resp.StatusCode != 503 {
		t.Errorf("no alert store: %d, want 503", resp.StatusCode)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestStaticAndUnknownPaths(t *testing.T) {
	h := newHarness(t, nil)
	resp, body := h.get(t, "/static/console.css")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") || !strings.Contains(body, "mark {") {
		t.Errorf("stylesheet: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, _ := h.get(t, "/static/console.js"); resp.StatusCode != 200 {
		t.Errorf("script: %d", resp.StatusCode)
	}
	// A missing static file gets the console's own 404 page.
	if resp, body := h.get(t, "/static/nope.css"); resp.StatusCode != 404 || !strings.Contains(body, "未找到") {
		t.Errorf("GET /static/nope.css: %d, want the console's 404 page", resp.StatusCode)
	}
	// Undeclared paths are the Guard's default deny; the console declares
	// none of them.
	for _, p := range []string{"/static/", "/nope", "/alerts", "/alerts/1/status"} {
		if resp, _ := h.get(t, p); resp.StatusCode < 400 {
			t.Errorf("GET %s: %d, want a refusal", p, resp.StatusCode)
		}
	}
}

func TestSourcesPage(t *testing.T) {
	h := newHarness(t, nil)
	resp, body := h.get(t, "/sources")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"demo", "@every 10m", "运行中", "2026-11-26 00:05:00 &#43;08:00", `class="failing"`, `href="/sources"`} {
		if !strings.Contains(body, want) {
			t.Errorf("sources page lacks %q", want)
		}
	}
}
