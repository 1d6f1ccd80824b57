package crawl

import (
	"bytes"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/markwatch/markwatch/internal/domain"
)

// Auto-detection in JSON: marketplaces that render in the browser (Taobao's
// g_page_config) carry their listings as an array of objects in a script or
// an API answer. The array whose objects most often hold an item URL and a
// title is read, its fields picked by key name, then by the shape of the
// values. Bounded like the HTML side: at most autoJSONValues values walked,
// autoJSONScripts assignments decoded, each at most autoJSONBytes.
const (
	autoJSONValues  = 500_000
	autoJSONScripts = 32
	autoJSONBytes   = 8 << 20
)

// Read-only after init: where a script assigns an object or an array.
var jsonAssign = regexp.MustCompile(`(?:^|[^=!<>])=\s*[\[{]`)

var jsonKeys = map[string][]string{
	"title":    {"raw_title", "title", "name", "item_name", "itemname", "goods_name", "goodsname", "sku_name", "skuname", "warename", "product_name", "productname", "subject"},
	"price":    {"view_price", "price", "sale_price", "saleprice", "min_price", "minprice", "jdprice", "jd_price", "promotion_price", "final_price", "current_price", "group_price"},
	"seller":   {"nick", "shop_name", "shopname", "seller", "seller_nick", "sellernick", "store_name", "storename", "mall_name", "mallname", "company_name", "companyname", "vendor"},
	"location": {"item_loc", "itemloc", "location", "loc", "area", "province", "city", "ship_from", "shipfrom", "send_city"},
	"url":      {"detail_url", "detailurl", "url", "item_url", "itemurl", "link", "href", "goods_url", "product_url", "link_url"},
	"image":    {"pic_url", "picurl", "image", "img", "pic", "image_url", "imageurl", "img_url", "imgurl", "thumb", "thumbnail", "cover", "hd_thumb_url", "main_pic"},
}

// autoJSON finds the listings of a page in JSON; nil when there are none.
func autoJSON(base *url.URL, text []byte) []domain.Listing {
	var roots []any
	bare := bytes.TrimLeft(text, " \t\r\n\ufeff")
	if len(bare) > 0 && (bare[0] == '{' || bare[0] == '[') {
		if v, err := decodeFirst(bare[:min(len(bare), autoJSONBytes)]); err == nil {
			roots = append(roots, v)
		}
	}
	if len(roots) == 0 {
		for _, loc := range jsonAssign.FindAllIndex(text, autoJSONScripts*8) {
			if len(roots) >= autoJSONScripts {
				break
			}
			start := loc[1] - 1
			end := min(len(text), start+autoJSONBytes)
			if v, err := decodeFirst(text[start:end]); err == nil {
				roots = append(roots, v)
			}
		}
	}
	budget := autoJSONValues
	var best []any
	bestScore := 0.0
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if budget--; budget < 0 || depth > 64 {
			return
		}
		switch t := v.(type) {
		case map[string]any:
			for _, c := range t {
				walk(c, depth+1)
			}
		case []any:
			if s := scoreJSONArray(base, t); s > bestScore {
				best, bestScore = t, s
			}
			for _, c := range t {
				walk(c, depth+1)
			}
		}
	}
	for _, r := range roots {
		walk(r, 0)
	}
	if best == nil {
		return nil
	}
	var out []domain.Listing
	for i, it := range best {
		if i >= autoMaxItems {
			break
		}
		obj, ok := it.(map[string]any)
		if !ok {
			continue
		}
		if l, ok := jsonRecord(base, obj).listing(base); ok {
			out = append(out, l)
		}
	}
	return out
}

func scoreJSONArray(base *url.URL, arr []any) float64 {
	if len(arr) < autoMinMembers {
		return 0
	}
	n := min(len(arr), 200)
	var withURL, withTitle float64
	seen := map[string]bool{}
	for _, it := range arr[:n] {
		obj, ok := it.(map[string]any)
		if !ok {
			continue
		}
		r := jsonRecord(base, obj)
		if r.url != "" {
			withURL++
			seen[r.url] = true
		}
		if r.title != "" {
			withTitle++
		}
	}
	if withURL/float64(n) < 0.5 || withTitle/float64(n) < 0.5 || len(seen) < 2 {
		return 0
	}
	return float64(len(seen)) * (withURL + withTitle) / float64(2*n)
}

// jsonRecord picks an object's fields: by key name first, then an item-like
// URL for the url and the longest text for the title.
func jsonRecord(base *url.URL, obj map[string]any) record {
	lower := make(map[string]string, len(obj))
	keys := make([]string, 0, len(obj))
	for k, v := range obj {
		if s := jsonString(v); s != "" {
			lower[strings.ToLower(k)] = s
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	pick := func(field string) string {
		for _, k := range jsonKeys[field] {
			if v := lower[k]; v != "" {
				return v
			}
		}
		return ""
	}
	r := record{title: pick("title"), price: pick("price"), seller: pick("seller"), location: pick("location"),
		url: pick("url"), image: pick("image")}
	if r.url != "" && !itemLike(resolveURL(base, r.url), base) {
		r.url = ""
	}
	if r.url == "" {
		for _, k := range keys {
			if v := lower[strings.ToLower(k)]; strings.Contains(v, "/") && !looksImage(v) && itemLike(resolveURL(base, v), base) {
				r.url = v
				break
			}
		}
	}
	if r.title == "" {
		for _, k := range keys {
			v := lower[strings.ToLower(k)]
			if !strings.Contains(v, "/") && hasHan(v) && len(v) > len(r.title) {
				r.title = v
			}
		}
	}
	r.title = markupTag.ReplaceAllString(r.title, "")
	return r
}

func looksImage(v string) bool {
	l := strings.ToLower(v)
	for _, ext := range []string{".jpg", ".jpeg", ".png", ".gif", ".webp"} {
		if strings.Contains(l, ext) {
			return true
		}
	}
	return false
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
