package demo

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"go.uber.org/zap"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Read-only after init: the page templates. The markup follows the shape of
// real result pages (an item list, nested info blocks, a pager) so that CSS
// selectors written for it look like selectors for a real marketplace.
var (
	searchPage = template.Must(template.New("search").Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
{{- if .MetaCharset}}
<meta http-equiv="Content-Type" content="text/html; charset={{.MetaCharset}}">
{{- end}}
<title>{{.Query}} - 冀货通 商品搜索</title>
</head>
<body>
<div class="header"><a href="/">冀货通</a>
<form action="/search"><input name="q" value="{{.Query}}"><button>搜索</button></form></div>
<div class="crumbs">全部结果 &gt; “{{.Query}}” 共 {{.Total}} 件商品</div>
{{- if eq .Layout 1}}
<div class="goods-grid">
{{- range .Items}}
<div class="goods-card" data-sku="{{.ID}}">
  <a class="goods-img" href="/item/{{.ID}}"><img src="//{{$.Host}}/static/img/{{.ID}}.jpg" alt=""></a>
  <p class="goods-name"><a href="/item/{{.ID}}" title="{{.Title}}">{{.Title}}</a></p>
  <p class="goods-price"><span class="yen">￥</span><strong>{{printf "%.2f" .Price}}</strong></p>
  <p class="goods-store"><a class="store-link" href="/shop?name={{.Seller}}">{{.Seller}}</a>
    <span class="goods-area">{{.Location}}</span></p>
</div>
{{- end}}
</div>
{{- else}}
<ul class="result-list">
{{- range .Items}}
<li class="result-item" data-id="{{.ID}}">
  <a class="pic" href="/item/{{.ID}}"><img src="//{{$.Host}}/static/img/{{.ID}}.jpg" alt=""></a>
  <div class="info">
    <a class="title" href="/item/{{.ID}}" title="{{.Title}}">{{.Title}}</a>
    <div class="price">￥<em>{{printf "%.2f" .Price}}</em></div>
    <div class="shop">
      {{- if eq $.Layout 2}}<a class="store-link" href="/shop?name={{.Seller}}">{{.Seller}}</a>
      {{- else}}<a class="shop-name" href="/shop?name={{.Seller}}">{{.Seller}}</a>{{end}}
      <span class="location">{{.Location}}</span></div>
  </div>
</li>
{{- end}}
</ul>
{{- end}}
{{- if not .Items}}
<div class="empty">抱歉，没有找到与“{{.Query}}”相关的商品</div>
{{- end}}
<div class="pager">
{{- if gt .Page 1}}<a class="prev" href="{{.PrevURL}}">上一页</a>{{end}}
<span class="current">{{.Page}}</span> / {{.Pages}}
{{- if .NextURL}}<a class="next" href="{{.NextURL}}">下一页</a>{{end}}
</div>
</body>
</html>
`))
	itemPage = template.Must(template.New("item").Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body>
<h1 class="item-title">{{.Title}}</h1>
<div class="price">￥<em>{{printf "%.2f" .Price}}</em></div>
<div class="shop">店铺：<span class="shop-name">{{.Seller}}</span> 发货地：<span class="location">{{.Location}}</span></div>
</body></html>
`))
)

// Handler serves the marketplace: /search, /item/{id}, /static/img/{id}.jpg,
// /robots.txt and a
// home page. Exposed so tests can mount it on an httptest server.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /robots.txt", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, "User-agent: *\nDisallow: /admin/\nDisallow: /cart\n")
	})
	mux.HandleFunc("GET /search", s.handleSearch)
	mux.HandleFunc("GET /item/{id}", s.handleItem)
	mux.HandleFunc("GET /static/img/{file}", s.handleImage)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!DOCTYPE html><html><head><meta charset="utf-8"><title>冀货通</title></head><body>
<h1>冀货通 演示市场</h1><p>markwatch 的本地演示站点。</p>
<ul><li><a href="/search?q=核桃">核桃</a></li><li><a href="/search?q=今麦郎">今麦郎</a></li><li><a href="/search?q=板栗">板栗</a></li></ul>
</body></html>`)
	})
	return mux
}

type searchData struct {
	Layout                   Layout
	Query, Host, MetaCharset string
	Items                    []Item
	Total, Page, Pages       int
	PrevURL, NextURL         string
}

// handleSearch serves a results page. Page 1 is UTF-8; page 2 is GBK
// declared in the Content-Type header; later pages are GBK declared only by
// a <meta> tag, the case colly alone gets wrong.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	results := search(s.items, q, s.opts.MinResults)
	size := s.opts.PageSize
	pages := max((len(results)+size-1)/size, 1)
	d := searchData{Layout: s.Layout(), Query: q, Host: r.Host, Total: len(results), Page: page, Pages: pages}
	if from := (page - 1) * size; from < len(results) {
		d.Items = results[from:min(from+size, len(results))]
	}
	link := func(p int) string { return "/search?" + url.Values{"q": {q}, "page": {strconv.Itoa(p)}}.Encode() }
	if page > 1 {
		d.PrevURL = link(page - 1)
	}
	if page < pages {
		d.NextURL = link(page + 1)
	}
	gbk := page >= 2
	if page >= 3 {
		d.MetaCharset = "gbk"
	}
	var buf bytes.Buffer
	if err := searchPage.Execute(&buf, d); err != nil {
		s.opts.Log.Error("rendering search page", zap.String("query", q), zap.Error(err))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	body := buf.Bytes()
	ct := "text/html; charset=utf-8"
	if gbk {
		enc, err := simplifiedchinese.GBK.NewEncoder().Bytes(body)
		if err != nil {
			// A character outside GBK: serve UTF-8 honestly rather than a
			// page that lies.
			s.opts.Log.Warn("page not representable in GBK; serving UTF-8", zap.String("query", q), zap.Error(err))
		} else {
			body = enc
			ct = "text/html; charset=GBK"
			if d.MetaCharset != "" {
				ct = "text/html"
			}
		}
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

func (s *Server) handleItem(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	it, ok := s.byID[id]
	if err != nil || !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := itemPage.Execute(w, it); err != nil {
		s.opts.Log.Warn("rendering item page", zap.Int("item_id", id), zap.Error(err))
	}
}
