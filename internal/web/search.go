package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// The search page asks the API (Deps.API, the daemon's guard) for
// /api/v1/hits in-process, with the visitor's own cookie, so the console's
// search is the API's search: the same filters, the same refusal of an
// unknown parameter, the same scope, the same counts.
const (
	hitsAPIPath      = "/api/v1/hits"
	hitsExport       = "/api/v1/hits/export.csv"
	alertsExport     = "/api/v1/alerts/export.csv"
	alertsExportXLSX = "/api/v1/alerts/export.xlsx"
	maxAPIAnswer     = 8 << 20 // a page of 50 hits with facets is ~50 KB
	searchPerPage    = 50
)

// apiHits is the part of the API's answer the page reads.
type apiHits struct {
	Hits   []domain.Hit                    `json:"hits"`
	Total  int                             `json:"total"`
	Est    bool                            `json:"total_estimated"`
	Facets map[string][]apiFacetCount      `json:"facets"`
	Error  *struct{ Code, Message string } `json:"error"`
}

type apiFacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// facetGroup is one facet as the page lists it: each value a link that adds
// it to the search, or takes it out again when it is selected.
type facetGroup struct {
	Name, Label string
	Values      []facetLink
}

type facetLink struct {
	Label    string
	Count    int
	Href     string
	Selected bool
}

type hitRow struct {
	domain.Hit
	Segments []segment
	MarkName string
	Score    string
	Price    string
	LastSeen string
	AlertURL string
}

type searchView struct {
	page
	Query     string
	From, To  string
	Sorts     []option
	Hidden    []hiddenField // the facets chosen, kept by the form
	Groups    []facetGroup
	Rows      []hitRow
	Total     int
	Estimated bool
	Page      int
	PrevURL   string
	NextURL   string
	ExportURL string
}

type hiddenField struct{ Name, Value string }

// facetOrder is the order and labels of the facets on the page.
var facetOrder = []struct{ name, label string }{
	{"mark", "标识 Mark"}, {"kind", "类别 Kind"}, {"platform", "平台 Platform"}, {"source", "来源 Source"},
	{"province", "省份 Province"}, {"location", "城市 City"}, {"tactic", "手法 Tactic"},
	{"status", "状态 Status"}, {"score", "评分 Score"},
}

// search serves GET /search: free text and facets over every hit, through
// the API.
func (c *console) search(w http.ResponseWriter, r *http.Request) {
	in := r.URL.Query()
	pageNo := 1
	if raw := in.Get("page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxPage {
			c.fail(w, r, domain.Errorf(domain.EINVALID, "page=%q 无效 must be a whole number from 1 to %d", raw, maxPage))
			return
		}
		pageNo = n
	}
	filter := cloneValues(in)
	filter.Del("page")
	for k, vs := range filter { // a form's empty fields are no filter
		if vs = slices.DeleteFunc(vs, func(s string) bool { return s == "" }); len(vs) == 0 {
			delete(filter, k)
		}
	}
	ask := cloneValues(filter)
	ask.Set("limit", strconv.Itoa(searchPerPage))
	ask.Set("offset", strconv.Itoa((pageNo-1)*searchPerPage))
	ans, err := c.askHits(r, ask)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	v := searchView{
		page: c.frame(r, "搜索 Search"), Query: filter.Get("q"), From: filter.Get("from"), To: filter.Get("to"),
		Sorts: sortOptions(filter.Get("sort")), Total: ans.Total, Estimated: ans.Est, Page: pageNo,
		ExportURL: hitsExport + "?" + filter.Encode(),
	}
	for _, f := range facetOrder {
		for _, val := range filter[f.name] {
			v.Hidden = append(v.Hidden, hiddenField{f.name, val})
		}
		g := facetGroup{Name: f.name, Label: f.label}
		for _, fc := range ans.Facets[f.name] {
			g.Values = append(g.Values, c.facetLink(filter, f.name, fc))
		}
		if len(g.Values) > 0 {
			v.Groups = append(v.Groups, g)
		}
	}
	scope := access.ScopeFrom(r.Context())
	for _, h := range ans.Hits {
		if !scope.Allows(h.MarkID, h.Location) { // the API checked; this is the lock behind it
			continue
		}
		row := hitRow{Hit: h, Segments: highlight(h.Title, h.Reasons), MarkName: c.markName(h.MarkID),
			Score: strconv.FormatFloat(h.Score, 'f', 2, 64), Price: strconv.FormatFloat(h.Price, 'f', 2, 64), LastSeen: c.when(h.LastSeen)}
		v.Rows = append(v.Rows, row)
	}
	if pageNo > 1 {
		v.PrevURL = pageURL(filter, pageNo-1)
	}
	if pageNo*searchPerPage < ans.Total {
		v.NextURL = pageURL(filter, pageNo+1)
	}
	c.render(w, r, http.StatusOK, "search.html", v)
}

