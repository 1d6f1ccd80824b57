package index

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	ms "github.com/meilisearch/meilisearch-go"

	"github.com/markwatch/markwatch/internal/domain"
)

// SearchFilter narrows a search. Empty fields do not filter; the values of
// one list are alternatives, and the fields narrow each other.
//
// httpapi.HitQuery has the same fields in the same order, so the daemon
// converts one into the other (index.SearchFilter(q)) and a field added to
// one and not the other fails to compile rather than being dropped.
type SearchFilter struct {
	MarkID    string
	SourceID  string
	AlertOnly bool
	Limit     int // 0 means DefaultLimit
	Offset    int
	MarkIDs   []string
	SourceIDs []string
	Sellers   []string
	// Locations are location prefixes: a province ("河北") or a city
	// ("河北 石家庄"), words joined by one space.
	Locations  []string
	Tactics    []string
	Status     string   // StatusAlert, StatusBelow or ""
	ScoreBands []string // names of ScoreBands
	// From and To bound last_seen: From ≤ last seen < To; zero is open.
	From, To time.Time
	Sort     string // SortNewest, SortScore, SortPrice or SortRelevance
	// Facets asks for the counts of every facet (facetFields) over all
	// the hits matching, not only the page.
	Facets bool
}

// SearchResult is one page of hits and the number matching.
//
// httpapi.HitResult has the same fields in the same order (see
// SearchFilter).
type SearchResult struct {
	Hits []domain.Hit
	// Total is the exact number of hits matching, unless Estimated.
	Total int
	// Estimated says more hits match than the index counts to
	// (ClientOptions.MaxTotalHits): Total is then a lower bound, and
	// pages past it are empty.
	Estimated bool
	// Facets counts the hits matching by facet (FacetMark…) and value,
	// when SearchFilter.Facets asked; a value no hit has is absent. Seen
	// through a scope, they count only what the scope sees: the tenant
	// token's filter applies to them as to the hits.
	Facets map[string]map[string]int
}

// Search bounds on one page.
const (
	DefaultLimit = 20
	MaxLimit     = 1000
)

// Search finds hits whose title, normalised title, seller, mark id or reasons
// contain every word of q (matchingStrategy "all": the default "last" drops
// words and turns 老白幹 into noise). The query is normalised like title_norm,
// so 臨城核桃 finds 临城核桃. An empty q lists the newest hits first.
func (c *Client) Search(ctx context.Context, q string, f SearchFilter) (SearchResult, error) {
	if err := checkPaging(f); err != nil {
		return SearchResult{}, err
	}
	filter, err := filterExpr(f)
	if err != nil {
		return SearchResult{}, err
	}
	return c.search(ctx, c.ms, q, f, filter)
}

// checkPaging rejects limits and offsets Meilisearch would refuse or clamp.
func checkPaging(f SearchFilter) error {
	switch {
	case f.Limit < 0 || f.Offset < 0:
		return domain.Errorf(domain.EINVALID, "searching hits: limit %d and offset %d must not be negative", f.Limit, f.Offset)
	case f.Limit > MaxLimit:
		return domain.Errorf(domain.EINVALID, "searching hits: limit %d is above the maximum of %d", f.Limit, MaxLimit)
	}
	return nil
}

// search runs one query through sm, the client's own ServiceManager or a
// tenant token's. filter is the whole request filter, built by the caller:
// f supplies only paging here.
func (c *Client) search(ctx context.Context, sm ms.ServiceManager, q string, f SearchFilter, filter string) (SearchResult, error) {
	query, req, limit, skip, err := c.request(q, f, filter)
	if err != nil {
		return SearchResult{}, err
	}
	// SearchRaw, not Search: Search decodes every hit into a map of raw
	// fields that DecodeInto then decodes again, field by field.
	raw, err := sm.Index(c.name).SearchRaw(ctx, query, req)
	if err != nil {
		return SearchResult{}, unavailable(fmt.Sprintf("searching hits for %q", q), err)
	}
	// Room for the whole page up front: growing the slice while decoding
	// copied every document decoded so far, twice over.
	resp := searchResponse{Hits: make([]document, 0, *req.HitsPerPage)}
	if !decodeSearch(*raw, &resp) {
		resp = searchResponse{Hits: make([]document, 0, *req.HitsPerPage)}
		if err := json.Unmarshal(*raw, &resp); err != nil {
			return SearchResult{}, fmt.Errorf("searching hits for %q: decoding: %w", q, err)
		}
	}
	docs := resp.Hits
	docs = docs[min(skip, len(docs)):]
	docs = docs[:min(limit, len(docs))]
	total := int(resp.TotalHits)
	out := SearchResult{Hits: make([]domain.Hit, 0, len(docs)), Total: total, Estimated: total >= c.maxTotalHits,
		Facets: facetCounts(resp.FacetDistribution)}
	if f.Facets && out.Facets == nil {
		out.Facets = map[string]map[string]int{} // nothing matched: counts of nothing, not "not asked"
	}
	for _, d := range docs {
		out.Hits = append(out.Hits, d.hit())
	}
	return out, nil
}

