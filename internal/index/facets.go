package index

import (
	"slices"
	"strconv"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// Facets are the names SearchResult.Facets counts under, each the document
// field Meilisearch distributes.
const (
	FacetMark      = "mark_id"
	FacetSource    = "source_id"
	FacetLocation  = "location_prefixes" // provinces ("河北") and cities ("河北 石家庄")
	FacetTactic    = "tactics"
	FacetStatus    = "alert" // "true": the hit raised an alert; "false": below the threshold
	FacetScoreBand = "score_band"
)

// facetFields are the facets a search asks counts for when SearchFilter.Facets
// is set.
func facetFields() []string {
	return []string{FacetMark, FacetSource, FacetLocation, FacetTactic, FacetStatus, FacetScoreBand}
}

// A ScoreBand is a range of scores, named by its percent bounds, so a
// supervisor can ask for "the near-certain ones" without typing a float.
type ScoreBand struct {
	Name   string
	Lo, Hi float64 // Lo ≤ score < Hi; the top band includes 1
}

// ScoreBands are the bands, highest first. The alert threshold (0.75 by
// default) falls inside 70-80, so the bands above it are what alerts are
// made of.
func ScoreBands() []ScoreBand {
	return []ScoreBand{{"90-100", 0.9, 2}, {"80-90", 0.8, 0.9}, {"70-80", 0.7, 0.8}, {"0-70", -1, 0.7}}
}

// scoreBand names the band score lies in; indexed so the bands can be
// counted as a facet.
func scoreBand(score float64) string {
	for _, b := range ScoreBands() {
		if score >= b.Lo && score < b.Hi {
			return b.Name
		}
	}
	return "0-70" // NaN: the matcher never scores one, and it is not worth a band
}

// bandExpr is the filter of band name; ok is false for a name that is not a
// band. It filters on score, not score_band, so a document indexed before
// bands existed is found too.
func bandExpr(name string) (string, bool) {
	for _, b := range ScoreBands() {
		if b.Name == name {
			return "(score >= " + num(b.Lo) + " AND score < " + num(b.Hi) + ")", true
		}
	}
	return "", false
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// tactics are the distinct tactics of a hit's reasons, sorted.
func tactics(rs []domain.Reason) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		if r.Tactic != "" {
			out = append(out, r.Tactic)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Sort orders of SearchFilter.Sort.
const (
	SortRelevance = ""       // relevance for a query, newest first without one
	SortNewest    = "newest" // last seen, newest first
	SortScore     = "score"  // highest score first
	SortPrice     = "price"  // cheapest first: counterfeits undercut
)

// sortRule is the Meilisearch sort of s for a query q (normalised); nil
// leaves relevance alone.
func sortRule(s, q string) ([]string, error) {
	switch s {
	case SortRelevance:
		if q == "" {
			return []string{"last_seen:desc"}, nil
		}
		return nil, nil
	case SortNewest:
		return []string{"last_seen:desc"}, nil
	case SortScore:
		return []string{"score:desc", "last_seen:desc"}, nil
	case SortPrice:
		return []string{"price:asc", "last_seen:desc"}, nil
	}
	return nil, domain.Errorf(domain.EINVALID, "searching hits: sort %q must be newest, score or price", s)
}

// anyOf is "field = a OR field = b …" for values, "" for none.
func anyOf(field string, values []string) string {
	if len(values) == 0 {
		return ""
	}
	if len(values) == 1 {
		return field + " = " + quote(values[0])
	}
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = quote(v)
	}
	return field + " IN [" + strings.Join(q, ", ") + "]"
}

// filterExpr builds a Meilisearch filter from f; values are quoted so ids
// with spaces or operators cannot change the expression. Values within a
// facet are alternatives (OR), facets narrow each other (AND).
func filterExpr(f SearchFilter) (string, error) {
	var parts []string
	if f.MarkID != "" {
		parts = append(parts, "mark_id = "+quote(f.MarkID))
	}
	if f.SourceID != "" {
		parts = append(parts, "source_id = "+quote(f.SourceID))
	}
	if f.AlertOnly {
		parts = append(parts, "alert = true")
	}
	parts = append(parts,
		anyOf("mark_id", f.MarkIDs), anyOf("source_id", f.SourceIDs), anyOf("seller", f.Sellers),
		anyOf("location_prefixes", f.Locations), anyOf("tactics", f.Tactics))
	switch f.Status {
	case "":
	case StatusAlert:
		parts = append(parts, "alert = true")
	case StatusBelow:
		parts = append(parts, "alert = false")
	default:
		return "", domain.Errorf(domain.EINVALID, "searching hits: status %q must be %s or %s", f.Status, StatusAlert, StatusBelow)
	}
	var bands []string
	for _, b := range f.ScoreBands {
		e, ok := bandExpr(b)
		if !ok {
			return "", domain.Errorf(domain.EINVALID, "searching hits: score band %q is not one of %s", b, bandNames())
		}
		bands = append(bands, e)
	}
	if len(bands) > 0 {
		parts = append(parts, strings.Join(bands, " OR "))
	}
	if !f.From.IsZero() {
		parts = append(parts, "last_seen >= "+strconv.FormatInt(f.From.UnixMilli(), 10))
	}
	if !f.To.IsZero() {
		parts = append(parts, "last_seen < "+strconv.FormatInt(f.To.UnixMilli(), 10))
	}
	return and(parts...), nil
}

// Hit statuses of SearchFilter.Status, the FacetStatus values spelled for people.
const (
	StatusAlert = "alert" // raised an alert
	StatusBelow = "below" // scored below the alert threshold
)

func bandNames() string {
	var n []string
	for _, b := range ScoreBands() {
		n = append(n, b.Name)
	}
	return strings.Join(n, ", ")
}

// facetCounts turns Meilisearch's distribution into counts, naming the
// status facet's values as SearchFilter.Status spells them.
func facetCounts(dist map[string]map[string]int64) map[string]map[string]int {
	if dist == nil {
		return nil
	}
	out := make(map[string]map[string]int, len(dist))
	for facet, values := range dist {
		m := make(map[string]int, len(values))
		for v, n := range values {
			if facet == FacetStatus {
				v = map[string]string{"true": StatusAlert, "false": StatusBelow}[v]
				if v == "" {
					continue
				}
			}
			m[v] = int(n)
		}
		out[facet] = m
	}
	return out
}
