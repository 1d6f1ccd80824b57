package crawl

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/markwatch/markwatch/internal/domain"
)

// Read-only after init.
var priceNumber = regexp.MustCompile(`\d+(?:[.,]\d+)*`)

// parsePrice reads the first number in a price text ("￥39.90", "¥ 1,299.00",
// "25.00-30.00"); a range yields its lower bound. 0 means no price.
func parsePrice(s string) float64 {
	m := priceNumber.FindString(s)
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

// cleanText collapses runs of white space (including full-width spaces and
// the newlines of pretty-printed markup) to one ASCII space and trims.
func cleanText(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u00a0' || r == '\u3000' {
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
	if link == "" || link == "#" || strings.HasPrefix(strings.ToLower(link), "javascript:") {
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
