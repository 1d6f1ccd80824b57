package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/markwatch/markwatch/internal/domain"
)

// maxQueryRunes bounds a search query; longer ones are not searches a
// supervisor types and only load the index.
const maxQueryRunes = 200

// HitResult is one page of a hit search.
type HitResult struct {
	Hits []domain.Hit
	// Total is the number of hits matching, exact unless Estimated.
	Total int
	// Estimated says the index stopped counting (Meilisearch counts up to
	// its maxTotalHits): Total is then a lower bound, not the number.
	Estimated bool
}

type hitList struct {
	Hits  []domain.Hit `json:"hits"`
	Total int          `json:"total"`
	// TotalEstimated tells a client not to print "1000 hits" when there
	// are more: total is then a lower bound.
	TotalEstimated bool `json:"total_estimated"`
	Limit          int  `json:"limit"`
	Offset         int  `json:"offset"`
}

// searchHits serves GET /api/v1/hits?q=&mark=&alert=&limit=&offset=.
func (a *api) searchHits(w http.ResponseWriter, r *http.Request) {
	p, ok := principal(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	text := q.Get("q")
	if n := len([]rune(text)); n > maxQueryRunes {
		writeError(w, r, domain.Errorf(domain.EINVALID, "query parameter q is %d characters long; keep it under %d", n, maxQueryRunes))
		return
	}
	mark, err := markParam(q)
	if err != nil {
		writeError(w, r, err)
		return
	}
	alertOnly, err := boolParam(q, "alert")
	if err != nil {
		writeError(w, r, err)
		return
	}
	limit, offset, err := page(q)
	if err != nil {
		writeError(w, r, err)
		return
	}
	if a.deps.Hits == nil {
		writeError(w, r, domain.Errorf(domain.EUNAVAILABLE, "search is not available: no index is configured; alerts are still served at /api/v1/alerts"))
		return
	}
	res, err := a.deps.Hits.SearchHits(r.Context(), text, HitQuery{MarkID: mark, AlertOnly: alertOnly, Limit: limit, Offset: offset}, p.Scope)
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
	writeHitList(w, hitList{Hits: kept, Total: res.Total - dropped, TotalEstimated: res.Estimated, Limit: limit, Offset: offset})
}

// SearchHits calls GET /api/v1/hits: one page of the hits matching q and
// the total, exact or an estimate. scope is not sent: the server applies
// the token's own. With it the Client is a HitSearcher.
func (c *Client) SearchHits(ctx context.Context, q string, f HitQuery, _ domain.Scope) (HitResult, error) {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if f.MarkID != "" {
		v.Set("mark", f.MarkID)
	}
	if f.AlertOnly {
		v.Set("alert", "true")
	}
	if f.Limit > 0 {
		v.Set("limit", strconv.Itoa(f.Limit))
	}
	if f.Offset > 0 {
		v.Set("offset", strconv.Itoa(f.Offset))
	}
	var body hitList
	if err := c.do(ctx, http.MethodGet, "/api/v1/hits", v, nil, &body); err != nil {
		return HitResult{}, fmt.Errorf("searching hits: %w", err)
	}
	return HitResult{Hits: body.Hits, Total: body.Total, Estimated: body.TotalEstimated}, nil
}
