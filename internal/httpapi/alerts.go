package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

type alertList struct {
	Alerts []domain.Alert `json:"alerts"`
	Total  int            `json:"total"`
	Limit  int            `json:"limit"`
	Offset int            `json:"offset"`
	// Facets holds what the store counts for alerts: status.
	Facets Facets `json:"facets,omitempty"`
}

// listAlerts serves GET /api/v1/alerts within the principal's scope. It
// takes the parameters /api/v1/hits takes, so a client builds both the same
// way; of the filters, the store applies mark (one, or a kind with one
// mark) and status, and refuses the others by name rather than answering
// an unfiltered list as if it were filtered.
func (a *api) listAlerts(w http.ResponseWriter, r *http.Request) {
	p, ok := principal(w, r)
	if !ok {
		return
	}
	f, facets, none, err := a.alertFilter(r.URL.Query())
	if err != nil {
		writeError(w, r, err)
		return
	}
	if none { // a kind no mark of the registry has
		writeJSON(w, http.StatusOK, alertList{Alerts: []domain.Alert{}, Limit: f.Limit, Offset: f.Offset, Facets: emptyStatusFacet(facets)})
		return
	}
	f.Scope = p.Scope
	alerts, total, err := a.deps.Alerts.ListAlerts(r.Context(), f)
	if err != nil {
		writeError(w, r, fmt.Errorf("listing alerts: %w", err))
		return
	}
	// The store filters in SQL; this second look costs nothing and means a
	// bug there shows up as a log line rather than another owner's alerts.
	kept, dropped := inScope(a, p, "alerts", alerts, func(al domain.Alert) bool { return p.Scope.Allows(al.MarkID, al.Location) })
	list := alertList{Alerts: kept, Total: total - dropped, Limit: f.Limit, Offset: f.Offset}
	if facets {
		if list.Facets, err = a.alertFacets(r.Context(), f); err != nil {
			writeError(w, r, fmt.Errorf("counting alerts: %w", err))
			return
		}
	}
	writeJSON(w, http.StatusOK, list)
}

// alertFilter reads an alert list's query: the shared parameters, of which
// the store supports mark and status.
func (a *api) alertFilter(q url.Values) (af domain.AlertFilter, facets, none bool, err error) {
	if err := onlyParams(q, alertParams); err != nil {
		return af, false, false, err
	}
	f, err := readListFilter(q)
	if err != nil {
		return af, false, false, err
	}
	unsupported := map[string]bool{
		paramQ: f.Text != "", paramPlatform: len(f.Platforms) > 0, paramSource: len(f.Sources) > 0,
		paramSeller: len(f.Sellers) > 0, paramProvince: len(f.Provinces) > 0, paramLocation: len(f.Locations) > 0,
		paramTactic: len(f.Tactics) > 0, paramScore: len(f.Scores) > 0, paramFrom: !f.From.IsZero(),
		paramTo: !f.To.IsZero(), paramSort: f.Sort != "" && f.Sort != "newest",
	}
	for _, name := range alertParams {
		if unsupported[name] {
			return af, false, false, domain.Errorf(domain.EINVALID,
				"query parameter %s is not supported for alerts yet (the store filters alerts by mark, kind of one mark, and status); "+
					"/api/v1/hits?status=alert takes it", name)
		}
	}
	marks, none := resolveMarks(f, a.deps.Marks)
	switch {
	case len(marks) > 1:
		return af, false, false, domain.Errorf(domain.EINVALID, "query parameters mark and kind: alerts are listed for one mark at a time; %d asked for", len(marks))
	case len(marks) == 1:
		af.MarkID = marks[0]
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
	facets = true
	if q.Get(paramFacets) != "" {
		if facets, err = boolParam(q, paramFacets); err != nil {
			return af, false, false, err
		}
	}
	return af, facets, none, nil
}

func emptyStatusFacet(asked bool) Facets {
	if !asked {
		return nil
	}
	return Facets{paramStatus: []FacetCount{}}
}

// alertFacets counts the alerts f finds by status (its own status left
// out), one count per status, in f's scope.
func (a *api) alertFacets(ctx context.Context, f domain.AlertFilter) (Facets, error) {
	n := map[domain.AlertStatus]int{}
	for _, s := range []domain.AlertStatus{domain.AlertOpen, domain.AlertConfirmed, domain.AlertDismissed} {
		cf := f
		cf.Status, cf.Limit, cf.Offset = s, 1, 0
		_, total, err := a.deps.Alerts.ListAlerts(ctx, cf)
		if err != nil {
			return nil, err
		}
		n[s] = total
	}
	return Facets{paramStatus: statusFacet(n)}, nil
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
