package registry

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/yamlcheck"
)

// The fields behind the price and image signals (docs/SIGNALS.md). A range
// or a path that is silently wrong would make the matcher cry counterfeit at
// genuine goods, or never see the copies, so both are as strict as the rest.

var priceFields = []string{"unit", "low", "high"}

// parsePrices reads `prices`: a list of {unit, low, high}, low and high
// positive with low ≤ high, each unit at most once.
func parsePrices(ps *problems, n *yaml.Node, label string) []domain.PriceRange {
	if n.Kind != yaml.SequenceNode {
		ps.add(n.Line, label, "prices", "must be a list like [{unit: 罐, low: 2.4, high: 3.5}], not %s", describe(n))
		return nil
	}
	out := make([]domain.PriceRange, 0, len(n.Content))
	units := map[string]int{}
	for i, item := range n.Content {
		item = yamlcheck.Deref(item)
		name := fmt.Sprintf("prices[%d]", i)
		r, ok := parsePrice(ps, item, label, name)
		if !ok {
			continue
		}
		if first, dup := units[r.Unit]; dup {
			what := fmt.Sprintf("unit %q", r.Unit)
			if r.Unit == "" {
				what = "a range without unit"
			}
			ps.add(item.Line, label, name, "%s is given twice (first at line %d); keep one range per unit", what, first)
			continue
		}
		units[r.Unit] = item.Line
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func parsePrice(ps *problems, n *yaml.Node, label, name string) (domain.PriceRange, bool) {
	var r domain.PriceRange
	if n.Kind != yaml.MappingNode {
		ps.add(n.Line, label, name, "must be a mapping like {unit: 罐, low: 2.4, high: 3.5}, not %s", describe(n))
		return r, false
	}
	ok := true
	var lowLine, highLine int
	for _, f := range fields(ps, n, label, name+".") {
		key := name + "." + f.key
		switch f.key {
		case "unit":
			u, good := text(ps, f.val, label, key)
			r.Unit, ok = u, ok && good
		case "low":
			v, good := price(ps, f.val, label, key)
			r.Low, lowLine, ok = v, f.line, ok && good
		case "high":
			v, good := price(ps, f.val, label, key)
			r.High, highLine, ok = v, f.line, ok && good
		default:
			unknownField(ps, f, label, key, priceFields)
			ok = false
		}
	}
	if lowLine == 0 {
		ps.add(n.Line, label, name+".low", "missing; give the lowest genuine price, e.g. low: 2.4")
		ok = false
	}
	if highLine == 0 {
		ps.add(n.Line, label, name+".high", "missing; give the highest genuine price, e.g. high: 3.5")
		ok = false
	}
	if ok && r.Low > r.High {
		ps.add(lowLine, label, name+".low", "%v is above high %v; low is the cheapest genuine price", r.Low, r.High)
		ok = false
	}
	return r, ok
}

// price reads a positive number of yuan.
func price(ps *problems, n *yaml.Node, label, name string) (float64, bool) {
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
		ps.add(n.Line, label, name, "must be a price in yuan like 2.4, not %s", describe(n))
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
	if err != nil || v != v || v > 1e9 {
		ps.add(n.Line, label, name, "must be a price in yuan like 2.4, not %q", n.Value)
		return 0, false
	}
	if v <= 0 {
		ps.add(n.Line, label, name, "must be above 0, not %v", v)
		return 0, false
	}
	return v, true
}

// parseImages reads `images`: paths relative to the registry file's folder,
// which must stay inside it so a registry cannot point the loader at any
// file of the host.
func parseImages(ps *problems, n *yaml.Node, label string) []domain.RefImage {
	if n.Kind != yaml.SequenceNode {
		ps.add(n.Line, label, "images", "must be a list like [images/logo.png], not %s", describe(n))
		return nil
	}
	out := make([]domain.RefImage, 0, len(n.Content))
	seen := map[string]int{}
	for i, item := range n.Content {
		item = yamlcheck.Deref(item)
		name := fmt.Sprintf("images[%d]", i)
		p, ok := text(ps, item, label, name)
		if !ok {
			continue
		}
		if msg := badImagePath(p); msg != "" {
			ps.add(item.Line, label, name, "%q %s", p, msg)
			continue
		}
		if first, dup := seen[p]; dup {
			ps.add(item.Line, label, name, "%q is listed twice (first at line %d); keep one", p, first)
			continue
		}
		seen[p] = item.Line
		out = append(out, domain.RefImage{Path: p})
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// badImagePath says what is wrong with a reference image path, "" if nothing.
func badImagePath(p string) string {
	switch {
	case strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`) || (len(p) > 1 && p[1] == ':'):
		return "is absolute; give the path relative to the registry file, e.g. images/logo.png"
	case strings.Contains(p, `\`):
		return "uses backslashes; separate folders with /"
	case p == ".." || strings.HasPrefix(p, "../") || strings.HasSuffix(p, "/..") || strings.Contains(p, "/../"):
		return "leaves the registry's folder (..); keep reference images beside or below the registry file"
	case path.Clean(p) != p:
		return fmt.Sprintf("is not a clean path; write it as %q", path.Clean(p))
	}
	return ""
}
