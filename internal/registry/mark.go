package registry

import (
	"fmt"
	"regexp"

	"gopkg.in/yaml.v3"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/yamlcheck"
)

// validID is the id pattern of the format: ids appear in URLs, metrics labels
// and Meilisearch document ids, which all accept this set.
var validID = regexp.MustCompile(`^[a-z0-9-]+$`)

var markFields = []string{
	"id", "name", "kind", "owner", "well_known", "classes", "goods", "product",
	"origin", "forms", "generic", "exclude", "authorized_sellers", "prices", "images",
}

var originFields = []string{"places", "seller_locations"}

// parseMark reads one item of `marks`. It returns the line of the id and
// whether the id is usable, so the caller can detect duplicates even in a
// mark with other problems.
func parseMark(ps *problems, n *yaml.Node, index int) (domain.Mark, int, bool) {
	label := fmt.Sprintf("mark #%d", index+1)
	if n.Kind != yaml.MappingNode {
		ps.add(n.Line, label, "", "each mark must be a mapping with at least id, name and kind, not %s", describe(n))
		return domain.Mark{}, 0, false
	}
	// Name the mark by its id from the start, so that every problem, even a
	// repeated key, says which mark it is in.
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := yamlcheck.Deref(n.Content[i]), yamlcheck.Deref(n.Content[i+1])
		if k.Value == "id" && v.Kind == yaml.ScalarNode && validID.MatchString(v.Value) {
			label = fmt.Sprintf("mark %q", v.Value)
			break
		}
	}
	fieldList := fields(ps, n, label, "")

	var (
		m      domain.Mark
		idLine int
		idOK   bool
	)
	for _, f := range fieldList {
		if f.key != "id" {
			continue
		}
		idLine = f.line
		if id, ok := text(ps, f.val, label, "id"); ok {
			if validID.MatchString(id) {
				m.ID, idOK = id, true
			} else {
				ps.add(f.val.Line, label, "id", "%q must use only lowercase latin letters, digits and hyphens ([a-z0-9-]+), e.g. \"liugehetao\"", id)
			}
		}
	}
	if idLine == 0 {
		ps.add(n.Line, label, "id", "missing; every mark needs an id like \"liugehetao\" ([a-z0-9-]+)")
	}

	keyLines := make(map[string]int, len(fieldList))
	for _, f := range fieldList {
		keyLines[f.key] = f.line
		switch f.key {
		case "id":
		case "name":
			m.Name, _ = text(ps, f.val, label, f.key)
		case "kind":
			if k, ok := text(ps, f.val, label, f.key); ok {
				m.Kind = domain.MarkKind(k)
				if !m.Kind.Valid() {
					ps.add(f.val.Line, label, f.key, "must be one of %s, %s, %s", domain.KindTrademark, domain.KindTimeHonoured, domain.KindGI)
				}
			}
		case "owner":
			m.Owner, _ = text(ps, f.val, label, f.key)
		case "well_known":
			m.WellKnown = boolean(ps, f.val, label, f.key)
		case "classes":
			m.Classes = niceClasses(ps, f.val, label, f.key)
		case "goods":
			m.Goods = textList(ps, f.val, label, f.key)
		case "product":
			m.Product = textList(ps, f.val, label, f.key)
		case "origin":
			m.Origin = parseOrigin(ps, f.val, label)
		case "forms":
			m.Forms = textList(ps, f.val, label, f.key)
		case "generic":
			m.Generic = textList(ps, f.val, label, f.key)
		case "exclude":
			m.Exclude = textList(ps, f.val, label, f.key)
		case "authorized_sellers":
			m.AuthorizedSellers = textList(ps, f.val, label, f.key)
		case "prices":
			m.Prices = parsePrices(ps, f.val, label)
		case "images":
			m.Images = parseImages(ps, f.val, label)
		default:
			unknownField(ps, f, label, f.key, markFields)
		}
	}
	if _, ok := keyLines["name"]; !ok {
		ps.add(n.Line, label, "name", "missing; give the protected name as registered, in simplified Chinese")
	}
	if _, ok := keyLines["kind"]; !ok {
		ps.add(n.Line, label, "kind", "missing; must be one of %s, %s, %s", domain.KindTrademark, domain.KindTimeHonoured, domain.KindGI)
	}
	checkKindFields(ps, m, label, n.Line, keyLines)
	return m, idLine, idOK
}

func parseOrigin(ps *problems, n *yaml.Node, label string) domain.Origin {
	var o domain.Origin
	if n.Kind != yaml.MappingNode {
		ps.add(n.Line, label, "origin", "must be a mapping with places and seller_locations, not %s", describe(n))
		return o
	}
	for _, f := range fields(ps, n, label, "origin.") {
		name := "origin." + f.key
		switch f.key {
		case "places":
			o.Places = textList(ps, f.val, label, name)
		case "seller_locations":
			o.SellerLocations = textList(ps, f.val, label, name)
		default:
			unknownField(ps, f, label, name, originFields)
		}
	}
	return o
}

// checkKindFields enforces what each kind needs. A field the matcher ignores
// for a kind is an error rather than dead weight: whoever wrote it expected
// it to protect something.
func checkKindFields(ps *problems, m domain.Mark, label string, markLine int, keyLines map[string]int) {
	lineOf := func(key string) int {
		if l, ok := keyLines[key]; ok {
			return l
		}
		return markLine
	}
	switch m.Kind {
	case domain.KindGI:
		if len(m.Product) == 0 {
			ps.add(lineOf("product"), label, "product", "a geographical indication needs its product words, e.g. [板栗, 栗子]")
		}
		if len(m.Origin.Places) == 0 {
			ps.add(lineOf("origin"), label, "origin.places", "a geographical indication needs the place names that claim its origin, e.g. [迁西]")
		}
		if len(m.Origin.SellerLocations) == 0 {
			ps.add(lineOf("origin"), label, "origin.seller_locations", "a geographical indication needs the seller locations inside its area, e.g. [河北 唐山]")
		}
		if _, ok := keyLines["goods"]; ok {
			ps.add(lineOf("goods"), label, "goods", "a geographical indication lists its product words under product, not goods")
		}
	case domain.KindTrademark, domain.KindTimeHonoured:
		if _, ok := keyLines["origin"]; ok {
			ps.add(lineOf("origin"), label, "origin", "only geographical_indication marks have an origin; remove it or change kind")
		}
		if _, ok := keyLines["product"]; ok {
			ps.add(lineOf("product"), label, "product", "product words are for geographical indications; list a %s's goods under goods", m.Kind)
		}
	}
}
