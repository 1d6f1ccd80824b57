package httpapi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/markwatch/markwatch/internal/domain"
)

// CaptureRequester queues a fresh capture of an alert's listing: a
// Chromium screenshot and MHTML ("screenshot") or a fetch of its page
// ("recheck"). queued is false when one of that kind is already pending.
type CaptureRequester interface {
	RequestCapture(ctx context.Context, alertID int64, kind string, actor domain.Actor) (queued bool, err error)
}

const captureExample = `{"kind":"screenshot"}`

type captureBody struct {
	Kind string `json:"kind"`
}

type captureAnswer struct {
	AlertID int64  `json:"alert_id"`
	Kind    string `json:"kind"`
	Queued  bool   `json:"queued"`
	// Pending is true when the request joined one already waiting.
	Pending bool `json:"pending"`
}

// requestCapture serves POST /api/v1/alerts/{id}/capture: a supervisor asks
// for evidence of the listing as it stands now, before the seller edits or
// pulls it. Alerts outside the scope answer 404 like missing ones.
func (a *api) requestCapture(w http.ResponseWriter, r *http.Request) {
	p, id, ok := principalID(w, r, "alert")
	if !ok {
		return
	}
	var body captureBody
	if err := decodeBody(w, r, &body, 1<<10, captureExample); err != nil {
		writeError(w, r, err)
		return
	}
	if body.Kind == "" {
		body.Kind = "screenshot"
	}
	if _, err := a.scopedAlert(r.Context(), p.Scope, id); err != nil {
		writeError(w, r, fmt.Errorf("requesting a capture of alert %d: %w", id, err))
		return
	}
	queued, err := a.deps.Captures.RequestCapture(r.Context(), id, body.Kind, p.Actor())
	if err != nil {
		writeError(w, r, fmt.Errorf("requesting a capture of alert %d: %w", id, err))
		return
	}
	writeJSON(w, http.StatusAccepted, captureAnswer{AlertID: id, Kind: body.Kind, Queued: queued, Pending: !queued})
}
