package httpapi

import (
	"context"
	"fmt"
	"net/http"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

type alertList struct {
	Alerts []domain.Alert `json:"alerts"`
	Total  int            `json:"total"`
	Limit  int            `json:"limit"`
	Offset int            `json:"offset"`
}

// listAlerts serves GET /api/v1/alerts?mark=&status=&limit=&offset= within
// the principal's scope.
func (a *api) listAlerts(w http.ResponseWriter, r *http.Request) {
	p, ok := principal(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	mark, err := markParam(q)
	if err != nil {
		writeError(w, r, err)
		return
	}
	status := domain.AlertStatus(q.Get("status"))
	switch status {
	case "", domain.AlertOpen, domain.AlertConfirmed, domain.AlertDismissed:
	default:
		writeError(w, r, domain.Errorf(domain.EINVALID, "query parameter status=%q: must be %s, %s or %s",
			status, domain.AlertOpen, domain.AlertConfirmed, domain.AlertDismissed))
		return
	}
	limit, offset, err := page(q)
	if err != nil {
		writeError(w, r, err)
		return
	}
	f := domain.AlertFilter{MarkID: mark, Status: status, Scope: p.Scope, Limit: limit, Offset: offset}
	alerts, total, err := a.deps.Alerts.ListAlerts(r.Context(), f)
	if err != nil {
		writeError(w, r, fmt.Errorf("listing alerts: %w", err))
		return
	}
	// The store filters in SQL; this second look costs nothing and means a
	// bug there shows up as a log line rather than another owner's alerts.
	kept, dropped := inScope(a, p, "alerts", alerts, func(al domain.Alert) bool { return p.Scope.Allows(al.MarkID, al.Location) })
	writeJSON(w, http.StatusOK, alertList{Alerts: kept, Total: total - dropped, Limit: limit, Offset: offset})
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
