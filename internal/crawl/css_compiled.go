package crawl

import (
	"fmt"
	"slices"

	"github.com/andybalholm/cascadia"
)

// cssSel is one compiled selector: css is nil when the selector is only
// "@attr" (the item element itself).
type cssSel struct {
	raw  string
	css  cascadia.Selector
	attr string
}

// cssMatchers are a source's selectors compiled once. goquery's Find(string)
// compiles its selector on every call, which cost more than matching did:
// one compile per field per item per page.
type cssMatchers struct {
	items  []cssSel
	fields []fieldSels
	next   []cssSel
	// from keeps what was compiled so a Source edited after parsing (a test,
	// an override at load time) is noticed and recompiled.
	from struct {
		items, next Selectors
		fields      Fields
	}
}

type fieldSels struct {
	name string
	sels []cssSel
}

func compileSels(sels Selectors) ([]cssSel, error) {
	out := make([]cssSel, 0, len(sels))
	for _, raw := range sels {
		css, attr := splitAttr(raw)
		s := cssSel{raw: raw, attr: attr}
		if css != "" {
			// cascadia.Compile is ParseGroup's Match; a group of one is
			// matched by its one selector, a call less per node visited.
			g, err := cascadia.ParseGroup(css)
			if err != nil {
				return nil, fmt.Errorf("compiling selector %q: %w", raw, err)
			}
			s.css = g.Match
			if len(g) == 1 {
				s.css = g[0].Match
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func compileCSS(rules *CSSRules, next Selectors) (*cssMatchers, error) {
	m := &cssMatchers{}
	var err error
	if m.items, err = compileSels(rules.Item); err != nil {
		return nil, err
	}
	if m.next, err = compileSels(next); err != nil {
		return nil, err
	}
	if m.fields, err = compileFields(rules.Fields); err != nil {
		return nil, err
	}
	m.from.items, m.from.next, m.from.fields = slices.Clone(rules.Item), slices.Clone(next), rules.Fields
	return m, nil
}

// matchers returns the compiled selectors, compiling afresh (without
// storing, so concurrent runs never write shared state) when the rules
// changed since ParseSource.
func (src Source) cssMatchers() (*cssMatchers, error) {
	rules := src.Extract.CSS
	if m := rules.compiled; m != nil && slices.Equal(m.from.items, rules.Item) &&
		slices.Equal(m.from.next, src.Pagination.Next) && sameFields(m.from.fields, rules.Fields) {
		return m, nil
	}
	return compileCSS(rules, src.Pagination.Next)
}

func sameFields(a, b Fields) bool {
	return slices.Equal(a.Title, b.Title) && slices.Equal(a.Price, b.Price) && slices.Equal(a.Seller, b.Seller) &&
		slices.Equal(a.Location, b.Location) && slices.Equal(a.URL, b.URL) && slices.Equal(a.Image, b.Image)
}

func compileFields(f Fields) ([]fieldSels, error) {
	var out []fieldSels
	var err error
	f.each(func(name string, sels Selectors) {
		if err != nil || len(sels) == 0 {
			return
		}
		var cs []cssSel
		if cs, err = compileSels(sels); err == nil {
			out = append(out, fieldSels{name: name, sels: cs})
		}
	})
	return out, err
}
