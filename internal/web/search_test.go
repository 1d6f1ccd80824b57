package web

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// fakeHitsAPI stands in for the daemon's guard serving /api/v1/hits: it
// records what the console asked and answers a fixed page, or the API's
// 400 for an unknown parameter.
type fakeHitsAPI struct {
	mu     sync.Mutex
	query  url.Values
	cookie string
	host   string
	answer string
}

func (f *fakeHitsAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.query, f.cookie, f.host = r.URL.Query(), r.Header.Get("Cookie"), r.Host
	f.mu.Unlock()
	if r.URL.Path != hitsAPIPath {
		http.NotFound(w, r)
		return
	}
	if r.URL.Query().Has("mrak") {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":{"code":"invalid","message":"unknown query parameter mrak; accepted: q, mark"}}`)
		return
	}
	io.WriteString(w, f.answer)
}

const hitsAnswer = `{"hits":[
 {"id":2,"source_id":"demo","mark_id":"liugehetao","title":"陆个核桃 核桃乳 整箱","url":"https://item.example.cn/2.html","seller":"太行山货店","location":"河北 石家庄","price":29.9,"score":0.92,"alert":true,
  "reasons":[{"tactic":"sound","text":"音近: 陆→六","start":0,"end":1}],"last_seen":"2026-11-25T02:30:00Z"},
 {"id":9,"source_id":"demo","mark_id":"hengshui-laobaigan","title":"衡水老白干 67度","url":"https://item.example.cn/9.html","location":"河北 衡水","score":0.9,"alert":true,"reasons":[],"last_seen":"2026-11-25T02:30:00Z"}],
 "total":2,"total_estimated":false,
 "facets":{"mark":[{"value":"liugehetao","count":1}],"platform":[{"value":"demo","count":2}],"province":[{"value":"河北","count":2}]}}`

func TestSearchPageAsksTheAPI(t *testing.T) {
	api := &fakeHitsAPI{answer: hitsAnswer}
	h := newHarness(t, func(d *Deps) { d.API = api })
	req, _ := http.NewRequest("GET", h.srv.URL+"/search?q=六个核桃&platform=demo&from=&page=2", nil)
	req.Header.Set("Cookie", "markwatch_session=s3cret")
	resp, body := h.send(t, req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("search page: %d %s", resp.StatusCode, body)
	}
	api.mu.Lock()
	q, cookie := api.query, api.cookie
	api.mu.Unlock()
	if q.Get("q") != "六个核桃" || q.Get("platform") != "demo" || q.Has("from") || q.Has("page") || q.Get("offset") != "50" || q.Get("limit") != "50" {
		t.Errorf("the API was asked %v: want q and platform passed on, the empty date dropped, page 2 as offset 50", q)
	}
	if cookie != "markwatch_session=s3cret" {
		t.Errorf("the API was asked with cookie %q: it must see the visitor's own session", cookie)
	}
	for _, want := range []string{
		`<mark title="音近: 陆→六">陆</mark>个核桃`,                  // the look-alike highlighted as the queue does
		`value="六个核桃"`,                                       // the query kept in the box
		`<input type="hidden" name="platform" value="demo">`, // the chosen facet kept by the form
		`✓ demo`, // and shown as chosen
		`href="/search?platform=demo&amp;province=%E6%B2%B3%E5%8C%97&amp;q=`, // a facet link adds its value
		`href="/api/v1/hits/export.csv?platform=demo&amp;q=`,                 // the export is the filter
		"六个核桃", // the mark facet by name
	} {
		if !strings.Contains(body, want) {
			t.Errorf("search page lacks %q", want)
		}
	}
	// The console's own lock: a hit outside the principal's scope that the
	// API should not have answered is not shown.
	h.signIn(ownerA)
	_, body = h.get(t, "/search?q=核桃")
	if strings.Contains(body, "衡水老白干 67度") {
		t.Error("owner A's search page shows 衡水老白干's hit")
	}
}

func TestSearchPageShowsTheAPIsRefusal(t *testing.T) {
	h := newHarness(t, func(d *Deps) { d.API = &fakeHitsAPI{answer: hitsAnswer} })
	resp, body := h.get(t, "/search?mrak=liugehetao")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "unknown query parameter mrak") {
		t.Errorf("search with a misspelt filter = %d, want 400 naming it: %s", resp.StatusCode, body)
	}
}

func TestQueueSendsWordsToSearch(t *testing.T) {
	h := newHarness(t, func(d *Deps) { d.API = &fakeHitsAPI{answer: hitsAnswer} })
	resp, _ := h.get(t, "/?q=%E5%85%AD%E4%B8%AA%E6%A0%B8%E6%A1%83&mark=liugehetao")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/search?q=%E5%85%AD%E4%B8%AA%E6%A0%B8%E6%A1%83&mark=liugehetao" {
		t.Errorf("/?q=六个核桃 = %d to %q, want 303 to the search with the same query", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Without the API there is no search page, and no link to one.
	h = newHarness(t, nil)
	if resp, body := h.get(t, "/search"); resp.StatusCode != http.StatusNotFound || strings.Contains(body, `href="/search"`) {
		t.Errorf("without the API: /search = %d", resp.StatusCode)
	}
	_, body := h.get(t, "/?status=all")
	if !strings.Contains(body, `href="/api/v1/alerts/export.csv?"`) {
		t.Error("the queue offers no export of its filter")
	}
}
