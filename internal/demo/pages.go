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
<title>{{.Query}} - {{.Platform.Name}} 商品搜索</title>
</head>
<body>
<div class="header"><a href="{{.Platform.Prefix}}/">{{.Platform.Name}}</a>
<form action="{{.Platform.Prefix}}/search"><input name="q" value="{{.Query}}"><button>搜索</button></form></div>
<div class="crumbs">全部结果 &gt; “{{.Query}}” 共 {{.Total}} 件商品</div>
{{- if eq .Layout 1}}
<div class="goods-grid">
{{- range .Items}}
<div class="goods-card" data-sku="{{.ID}}">
  <a class="goods-img" href="{{$.Platform.Prefix}}/item/{{.ID}}"><img src="//{{$.Host}}/static/img/{{.ID}}.jpg" alt=""></a>
  <p class="goods-name"><a href="{{$.Platform.Prefix}}/item/{{.ID}}" title="{{.Title}}">{{.Title}}</a></p>
  <p class="goods-price"><span class="yen">￥</span><strong>{{printf "%.2f" .Price}}</strong></p>
  <p class="goods-store"><a class="store-link" href="{{$.Platform.Prefix}}/shop?name={{.Seller}}">{{.Seller}}</a>
    {{- if not $.Platform.NoCardLocation}}<span class="goods-area">{{.Location}}</span>{{end}}
    {{- if .Phone}} <span class="goods-tel">电话：{{.Phone}}</span>{{end}}</p>
  {{- if .Promo}}<p class="goods-promo">{{.Promo}}</p>{{end}}
</div>
{{- end}}
</div>
{{- else}}
<ul class="result-list">
{{- range .Items}}
<li class="result-item" data-id="{{.ID}}">
  <a class="pic" href="{{$.Platform.Prefix}}/item/{{.ID}}"><img src="//{{$.Host}}/static/img/{{.ID}}.jpg" alt=""></a>
  <div class="info">
    <a class="title" href="{{$.Platform.Prefix}}/item/{{.ID}}" title="{{.Title}}">{{.Title}}</a>
    <div class="price">￥<em>{{printf "%.2f" .Price}}</em></div>
    <div class="shop">
      {{- if eq $.Layout 2}}<a class="store-link" href="{{$.Platform.Prefix}}/shop?name={{.Seller}}">{{.Seller}}</a>
      {{- else}}<a class="shop-name" href="{{$.Platform.Prefix}}/shop?name={{.Seller}}">{{.Seller}}</a>{{end}}
      {{- if not $.Platform.NoCardLocation}}<span class="location">{{.Location}}</span>{{end}}
      {{- if .Phone}}<span class="tel">电话：{{.Phone}}</span>{{end}}</div>
    {{- if .Promo}}<div class="promo">{{.Promo}}</div>{{end}}
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
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{.Item.Title}} - {{.Platform.Name}}</title></head>
<body>
<div class="header"><a href="{{.Platform.Prefix}}/">{{.Platform.Name}}</a></div>
<div class="gallery"><img class="main-pic" src="/static/img/{{.Item.ID}}.jpg" alt="{{.Item.Title}}"></div>
<h1 class="item-title">{{.Item.Title}}</h1>
<div class="price">￥<em>{{printf "%.2f" .Item.Price}}</em></div>
<div class="shop">店铺：<span class="shop-name">{{.Item.Seller}}</span> 发货地：<span class="location">{{.Item.Location}}</span></div>
{{template "contacts" .Shop}}
</body></html>
{{define "contacts"}}
{{- if or .Phone .WeChat .Address}}
<div class="shop-contact">
  <h3>联系卖家</h3>
  {{- if .Phone}}<p>手机：<span class="phone">{{.Phone}}</span></p>{{end}}
  {{- if .WeChat}}<p>微信：<span class="wechat">{{.WeChat}}</span></p>{{end}}
  {{- if .Address}}<p>地址：<span class="address">{{.Address}}</span></p>{{end}}
</div>
{{- end}}
{{- end}}
`))
	shopPage = template.Must(template.Must(itemPage.Clone()).New("shop").Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{.Shop.Name}} - {{.Platform.Name}}</title></head>
<body>
<div class="header"><a href="{{.Platform.Prefix}}/">{{.Platform.Name}}</a></div>
<h1 class="shop-title">{{.Shop.Name}}</h1>
{{template "contacts" .Shop}}
<ul class="shop-items">
{{- range .Items}}
<li><a href="{{$.Platform.Prefix}}/item/{{.ID}}">{{.Title}}</a> ￥{{printf "%.2f" .Price}}</li>
{{- end}}
</ul>
</body></html>
`))
)

