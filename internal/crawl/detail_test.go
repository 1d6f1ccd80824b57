package crawl_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/crawl"
)

// A results page without seller locations (like JD's) gets them from each
// listing's own page; a listing whose page fails or is over budget is still
// emitted, as it was.
func TestRunFillsMissingFieldsFromListingPages(t *testing.T) {
	locations := map[string]string{"1": "河北 唐山", "2": "山东 泰安", "3": "辽宁 丹东"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow: /item/4\n")
		case r.URL.Path == "/s":
			p, _ := strconv.Atoi(r.URL.Query().Get("page"))
			if p > 1 {
				resultsPage(w, "x", p, 0)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<ul>")
			for i := 1; i <= 5; i++ {
				fmt.Fprintf(w, `<li class="item"><a class="t" href="/item/%d">迁西板栗 甘栗仁 %d</a><span class="p">￥%d.00</span></li>`, i, i, 20+i)
			}
			fmt.Fprint(w, "</ul>")
		case strings.HasPrefix(r.URL.Path, "/item/"):
			id := strings.TrimPrefix(r.URL.Path, "/item/")
			loc, ok := locations[id]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=gbk")
			w.Write(gbk(t, `<div class="shop">店铺：<span class="shop-name">栗农`+id+`号店</span> 发货地：<span class="location">`+loc+`</span></div>`))
		}
	}))
	defer srv.Close()
	src, err := crawl.ParseSource("detail.yaml", []byte(fmt.Sprintf(`id: local
search:
  url: "%s/s?q={query}&page={page}"
fetch:
  delay: 1ms
  retries: 1
  retry_base_delay: 10ms
extract:
  css:
    item: li.item
    fields: {title: a.t, price: span.p, url: a.t@href}
detail:
  max_per_run: 4
  fields:
    location: span.location
    seller: span.shop-name
`, srv.URL)))
	if err != nil {
		t.Fatal(err)
	}
	var got collector
	st, err := newCrawler().Run(context.Background(), src, []string{"迁西板栗"}, got.emit)
	if err != nil {
		t.Fatal(err)
	}
	if st.Listings != 5 || len(got.ls) != 5 || st.DetailPages != 4 || st.Errors[crawl.KindRobots] != 1 {
		t.Errorf("stats %+v, %d listings", st, len(got.ls))
	}
	byTitle := map[string]string{}
	for _, l := range got.ls {
		byTitle[l.Title] = l.Seller + "|" + l.Location
	}
	want := map[string]string{
		"迁西板栗 甘栗仁 1": "栗农1号店|河北 唐山",
		"迁西板栗 甘栗仁 2": "栗农2号店|山东 泰安",
		"迁西板栗 甘栗仁 3": "栗农3号店|辽宁 丹东",
		"迁西板栗 甘栗仁 4": "|", // robots.txt keeps us off its page
		"迁西板栗 甘栗仁 5": "|", // over the budget of 4
	}
	for title, w := range want {
		if byTitle[title] != w {
			t.Errorf("%s: got %q, want %q", title, byTitle[title], w)
		}
	}
}

func TestParseSourceDetailRules(t *testing.T) {
	base := "id: d\nsearch: {url: 'http://a.cn/s?q={query}'}\nextract: {css: {item: li, fields: {title: a, url: a@href}}}\n"
	for _, tc := range []struct{ yml, want string }{
		{"detail: {fields: {title: h1}}", `field "detail.fields": title and url identify a listing`},
		{"detail: {max_per_run: 3}", `field "detail.fields": is required`},
		{"detail: {fields: {location: 'span[['}}", `field "detail.fields"`},
	} {
		_, err := crawl.ParseSource("d.yaml", []byte(base+tc.yml))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "d.yaml:4:") {
			t.Errorf("%s: err = %v, want %q at line 4", tc.yml, err, tc.want)
		}
	}
}