// request is what search sends for q, f and the whole request filter: the
// normalised query and the request, and the window (limit hits after skip)
// of the page it asks for.
func (c *Client) request(q string, f SearchFilter, filter string) (query string, req *ms.SearchRequest, limit, skip int, err error) {
	limit = f.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	// Page mode, not offset/limit: only it counts every match rather than
	// estimating.
	page, perPage, skip := pageWindow(f.Offset, limit)
	req = &ms.SearchRequest{
		Page:                 int64(page),
		HitsPerPage:          ms.Int64Ptr(int64(perPage)),
		MatchingStrategy:     ms.All,
		Locales:              []string{"cmn"},
		AttributesToRetrieve: retrievedFields(),
	}
	if filter != "" {
		req.Filter = filter // an empty string would be sent and rejected
	}
	query = c.norm.Normalize(q)
	if req.Sort, err = sortRule(f.Sort, query); err != nil {
		return "", nil, 0, 0, err
	}
	if f.Facets {
		req.Facets = facetFields()
	}
	return query, req, limit, skip, nil
}

// SearchRequest is the query and request SearchScoped sends to Meilisearch
// for q, f and scope (the scope's filter included; the tenant token that
// also carries it is not), on the index IndexName. Benchmarks send it
// straight to Meilisearch as the baseline of what the daemon adds; it
// cannot drift from what the daemon sends because search builds it too.
func (c *Client) SearchRequest(q string, f SearchFilter, scope domain.Scope) (query string, req *ms.SearchRequest, err error) {
	if err := checkPaging(f); err != nil {
		return "", nil, err
	}
	filter, err := requestFilter(f, scope)
	if err != nil {
		return "", nil, err
	}
	query, req, _, _, err = c.request(q, f, filter)
	return query, req, err
}

// rawUnmarshal is meilisearch-go's JSON decoder for the ServiceManagers
// that search. SearchRaw has the library decode the answer into a
// *json.RawMessage, which encoding/json does by scanning the whole answer
// and copying it, before search decodes it (scanning it again): a quarter
// of a search's CPU at 50 hits a page. The answer's bytes, a buffer the
// library read for this request alone, are taken as they are; search's own
// decode still refuses a malformed answer. Everything else is decoded as
// before.
func rawUnmarshal(data []byte, v any) error {
	if raw, ok := v.(*json.RawMessage); ok {
		*raw = data
		return nil
	}
	return json.Unmarshal(data, v)
}

// searchResponse is the part of Meilisearch's answer Search reads.
type searchResponse struct {
	Hits              []document                  `json:"hits"`
	TotalHits         int64                       `json:"totalHits"`
	FacetDistribution map[string]map[string]int64 `json:"facetDistribution"`
}

// retrievedFields are the document fields document.hit reads; the search
// helpers (title_norm, reasons_text, location_prefixes) stay on the server.
func retrievedFields() []string {
	return []string{"hit_id", "listing_id", "source_id", "mark_id", "title", "url", "seller",
		"location", "price", "score", "alert", "reasons", "first_seen", "last_seen"}
}

// requestFilter is the request filter of a search by scope: f's, and the
// scope's before it when the scope limits anything.
func requestFilter(f SearchFilter, scope domain.Scope) (string, error) {
	own, err := filterExpr(f)
	if err != nil || !scope.Restricted && jurisdiction(scope) == "" {
		return own, err
	}
	return and(scopeFilter(scope), own), nil
}

// and joins non-empty filter expressions, each parenthesised so an OR inside
// one cannot absorb the others.
func and(exprs ...string) string {
	var parts []string
	for _, e := range exprs {
		if e != "" {
			parts = append(parts, "("+e+")")
		}
	}
	return strings.Join(parts, " AND ")
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
