package crawl

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/markwatch/markwatch/internal/domain"
)

// splitAttr splits "a.title@href" into the CSS part and the attribute. An "@"
// inside brackets belongs to an attribute selector, so only a trailing
// "@name" counts.
func splitAttr(sel string) (css, attr string) {
	i := strings.LastIndexByte(sel, '@')
	if i < 0 || strings.ContainsAny(sel[i+1:], "]) ") {
		return strings.TrimSpace(sel), ""
	}
	return strings.TrimSpace(sel[:i]), strings.TrimSpace(sel[i+1:])
}

// selectValue returns the text or attribute the selector picks inside s: the
// first non-empty one among the matched elements, and whether any element
// matched at all (for the report).
func selectValue(s *goquery.Selection, sel string) (value string, matched bool) {
	css, attr := splitAttr(sel)
	target := s
	if css != "" {
		target = s.Find(css)
	}
	if target.Length() == 0 {
		return "", false
	}
	target.EachWithBreak(func(_ int, e *goquery.Selection) bool {
		if attr != "" {
			value, _ = e.Attr(attr)
		} else {
			value = e.Text()
		}
		value = strings.TrimSpace(value)
		return value == ""
	})
	return value, true
}

func extractCSS(src Source, base *url.URL, text []byte) (Page, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(text))
	if err != nil {
		return Page{}, fmt.Errorf("parsing HTML: %w", err)
	}
	rules := src.Extract.CSS
	var page Page
	// The first item selector that matches wins: eras of a site do not mix
	// on one page, and mixing would double-count listings.
	var items *goquery.Selection
	for _, sel := range rules.Item {
		if found := doc.Find(sel); found.Length() > 0 {
			items = found
			break
		}
		page.Report.UnmatchedSelectors = append(page.Report.UnmatchedSelectors, "item: "+sel)
	}
	if items != nil {
		page.Listings, page.Report = readItems(items, rules.Fields, base, page.Report)
	}
	for _, sel := range src.Pagination.Next {
		if v, _ := selectValue(doc.Selection, sel); v != "" {
			page.NextURL = resolveURL(base, v)
			if page.NextURL != "" {
				break
			}
		}
	}
	return page, nil
}

// readItems applies the field selectors inside every item and notes which
// selectors never matched and which fields stayed empty on the whole page.
func readItems(items *goquery.Selection, fields Fields, base *url.URL, rep ExtractReport) ([]domain.Listing, ExtractReport) {
	type usage struct {
		name    string
		sels    Selectors
		matched []bool
		filled  bool
	}
	var uses []*usage
	fields.each(func(name string, sels Selectors) {
		if len(sels) > 0 {
			uses = append(uses, &usage{name: name, sels: sels, matched: make([]bool, len(sels))})
		}
	})
	var out []domain.Listing
	items.Each(func(_ int, item *goquery.Selection) {
		var r record
		for _, u := range uses {
			for i, sel := range u.sels {
				v, matched := selectValue(item, sel)
				u.matched[i] = u.matched[i] || matched
				if v != "" {
					r.set(u.name, v)
					u.filled = true
					break
				}
			}
		}
		if l, ok := r.listing(base); ok {
			out = append(out, l)
		} else {
			rep.Dropped++
		}
	})
	for _, u := range uses {
		for i, m := range u.matched {
			// A fallback is not tried once an earlier selector gave a value,
			// so check it once over all items before calling it unmatched.
			if !m && !matchesAny(items, u.sels[i]) {
				rep.UnmatchedSelectors = append(rep.UnmatchedSelectors, u.name+": "+u.sels[i])
			}
		}
		if !u.filled {
			rep.EmptyFields = append(rep.EmptyFields, u.name)
		}
	}
	return out, rep
}

func matchesAny(items *goquery.Selection, sel string) bool {
	css, attr := splitAttr(sel)
	if css == "" {
		return attr != "" && items.FilterFunction(func(_ int, e *goquery.Selection) bool {
			_, ok := e.Attr(attr)
			return ok
		}).Length() > 0
	}
	return items.Find(css).Length() > 0
}
