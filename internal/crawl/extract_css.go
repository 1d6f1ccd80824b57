package crawl

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	"github.com/andybalholm/cascadia"
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
// at all (for the report).
func (s cssSel) value(n *html.Node) (value string, matched bool) {
	var targets []*html.Node
	if s.css == nil {
		targets = []*html.Node{n}
	} else {
		targets = matchBelow(s.css, n)
	}
	for _, t := range targets {
		if s.attr != "" {
			if v, ok := attrOf(t, s.attr); ok {
				matched = true
				if v = strings.TrimSpace(v); v != "" {
					return v, true
				}
			}
			continue
		}
		matched = true
		if v := strings.TrimSpace(nodeText(t)); v != "" {
			return v, true
		}
	}
	return "", matched || (s.css != nil && len(targets) > 0)
}

// matchBelow finds the descendants of n that match, not n itself: field
// selectors are scoped to the inside of an item, as in goquery's Find.
func matchBelow(sel cascadia.Selector, n *html.Node) []*html.Node {
	var out []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		out = append(out, sel.MatchAll(c)...)
	}
	return out
}

func attrOf(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// nodeText concatenates the text below n, like goquery's Text.
func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func extractCSS(src Source, base *url.URL, text []byte, cards bool) (Page, error) {
	m, err := src.cssMatchers()
	if err != nil {
		return Page{}, err
	}
	root, err := html.Parse(bytes.NewReader(text))
	if err != nil {
		return Page{}, fmt.Errorf("parsing HTML: %w", err)
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
	return page, nil
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
		if _, ok := sel.value(it); ok {
			return true
		}
	}
	return false
}
