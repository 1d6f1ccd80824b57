package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// maxQueryRunes bounds a search query; longer ones are not searches a
// supervisor types and only load the index.
const maxQueryRunes = 200

// HitResult is one page of a hit search. It has index.SearchResult's
// fields in the same order, so the daemon converts one into the other.
type HitResult struct {
	Hits []domain.Hit
	// Total is the number of hits matching, exact unless Estimated.
	Total int
	// Estimated says the index stopped counting (Meilisearch counts up to
	// its maxTotalHits): Total is then a lower bound, not the number.
	Estimated bool
	// Facets counts every hit matching (not only the page) by facet and
	// value, when HitQuery.Facets asked. The facets are the index's
	// fields: FacetMark, FacetSource, FacetLocation (provinces and
	// cities), FacetTactic, FacetStatus ("alert", "below"), FacetScoreBand.
	Facets map[string]map[string]int
}

// The facets of HitResult.Facets, named as the index names them.
const (
	FacetMark      = "mark_id"
	FacetSource    = "source_id"
	FacetLocation  = "location_prefixes"
	FacetTactic    = "tactics"
	FacetStatus    = "alert"
	FacetScoreBand = "score_band"
)

type hitList struct {
	Hits  []domain.Hit `json:"hits"`
	Total int          `json:"total"`
	// TotalEstimated tells a client not to print "1000 hits" when there
	// are more: total is then a lower bound.
	TotalEstimated bool `json:"total_estimated"`
	Limit          int  `json:"limit"`
	Offset         int  `json:"offset"`
	// Facets are the counts by filter parameter (mark, kind, platform,
	// source, province, location, tactic, status, score), so a client
	// turns {parameter, value} into ?parameter=value as it is.
	Facets Facets `json:"facets,omitempty"`
}

// searchHits serves GET /api/v1/hits with the filters of readListFilter.
func (a *api) searchHits(w http.ResponseWriter, r *http.Request) {
	p, ok := principal(w, r)
	if !ok {
		return
	}
	hq, limit, offset, none, err := a.hitQuery(r.URL.Query())
	if err != nil {
		writeError(w, r, err)
		return
	}
	if a.deps.Hits == nil {
		writeError(w, r, domain.Errorf(domain.EUNAVAILABLE, "search is not available: no index is configured; alerts are still served at /api/v1/alerts"))
		return
	}
	if none { // kinds or platforms that no mark or source has
		writeHitList(w, hitList{Hits: []domain.Hit{}, Limit: limit, Offset: offset, Facets: emptyFacets(hq.Facets)})
		return
	}
	text := r.URL.Query().Get(paramQ)
	res, err := a.deps.Hits.SearchHits(r.Context(), text, hq, p.Scope)
	if err != nil {
		// Search is a derived index: whatever broke it, the client can only
		// retry later, and alerts keep working from the store.
		if code := domain.ErrorCode(err); code != domain.EINVALID && code != domain.EUNAVAILABLE {
			err = fmt.Errorf("%w: %w", domain.Errorf(domain.EUNAVAILABLE, "search is unavailable; alerts are still served at /api/v1/alerts"), err)
		}
		writeError(w, r, fmt.Errorf("searching hits: %w", err))
		return
	}
	// The index enforces the scope with a tenant token; looking again here
	// turns a mistake there into a log line instead of a leak.
	kept, dropped := inScope(a, p, "hits", res.Hits, func(h domain.Hit) bool { return p.Scope.Allows(h.MarkID, h.Location) })
	page := hitList{Hits: kept, Total: res.Total - dropped, TotalEstimated: res.Estimated, Limit: limit, Offset: offset}
	if hq.Facets {
		page.Facets = a.hitFacets(p, res.Facets)
	}
	writeHitList(w, page)
}

