package crawl

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/html"

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

// value returns the text or attribute the selector picks inside n: the first
// non-empty one among the matched elements, and whether any element matched
// at all (for the report). It walks n's subtree once and stops at the first
// value.
func (s cssSel) value(n *html.Node) (value string, matched bool) {
	if s.css == nil {
		return s.read(n)
	}
	for x := nextBelow(n, n); x != nil; x = nextBelow(x, n) {
		if !s.css(x) {
			continue
		}
		matched = true
		if v, _ := s.read(x); v != "" {
			return v, true
		}
	}
	return "", matched
}

// read is the selector's value on one matched element, trimmed, and whether
// the element has it: an attribute may be missing, text never is.
func (s cssSel) read(t *html.Node) (string, bool) {
	if s.attr == "" {
		return strings.TrimSpace(nodeText(t)), true
	}
	v, ok := attrOf(t, s.attr)
	return strings.TrimSpace(v), ok
}

// matches reports what value reports as matched, without reading values:
// whether the selector picks anything inside n.
func (s cssSel) matches(n *html.Node) bool {
	if s.css != nil {
		return firstBelow(s.css, n) != nil
	}
	_, ok := s.read(n)
	return ok
}

func attrOf(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// extractCSS applies the source's CSS rules. It returns the parsed document
// too, so a fallback to auto-detection reads the same tree instead of
// parsing the page again.
func extractCSS(src Source, base *url.URL, text []byte, cards bool) (Page, *html.Node, error) {
	m, err := src.cssMatchers()
	if err != nil {
		return Page{}, nil, err
	}
	root, err := html.Parse(bytes.NewReader(text))
	if err != nil {
		return Page{}, nil, fmt.Errorf("parsing HTML: %w", err)
	}
	var page Page
	// The first item selector that matches wins: eras of a site do not mix
	// on one page, and mixing would double-count listings.
	var items []*html.Node
	for _, sel := range m.items {
		if items = matchBelow(sel.css, root); len(items) > 0 {
			break
		}
		page.Report.UnmatchedSelectors = append(page.Report.UnmatchedSelectors, "item: "+sel.raw)
	}
	if len(items) > 0 {
		page.Listings, page.Cards, page.Report = readItems(items, m.fields, base, page.Report, cards)
	}
	for _, sel := range m.next {
		if v, _ := sel.value(root); v != "" {
			if page.NextURL = resolveURL(base, v); page.NextURL != "" {
				break
			}
		}
	}
	return page, root, nil
}

// readItems applies the field selectors inside every item and notes which
// selectors never matched and which fields stayed empty on the whole page.
// With cards it also returns each listing's card text.
func readItems(items []*html.Node, fields []fieldSels, base *url.URL, rep ExtractReport, cards bool) ([]domain.Listing, []string, ExtractReport) {
	matched := make([][]bool, len(fields))
	filled := make([]bool, len(fields))
	for i, f := range fields {
		matched[i] = make([]bool, len(f.sels))
	}
	out := make([]domain.Listing, 0, len(items))
	var texts []string
	for _, item := range items {
		var r record
		for fi, f := range fields {
			for si, sel := range f.sels {
				v, ok := sel.value(item)
				matched[fi][si] = matched[fi][si] || ok
				if v != "" {
					r.set(f.name, v)
					filled[fi] = true
					break
				}
			}
		}
		if l, ok := r.listing(base); ok {
			out = append(out, l)
			if cards {
				texts = append(texts, readableText(item, maxCardText))
			}
		} else {
			rep.Dropped++
		}
	}
	for fi, f := range fields {
		for si, sel := range f.sels {
			// A fallback is not tried once an earlier selector gave a value,
			// so check it once over all items before calling it unmatched.
			if !matched[fi][si] && !matchesAny(items, sel) {
				rep.UnmatchedSelectors = append(rep.UnmatchedSelectors, f.name+": "+sel.raw)
			}
		}
		if !filled[fi] {
			rep.EmptyFields = append(rep.EmptyFields, f.name)
		}
	}
	return out, texts, rep
}

func matchesAny(items []*html.Node, sel cssSel) bool {
	for _, it := range items {
		if sel.matches(it) {
			return true
		}
	}
	return false
}
