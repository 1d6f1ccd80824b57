package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

type alertList struct {
	Alerts []domain.Alert `json:"alerts"`
	Total  int            `json:"total"`
	Limit  int            `json:"limit"`
	Offset int            `json:"offset"`
	// Facets holds what the store counts for alerts: status, and mark,
	// source, platform, score band and province when it can.
	Facets Facets `json:"facets,omitempty"`
}

// listAlerts serves GET /api/v1/alerts within the principal's scope. It
// takes the parameters /api/v1/hits takes, so a client builds both the same
// way; the store applies them, q and tactic through the hit index
// (alertTextHits), which normalises words as the hit search does.
func (a *api) listAlerts(w http.ResponseWriter, r *http.Request) {
	p, ok := principal(w, r)
	if !ok {
		return
	}
	f, facets, none, err := a.alertFilter(r.Context(), r.URL.Query(), p.Scope)
	if err != nil {
		writeError(w, r, err)
		return
	}
	if none { // a kind no mark of the registry has, a platform without sources
		writeJSON(w, http.StatusOK, alertList{Alerts: []domain.Alert{}, Limit: f.Limit, Offset: f.Offset, Facets: emptyStatusFacet(facets)})
		return
	}
	f.Scope = p.Scope
	alerts, total, err := a.deps.Alerts.QueryAlerts(r.Context(), f)
	if err != nil {
		writeError(w, r, fmt.Errorf("listing alerts: %w", err))
		return
	}
	// The store filters in SQL; this second look costs nothing and means a
	// bug there shows up as a log line rather than another owner's alerts.
	kept, dropped := inScope(a, p, "alerts", alerts, func(al domain.Alert) bool { return p.Scope.Allows(al.MarkID, al.Location) })
	list := alertList{Alerts: kept, Total: total - dropped, Limit: f.Limit, Offset: f.Offset}
	if facets {
		n, err := a.deps.Alerts.CountAlertStatuses(r.Context(), f)
		if err != nil {
			writeError(w, r, fmt.Errorf("counting alerts: %w", err))
			return
		}
		list.Facets = Facets{paramStatus: statusFacet(n)}
		if fc, ok := a.deps.Alerts.(alertFacetCounter); ok {
			by, err := fc.CountAlertFacets(r.Context(), f)
			if err != nil {
				writeError(w, r, fmt.Errorf("counting alerts: %w", err))
				return
			}
			a.addAlertFacets(list.Facets, by)
		}
	}
	writeJSON(w, http.StatusOK, list)
}

// alertFacetCounter counts alerts by mark, source, score band and
// location under a filter (the store's CountAlertFacets); a store without
// it answers status counts only.
type alertFacetCounter interface {
	CountAlertFacets(ctx context.Context, f domain.AlertFilter) (map[string]map[string]int, error)
}

// addAlertFacets names the store's counts as /api/v1/hits names its
// facets: platforms from sources, provinces from locations' first word.
func (a *api) addAlertFacets(out Facets, by map[string]map[string]int) {
	platforms, provinces := map[string]int{}, map[string]int{}
	for src, n := range by["source"] {
		platforms[a.platformOf(src)] += n
	}
	for loc, n := range by["location"] {
		if p, _, _ := strings.Cut(strings.TrimSpace(loc), " "); p != "" {
			provinces[p] += n
		}
	}
	out[paramMark] = counts(by["mark"])
	out[paramSource] = counts(by["source"])
	out[paramPlatform] = counts(platforms)
	out[paramScore] = counts(by["score"])
	out[paramProvince] = counts(provinces)
}

// alertFilter reads an alert list's query: the shared parameters, with
// kinds and platforms resolved to marks and sources (none: they leave
// nothing) and score bands to score ranges.
func (a *api) alertFilter(ctx context.Context, q url.Values, scope domain.Scope) (af domain.AlertFilter, facets, none bool, err error) {
	if err := onlyParams(q, alertParams); err != nil {
		return af, false, false, err
	}
	f, err := readListFilter(q)
	if err != nil {
		return af, false, false, err
	}
	marks, noMarks := resolveMarks(f, a.deps.Marks)
	sources, noSources := resolveSources(f, a.platformSources(), a.platformOf)
	af.MarkIDs, af.SourceIDs, af.Sellers = marks, sources, f.Sellers
	af.Locations = append(slices.Clone(f.Provinces), f.Locations...)
	af.From, af.To, af.Sort = f.From, f.To, f.Sort
	if af.Scores, err = scoreRanges(f.Scores); err != nil {
		return af, false, false, err
	}
	switch len(f.Statuses) {
	case 0:
	case 1:
		af.Status = domain.AlertStatus(f.Statuses[0])
		switch af.Status {
		case domain.AlertOpen, domain.AlertConfirmed, domain.AlertDismissed:
		default:
			return af, false, false, domain.Errorf(domain.EINVALID, "query parameter status=%q: must be %s, %s or %s",
				af.Status, domain.AlertOpen, domain.AlertConfirmed, domain.AlertDismissed)
		}
	default:
		return af, false, false, domain.Errorf(domain.EINVALID, "query parameter status: alerts are listed for one status at a time")
	}
	if af.Limit, af.Offset, err = page(q); err != nil {
		return af, false, false, err
	}
	if (f.Text != "" || len(f.Tactics) > 0) && !noMarks && !noSources {
		af.ByHits = true
		if af.HitIDs, err = a.alertTextHits(ctx, f, af, scope); err != nil {
			return af, false, false, err
		}
	}
	facets = true
	if q.Get(paramFacets) != "" {
		if facets, err = boolParam(q, paramFacets); err != nil {
			return af, false, false, err
		}
	}
	return af, facets, noMarks || noSources, nil
}

