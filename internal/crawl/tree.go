package crawl

import (
	"strings"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// nextBelow is the node after x in document order among the descendants of
// top (x is top or one of them), or nil after the last. It follows the
// tree's own links, so a walk needs neither a stack nor recursion (hostile
// pages nest deeply) and allocates nothing.
func nextBelow(x, top *html.Node) *html.Node {
	if x.FirstChild != nil {
		return x.FirstChild
	}
	for x != top {
		if x.NextSibling != nil {
			return x.NextSibling
		}
		x = x.Parent
	}
	return nil
}

// matchBelow finds the descendants of n that match, not n itself: field
// selectors are scoped to the inside of an item, as in goquery's Find.
func matchBelow(sel cascadia.Selector, n *html.Node) []*html.Node {
	var out []*html.Node
	for x := nextBelow(n, n); x != nil; x = nextBelow(x, n) {
		if sel(x) {
			out = append(out, x)
		}
	}
	return out
}

// firstBelow is the first descendant of n that matches, or nil.
func firstBelow(sel cascadia.Selector, n *html.Node) *html.Node {
	for x := nextBelow(n, n); x != nil; x = nextBelow(x, n) {
		if sel(x) {
			return x
		}
	}
	return nil
}

// nodeText concatenates the text below n, like goquery's Text. The common
// element holding one text node costs no copy.
func nodeText(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	only, texts := "", 0
	for x := nextBelow(n, n); x != nil; x = nextBelow(x, n) {
		if x.Type != html.TextNode {
			continue
		}
		switch texts++; texts {
		case 1:
			only = x.Data
			continue
		case 2:
			b.WriteString(only)
		}
		b.WriteString(x.Data)
	}
	if texts < 2 {
		return only
	}
	return b.String()
}
