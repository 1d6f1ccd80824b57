package httpapi

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/markwatch/markwatch/internal/domain"
)

type alertList struct {
	Alerts []domain.Alert `json:"alerts"`
	Total  int            `json:"total"`
	Limit  int            `json:"limit"`
	Offset int            `json:"offset"`
}

// listAlerts serves GET /api/v1/alerts?mark=&status=&limit=&offset=.
func (a *api) listAlerts(w http.ResponseWriter, r *http.Request) {
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
	if a.deps.Alerts == nil {
		writeError(w, r, domain.Errorf(domain.EUNAVAILABLE, "the alert store is not available"))
		return
	}
	alerts, total, err := a.deps.Alerts.ListAlerts(r.Context(), domain.AlertFilter{MarkID: mark, Status: status, Limit: limit, Offset: offset})
	if err != nil {
		writeError(w, r, fmt.Errorf("listing alerts: %w", err))
		return
	}
	if alerts == nil {
		alerts = []domain.Alert{} // [] not null: clients iterate without a check
	}
	writeJSON(w, http.StatusOK, alertList{Alerts: alerts, Total: total, Limit: limit, Offset: offset})
}

// getAlert serves GET /api/v1/alerts/{id}.
func (a *api) getAlert(w http.ResponseWriter, r *http.Request) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		writeError(w, r, domain.Errorf(domain.EINVALID, "alert id %q: must be a positive whole number", raw))
		return
	}
	if a.deps.Alerts == nil {
		writeError(w, r, domain.Errorf(domain.EUNAVAILABLE, "the alert store is not available"))
		return
	}
	alert, err := a.deps.Alerts.GetAlert(r.Context(), id)
	if err != nil {
		writeError(w, r, fmt.Errorf("getting alert %d: %w", id, err))
		return
	}
	writeJSON(w, http.StatusOK, alert)
}