// alertScoreBands are the score bands by name, as the hit index has them
// (index.ScoreBands, checked by a test): Min ≤ score < Max, the top band
// taking 1 in.
var alertScoreBands = map[string]domain.ScoreRange{
	"90-100": {Min: 0.9, Max: 2}, "80-90": {Min: 0.8, Max: 0.9}, "70-80": {Min: 0.7, Max: 0.8}, "0-70": {Min: -1, Max: 0.7},
}

// scoreRanges turns band names into the ranges the store filters by.
func scoreRanges(bands []string) ([]domain.ScoreRange, error) {
	var out []domain.ScoreRange
	for _, b := range bands {
		r, ok := alertScoreBands[b]
		if !ok {
			return nil, domain.Errorf(domain.EINVALID, "query parameter score=%q: must be a band: 90-100, 80-90, 70-80 or 0-70", b)
		}
		out = append(out, r)
	}
	return out, nil
}

func emptyStatusFacet(asked bool) Facets {
	if !asked {
		return nil
	}
	return Facets{paramStatus: []FacetCount{}}
}

// scopeLeak logs a reader that answered rows outside the principal's scope:
// a bug below this package, caught here before it reached the client.
func (a *api) scopeLeak(p access.Principal, what string, dropped int) {
	a.log.Error("reader answered rows outside the principal's scope; dropped them",
		zap.String("what", what), zap.Int("dropped", dropped), zap.String("user", p.User.Name))
}

// inScope keeps the items visible allows and reports the rest as a scope
// leak of what ("alerts"), returning how many it dropped so a list's total
// can leave them out too.
func inScope[T any](a *api, p access.Principal, what string, items []T, visible func(T) bool) (kept []T, dropped int) {
	kept = make([]T, 0, len(items))
	for _, x := range items {
		if visible(x) {
			kept = append(kept, x)
		}
	}
	if dropped = len(items) - len(kept); dropped > 0 {
		a.scopeLeak(p, what, dropped)
	}
	return kept, dropped
}

// getAlert serves GET /api/v1/alerts/{id}.
func (a *api) getAlert(w http.ResponseWriter, r *http.Request) {
	p, id, ok := principalID(w, r, "alert")
	if !ok {
		return
	}
	alert, err := a.scopedAlert(r.Context(), p.Scope, id)
	if err != nil {
		writeError(w, r, fmt.Errorf("getting alert %d: %w", id, err))
		return
	}
	writeJSON(w, http.StatusOK, alert)
}

// alertNotFound is the one answer for an alert that does not exist and for
// one outside the scope, so a client cannot tell them apart. It does not
// repeat the store's message, which might differ between the two.
func alertNotFound(id int64) error {
	return domain.Errorf(domain.ENOTFOUND, "alert %d does not exist", id)
}

// scopedAlert reads alert id if scope allows it. An unknown id and an alert
// outside the scope give the same error; the cause stays in the log chain.
func (a *api) scopedAlert(ctx context.Context, scope domain.Scope, id int64) (domain.Alert, error) {
	alert, err := a.deps.Alerts.GetAlert(ctx, id)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return domain.Alert{}, fmt.Errorf("%w: %w", alertNotFound(id), err)
		}
		return domain.Alert{}, err
	}
	if !scope.Allows(alert.MarkID, alert.Location) {
		return domain.Alert{}, fmt.Errorf("%w (outside the principal's scope)", alertNotFound(id))
	}
	return alert, nil
}

// alertTextHits are the alerting hits whose listing the words f.Text
// match, or with a reason of f.Tactics, as the hit search finds them
// (normalised as the index is: 陸個核桃 finds 六个核桃), in scope and
// narrowed by the filters the index has too. Alerts are kept by hit id;
// more than the index answers at once is refused with what to narrow, so
// a list is never silently cut.
func (a *api) alertTextHits(ctx context.Context, f listFilter, af domain.AlertFilter, scope domain.Scope) ([]int64, error) {
	if a.deps.Hits == nil {
		return nil, domain.Errorf(domain.EUNAVAILABLE, "query parameters q and tactic need the search index, which this server has not")
	}
	hq := HitQuery{
		Status: "alert", Tactics: f.Tactics, MarkIDs: af.MarkIDs, SourceIDs: af.SourceIDs, Sellers: af.Sellers,
		Locations: af.Locations, ScoreBands: f.Scores, From: af.From, To: af.To, Limit: maxAlertTextHits,
	}
	res, err := a.deps.Hits.SearchHits(ctx, f.Text, hq, scope)
	if err != nil {
		return nil, fmt.Errorf("finding the alerts the words match: %w", err)
	}
	if res.Estimated || res.Total > len(res.Hits) {
		return nil, domain.Errorf(domain.EINVALID,
			"query parameters q/tactic match %d alerting hits, more than the %d an alert list takes; add words or filters (mark, source, province, dates)",
			res.Total, maxAlertTextHits)
	}
	ids := make([]int64, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids, nil
}

// maxAlertTextHits is the index's largest page (index.MaxLimit).
const maxAlertTextHits = 1000