// askHits runs GET /api/v1/hits?ask through Deps.API as the visitor.
func (c *console) askHits(r *http.Request, ask url.Values) (apiHits, error) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, hitsAPIPath+"?"+ask.Encode(), nil)
	if err != nil {
		return apiHits{}, fmt.Errorf("asking the API for hits: %w", err)
	}
	req.Host, req.RemoteAddr, req.TLS = r.Host, r.RemoteAddr, r.TLS
	for _, h := range []string{"Cookie", "Authorization", "X-Forwarded-For", "X-Forwarded-Proto", "User-Agent"} {
		if v := r.Header.Values(h); len(v) > 0 {
			req.Header[h] = v
		}
	}
	rec := &answer{header: http.Header{}}
	c.deps.API.ServeHTTP(rec, req)
	var ans apiHits
	if rec.overflow {
		return ans, domain.Errorf(domain.EINTERNAL, "asking the API for hits: answer above %d bytes", maxAPIAnswer)
	}
	if err := json.Unmarshal(rec.body.Bytes(), &ans); err != nil {
		return ans, domain.Errorf(domain.EUNAVAILABLE, "搜索暂不可用 search is unavailable (status %d)", rec.status)
	}
	if rec.status != http.StatusOK {
		code, msg := domain.EUNAVAILABLE, "搜索暂不可用 search is unavailable"
		if ans.Error != nil {
			code, msg = ans.Error.Code, ans.Error.Message
		}
		return ans, domain.Errorf(code, "%s", msg)
	}
	return ans, nil
}

// answer is a bounded in-memory ResponseWriter for the API's answer.
type answer struct {
	header   http.Header
	status   int
	body     bytes.Buffer
	overflow bool
}

func (a *answer) Header() http.Header { return a.header }
func (a *answer) WriteHeader(code int) {
	if a.status == 0 {
		a.status = code
	}
}
func (a *answer) Write(p []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	if a.body.Len()+len(p) > maxAPIAnswer {
		a.overflow = true
		return 0, fmt.Errorf("answer above %d bytes", maxAPIAnswer)
	}
	return a.body.Write(p)
}

// facetLink is fc's link: the search with the value added, or removed when
// it is chosen already.
func (c *console) facetLink(filter url.Values, name string, fc apiFacetCount) facetLink {
	next := cloneValues(filter)
	chosen := slices.Contains(filter[name], fc.Value)
	if chosen {
		next[name] = slices.DeleteFunc(slices.Clone(next[name]), func(s string) bool { return s == fc.Value })
	} else {
		next.Add(name, fc.Value)
	}
	return facetLink{Label: c.facetLabel(name, fc.Value), Count: fc.Count, Href: "/search?" + next.Encode(), Selected: chosen}
}

func (c *console) facetLabel(name, value string) string {
	switch name {
	case "mark":
		return c.markName(value)
	case "kind":
		return kindLabel(domain.MarkKind(value))
	case "status":
		return map[string]string{"alert": "告警 Alert", "below": "未达阈值 Below threshold"}[value]
	}
	return value
}

func sortOptions(selected string) []option {
	opts := []option{{"", "相关度 Relevance", false}, {"newest", "最新 Newest", false}, {"score", "评分 Score", false}, {"price", "价格 Price", false}}
	for i := range opts {
		opts[i].Selected = opts[i].Value == selected
	}
	return opts
}

func pageURL(filter url.Values, n int) string {
	v := cloneValues(filter)
	v.Set("page", strconv.Itoa(n))
	return "/search?" + v.Encode()
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}