// Handler serves every demo platform: for each, under its prefix,
// /search, /item/{id}, /shop?name= and a home page; and for all of them
// /static/img/{id}.jpg and /robots.txt. Exposed so tests can mount it on an
// httptest server.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /robots.txt", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, "User-agent: *\nDisallow: /admin/\nDisallow: /cart\n")
	})
	mux.HandleFunc("GET /static/img/{file}", s.handleImage)
	for _, p := range platforms() {
		mux.HandleFunc("GET "+p.Prefix+"/search", func(w http.ResponseWriter, r *http.Request) { s.handleSearch(w, r, p) })
		mux.HandleFunc("GET "+p.Prefix+"/item/{id}", func(w http.ResponseWriter, r *http.Request) { s.handleItem(w, r, p) })
		mux.HandleFunc("GET "+p.Prefix+"/shop", func(w http.ResponseWriter, r *http.Request) { s.handleShop(w, r, p) })
		mux.HandleFunc("GET "+p.Prefix+"/{$}", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			q := func(s string) string { return p.Prefix + "/search?" + url.Values{"q": {s}}.Encode() }
			fmt.Fprintf(w, `<!DOCTYPE html><html><head><meta charset="utf-8"><title>%s</title></head><body>
<h1>%s 演示市场</h1><p>markwatch 的本地演示站点。</p>
<ul><li><a href="%s">核桃</a></li><li><a href="%s">今麦郎</a></li><li><a href="%s">板栗</a></li></ul>
</body></html>`, p.Name, p.Name, q("核桃"), q("今麦郎"), q("板栗"))
		})
	}
	return mux
}

type searchData struct {
	Layout                   Layout
	Platform                 Platform
	Query, Host, MetaCharset string
	Items                    []card
	Total, Page, Pages       int
	PrevURL, NextURL         string
}

// card is one result as a platform prints it: the listing, on wholesale
// platforms the shop's phone, and the shop's promo line if it has one.
type card struct {
	Item
	Phone, Promo string
}

// handleSearch serves a results page. Page 1 is UTF-8; page 2 is GBK
// declared in the Content-Type header; later pages are GBK declared only by
// a <meta> tag, the case colly alone gets wrong.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request, p Platform) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	results := search(s.byPlatform[p.ID], q, s.opts.MinResults)
	size := s.opts.PageSize
	pages := max((len(results)+size-1)/size, 1)
	d := searchData{Layout: s.Layout(), Platform: p, Query: q, Host: r.Host, Total: len(results), Page: page, Pages: pages}
	if from := (page - 1) * size; from < len(results) {
		for _, it := range results[from:min(from+size, len(results))] {
			shop := shopByName(it.Seller)
			c := card{Item: it, Promo: shop.Promo}
			if p.CardContacts {
				c.Phone = shop.Phone
			}
			d.Items = append(d.Items, c)
		}
	}
	link := func(n int) string {
		return p.Prefix + "/search?" + url.Values{"q": {q}, "page": {strconv.Itoa(n)}}.Encode()
	}
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

type itemData struct {
	Platform Platform
	Item     Item
	Shop     Shop
}

// handleItem serves a listing's own page, with its shop's contacts when the
// shop gives any. A listing of another platform is not found here.
func (s *Server) handleItem(w http.ResponseWriter, r *http.Request, p Platform) {
	id, err := strconv.Atoi(r.PathValue("id"))
	it, ok := s.byID[id]
	if err != nil || !ok || it.Platform != p.ID {
		http.NotFound(w, r)
		return
	}
	s.render(w, itemPage, itemData{Platform: p, Item: it, Shop: shopByName(it.Seller)}, zap.Int("item_id", id))
}

type shopData struct {
	Platform Platform
	Shop     Shop
	Items    []Item
}

// handleShop serves a shop's page on a platform: its contacts and its
// listings there.
func (s *Server) handleShop(w http.ResponseWriter, r *http.Request, p Platform) {
	name := strings.TrimSpace(r.URL.Query().Get("name"))
	var items []Item
	for _, it := range s.byPlatform[p.ID] {
		if it.Seller == name {
			items = append(items, it)
		}
	}
	if len(items) == 0 {
		http.NotFound(w, r)
		return
	}
	s.render(w, shopPage, shopData{Platform: p, Shop: shopByName(name), Items: items}, zap.String("shop", name))
}

func (s *Server) render(w http.ResponseWriter, t *template.Template, data any, what zap.Field) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		s.opts.Log.Error("rendering demo page", zap.String("template", t.Name()), what, zap.Error(err))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}