// hitQuery reads a hit search's query; none says it can match nothing
// (a kind without marks, a platform without sources).
func (a *api) hitQuery(q url.Values) (hq HitQuery, limit, offset int, none bool, err error) {
	if err = onlyParams(q, hitParams); err != nil {
		return hq, 0, 0, false, err
	}
	f, err := readListFilter(q)
	if err != nil {
		return hq, 0, 0, false, err
	}
	alertOnly, err := boolParam(q, paramAlert)
	if err != nil {
		return hq, 0, 0, false, err
	}
	facets := true
	if q.Get(paramFacets) != "" {
		if facets, err = boolParam(q, paramFacets); err != nil {
			return hq, 0, 0, false, err
		}
	}
	if limit, offset, err = page(q); err != nil {
		return hq, 0, 0, false, err
	}
	var status string
	switch len(f.Statuses) {
	case 0:
	case 1:
		status = f.Statuses[0]
		if status != "alert" && status != "below" {
			return hq, 0, 0, false, domain.Errorf(domain.EINVALID, "query parameter status=%q: hits are alert (raised an alert) or below (under the threshold)", status)
		}
	default: // both is every hit
	}
	marks, noMarks := resolveMarks(f, a.deps.Marks)
	sources, noSources := resolveSources(f, a.platformSources(), a.platformOf)
	hq = HitQuery{
		AlertOnly: alertOnly, Limit: limit, Offset: offset, Sellers: f.Sellers, Locations: append(f.Provinces, f.Locations...),
		Tactics: f.Tactics, Status: status, ScoreBands: f.Scores, From: f.From, To: f.To, Sort: f.Sort, Facets: facets,
	}
	// One mark or source is asked for as searchers always were.
	hq.MarkID, hq.MarkIDs = oneOrMany(marks)
	hq.SourceID, hq.SourceIDs = oneOrMany(sources)
	return hq, limit, offset, noMarks || noSources, nil
}

func oneOrMany(vs []string) (string, []string) {
	if len(vs) == 1 {
		return vs[0], nil
	}
	return "", vs
}

// SearchHits calls GET /api/v1/hits: one page of the hits matching q and
// the total, exact or an estimate. scope is not sent: the server applies
// the token's own. With it the Client is a HitSearcher. Facets are asked
// for only when f.Facets is set, and come back under the API's parameter
// names in HitResult.Facets.
func (c *Client) SearchHits(ctx context.Context, q string, f HitQuery, _ domain.Scope) (HitResult, error) {
	v := url.Values{}
	set := func(name, value string) {
		if value != "" {
			v.Set(name, value)
		}
	}
	set(paramQ, q)
	for name, vs := range map[string][]string{paramMark: append(nonEmpty(f.MarkID), f.MarkIDs...),
		paramSource: append(nonEmpty(f.SourceID), f.SourceIDs...), paramSeller: f.Sellers, paramLocation: f.Locations,
		paramTactic: f.Tactics, paramScore: f.ScoreBands} {
		for _, x := range vs {
			v.Add(name, x)
		}
	}
	if f.AlertOnly {
		v.Set(paramAlert, "true")
	}
	set(paramStatus, f.Status)
	set(paramSort, f.Sort)
	if !f.From.IsZero() {
		v.Set(paramFrom, f.From.Format(time.RFC3339))
	}
	if !f.To.IsZero() {
		v.Set(paramTo, f.To.Format(time.RFC3339))
	}
	v.Set(paramFacets, strconv.FormatBool(f.Facets))
	if f.Limit > 0 {
		v.Set(paramLimit, strconv.Itoa(f.Limit))
	}
	if f.Offset > 0 {
		v.Set(paramOffset, strconv.Itoa(f.Offset))
	}
	var body hitList
	if err := c.do(ctx, http.MethodGet, "/api/v1/hits", v, nil, &body); err != nil {
		return HitResult{}, fmt.Errorf("searching hits: %w", err)
	}
	res := HitResult{Hits: body.Hits, Total: body.Total, Estimated: body.TotalEstimated}
	if body.Facets != nil {
		res.Facets = map[string]map[string]int{}
		for name, counts := range body.Facets {
			m := map[string]int{}
			for _, fc := range counts {
				m[fc.Value] = fc.Count
			}
			res.Facets[name] = m
		}
	}
	return res, nil
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
