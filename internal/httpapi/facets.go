package httpapi

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// FacetCount is how many results have one value of a facet.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Facets are counts by filter parameter name, most common value first.
type Facets map[string][]FacetCount

// emptyFacets is the facets of an answer known to be empty: every facet
// with no values, or none when none were asked for.
func emptyFacets(asked bool) Facets {
	if !asked {
		return nil
	}
	f := Facets{}
	for _, name := range []string{paramMark, paramKind, paramPlatform, paramSource, paramProvince, paramLocation, paramTactic, paramStatus, paramScore} {
		f[name] = []FacetCount{}
	}
	return f
}

// hitFacets turns the index's counts into the API's, adding the kinds (from
// the registry) and platforms (from Platforms) the marks and sources are
// of. A mark the principal's scope does not allow is dropped and logged as
// a leak: its count would tell an owner how another owner's mark fares.
func (a *api) hitFacets(p access.Principal, idx map[string]map[string]int) Facets {
	f := emptyFacets(true)
	marks := map[string]int{}
	for m, n := range idx[FacetMark] {
		if p.Scope.Restricted && !slices.Contains(p.Scope.MarkIDs, m) {
			a.scopeLeak(p, "hit facet "+m, n)
			continue
		}
		marks[m] = n
	}
	kinds := map[string]int{}
	for _, m := range a.deps.Marks {
		if n, ok := marks[m.ID]; ok {
			kinds[string(m.Kind)] += n
		}
	}
	platforms := map[string]int{}
	for s, n := range idx[FacetSource] {
		platforms[a.platformOf(s)] += n
	}
	provinces, cities := map[string]int{}, map[string]int{}
	for loc, n := range idx[FacetLocation] {
		if strings.Contains(loc, " ") {
			cities[loc] = n
		} else {
			provinces[loc] = n
		}
	}
	f[paramMark] = counts(marks)
	f[paramKind] = counts(kinds)
	f[paramSource] = counts(idx[FacetSource])
	f[paramPlatform] = counts(platforms)
	f[paramProvince] = counts(provinces)
	f[paramLocation] = counts(cities)
	f[paramTactic] = counts(idx[FacetTactic])
	f[paramStatus] = counts(idx[FacetStatus])
	f[paramScore] = counts(idx[FacetScoreBand])
	return f
}

// counts orders m most common first, then by value, so a page lists the
// same facets in the same order every time.
func counts(m map[string]int) []FacetCount {
	out := make([]FacetCount, 0, len(m))
	for _, v := range slices.Sorted(maps.Keys(m)) {
		if m[v] > 0 {
			out = append(out, FacetCount{Value: v, Count: m[v]})
		}
	}
	slices.SortStableFunc(out, func(x, y FacetCount) int { return y.Count - x.Count })
	return out
}

// platformOf is source's platform: Deps.Platforms's, or the source itself.
func (a *api) platformOf(source string) string {
	if p, ok := a.deps.Platforms[source]; ok && p != "" {
		return p
	}
	return source
}

// platformSources are the sources Platforms knows, sorted.
func (a *api) platformSources() []string {
	return slices.Sorted(maps.Keys(a.deps.Platforms))
}

// appendFacets appends f as writeJSON would encode it.
func appendFacets(b []byte, f Facets) ([]byte, bool) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		return nil, false
	}
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...), true
}

// statusFacet is the alert list's facet: what the store can count.
func statusFacet(n map[domain.AlertStatus]int) []FacetCount {
	m := map[string]int{}
	for s, c := range n {
		m[string(s)] = c
	}
	return counts(m)
}
