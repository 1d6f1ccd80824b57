package crawl

import (
	"encoding/json"
	"slices"
	"strings"

	"golang.org/x/net/html"

	"github.com/markwatch/markwatch/internal/domain"
)

// Bounds of the text handed to Options.Contacts. A card is a few hundred
// characters; a listing page's shop panel sits among descriptions that run
// to tens of KB. A hostile page gets no more than this read per listing.
const (
	maxCardText   = 8 << 10
	maxDetailText = 256 << 10
)

// blockTags end a line of visible text: without the break, "微信: xinwang888"
// in one <p> and "手机 138…" in the next would read as one word.
var blockTags = map[string]bool{ // read-only
	"address": true, "article": true, "aside": true, "blockquote": true, "br": true, "dd": true, "div": true,
	"dl": true, "dt": true, "footer": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true,
	"h6": true, "header": true, "hr": true, "li": true, "ol": true, "p": true, "section": true,
	"table": true, "td": true, "th": true, "tr": true, "ul": true,
}

// readableText is the text a reader sees below n (not script, style,
// noscript or template), one line per block element, cut after limit bytes.
// The walk follows the tree's links (hostile pages nest deeper than a
// goroutine's stack likes) and allocates only the text.
func readableText(n *html.Node, limit int) string {
	var b strings.Builder
	for x := n; x != nil && b.Len() < limit; {
		enter := true // whether x's children are read
		switch x.Type {
		case html.TextNode:
			b.WriteString(x.Data)
		case html.ElementNode:
			switch x.Data {
			case "script", "style", "noscript", "template":
				enter = false
			}
		}
		if enter && x.FirstChild != nil {
			x = x.FirstChild
			continue
		}
		// x is done: leave it, and each ancestor it was the last child of.
		for {
			if enter && x.Type == html.ElementNode && blockTags[x.Data] {
				if b.Len() >= limit {
					break
				}
				b.WriteByte('\n')
			}
			if x == n {
				x = nil
				break
			}
			if x.NextSibling != nil {
				x = x.NextSibling
				break
			}
			x, enter = x.Parent, true
		}
	}
	s := b.String()
	if len(s) > limit {
		s = strings.ToValidUTF8(s[:limit], "")
	}
	return s
}

// jsonText joins the string values of a JSON item, keys in sorted order so
// the text (and the order of the contacts read from it) is the same every
// run. Numbers are left out: item ids and prices are numbers, and an 11-digit
// id would read as a mobile number.
func jsonText(v any, limit int) string {
	var b strings.Builder
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 16 || b.Len() >= limit {
			return
		}
		switch t := v.(type) {
		case string:
			if s := strings.TrimSpace(html.UnescapeString(markupTag.ReplaceAllString(t, ""))); s != "" {
				b.WriteString(s)
				b.WriteByte('\n')
			}
		case map[string]any:
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				walk(t[k], depth+1)
			}
		case []any:
			for _, c := range t {
				walk(c, depth+1)
			}
		case json.Number, bool, nil:
		}
	}
	walk(v, 0)
	s := b.String()
	if len(s) > limit {
		s = strings.ToValidUTF8(s[:limit], "")
	}
	return s
}

// mergeContacts appends to have the contacts of more it lacks, in order.
func mergeContacts(have, more []domain.Contact) []domain.Contact {
	for _, c := range more {
		if c.Value != "" && !slices.Contains(have, c) {
			have = append(have, c)
		}
	}
	return have
}

// readContacts is Options.Contacts over text, deduplicated; nil without a
// reader.
func (c *Crawler) readContacts(text string) []domain.Contact {
	if c.contacts == nil || strings.TrimSpace(text) == "" {
		return nil
	}
	return mergeContacts(nil, c.contacts(text))
}
