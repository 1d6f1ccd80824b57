package httpapi

import (
	"fmt"
	"net/http"

	"github.com/markwatch/markwatch/internal/domain"
)

// maxQueryRunes bounds a search query; longer ones are not searches a
// supervisor types and only load the index.
const maxQueryRunes = 200

type hitList struct {
	Hits   []domain.Hit `json:"hits"`
	Total  int          `json:"total"`
	Limit  int          `json:"limit"`
	Offset int          `json:"offset"`
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
	hits, total, err := a.deps.Hits.SearchHits(r.Context(), text, HitQuery{MarkID: mark, AlertOnly: alertOnly, Limit: limit, Offset: offset}, p.Scope)
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
	kept, dropped := inScope(a, p, "hits", hits, func(h domain.Hit) bool { return p.Scope.Allows(h.MarkID, h.Location) })
	writeJSON(w, http.StatusOK, hitList{Hits: kept, Total: total - dropped, Limit: limit, Offset: offset})
}
