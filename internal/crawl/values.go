package crawl

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// parsePrice reads the first number in a price text ("￥39.90", "¥ 1,299.00",
// "25.00-30.00"); a range yields its lower bound. 0 means no price.
func parsePrice(s string) float64 {
	m := priceNumber(s)
	if m == "" {
		return 0
	}
	// Thousands separators: "1,299.00". A comma as decimal mark does not occur
	// on Chinese marketplaces.
	f, err := strconv.ParseFloat(strings.ReplaceAll(m, ",", ""), 64)
	if err != nil {
		return 0
	}
	return f
}

// priceNumber is the first match of `\d+(?:[.,]\d+)*` in s, scanned by hand:
// the regexp cost more than the rest of a listing's fields together.
func priceNumber(s string) string {
	i := 0
	for i < len(s) && !isDigit(s[i]) {
		i++
	}
	if i == len(s) {
		return ""
	}
	j := digitsEnd(s, i)
	for j+1 < len(s) && (s[j] == '.' || s[j] == ',') && isDigit(s[j+1]) {
		j = digitsEnd(s, j+1)
	}
	return s[i:j]
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digitsEnd(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// cleanText collapses runs of white space (including full-width spaces and
// the newlines of pretty-printed markup) to one ASCII space and trims.
func cleanText(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if isSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// isClean reports whether cleanText would return s as it is: valid UTF-8
// without white space. Most titles, sellers and places are, and then cost
// no copy.
func isClean(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf {
			for _, r := range s[i:] {
				if r == utf8.RuneError || isSpace(r) {
					return false
				}
			}
			return true
		} else if isSpace(rune(c)) {
			return false
		}
	}
	return true
}

// isSpace is the white space cleanText collapses. Unicode has none above
// U+3000, so Chinese text is told apart without a table look-up.
func isSpace(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return r == ' ' || '\t' <= r && r <= '\r'
	case r > '\u3000':
		return false
	}
	return unicode.IsSpace(r) || r == '\u00a0' || r == '\u3000'
}

func parseBase(pageURL string) (*url.URL, error) {
	if pageURL == "" {
		return nil, nil
	}
	u, err := url.Parse(pageURL)
	if err != nil {
		return nil, fmt.Errorf("parsing page URL %q: %w", pageURL, err)
	}
	return u, nil
}

// resolveURL makes a link absolute against the page: "//item.jd.com/1.html"
// takes the page's scheme, "/item/1" its host. javascript: and empty links
// yield "". Without a base, the link is returned as found.
func resolveURL(base *url.URL, link string) string {
	link = strings.TrimSpace(link)
	if link == "" || link == "#" || isJavascript(link) {
		return ""
	}
	ref, err := url.Parse(link)
	if err != nil {
		return ""
	}
	if base == nil {
		if strings.HasPrefix(link, "//") {
			ref.Scheme = "https"
		}
		return ref.String()
	}
	return base.ResolveReference(ref).String()
}

// isJavascript reports whether link starts with "javascript:" in any case,
// as strings.ToLower would see it, without lowering (a copy) the whole link
// when its start is ASCII.
func isJavascript(link string) bool {
	const scheme = "javascript:"
	if len(link) >= len(scheme) && isASCII(link[:len(scheme)]) {
		return strings.EqualFold(link[:len(scheme)], scheme)
	}
	return strings.HasPrefix(strings.ToLower(link), scheme)
}

// record collects one listing's field values as found, before conversion.
type record struct{ title, price, seller, location, url, image string }

func (r *record) set(field, value string) {
	switch field {
	case "title":
		r.title = value
	case "price":
		r.price = value
	case "seller":
		r.seller = value
	case "location":
		r.location = value
	case "url":
		r.url = value
	case "image":
		r.image = value
	}
}

func (r record) listing(base *url.URL) (domain.Listing, bool) {
	l := domain.Listing{
		Title:    cleanText(r.title),
		Price:    parsePrice(r.price),
		Seller:   cleanText(r.seller),
		Location: cleanText(r.location),
		URL:      resolveURL(base, r.url),
		ImageURL: resolveURL(base, r.image),
	}
	return l, l.Title != "" && l.URL != ""
}
