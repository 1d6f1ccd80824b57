package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// AlertReviewer records a supervisor's review of an alert. Errors carry
// domain codes: ENOTFOUND for an unknown id, EINVALID for a status it refuses.
type AlertReviewer interface {
	SetAlertStatus(ctx context.Context, id int64, status domain.AlertStatus) (domain.Alert, error)
}

const alertsPath = "/api/v1/alerts"

// maxReviewBody bounds the PATCH body; {"status":"dismissed"} is 22 bytes.
const maxReviewBody = 4 << 10

const reviewExample = `{"status":"confirmed"}`

// WithReview serves PATCH /api/v1/alerts/{id} from r and hands every other
// request to h (the handler New returns). Like WithSources it is a wrapper
// so only the daemon, which owns a writable store, can add it; with r nil it
// returns h unchanged.
//
// No CSRF check is needed here: a cross-site page cannot send PATCH (or a
// JSON body) without a CORS preflight, and this API answers none.
func WithReview(h http.Handler, r AlertReviewer, log *zap.Logger) http.Handler {
	if r == nil {
		return h
	}
	if log == nil {
		log = zap.NewNop()
	}
	rv := &reviewAPI{r: r}
	mux := http.NewServeMux()
	mux.HandleFunc("PATCH "+alertsPath+"/{id}", rv.setStatus)
	// Other writing methods on an alert get a 405 that names PATCH too;
	// h's mux only knows GET and would leave PATCH out of Allow.
	mux.HandleFunc(alertsPath+"/{id}", func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Allow", "GET, HEAD, PATCH")
		writeError(w, req, &domain.Error{Code: codeMethodNotAllowed,
			Message: "method " + req.Method + " is not allowed here; use GET or HEAD or PATCH"})
	})
	own := observe(withJSONFallback(mux), log)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if isAlertPath(req.URL.Path) && req.Method != http.MethodGet && req.Method != http.MethodHead {
			own.ServeHTTP(w, req)
			return
		}
		h.ServeHTTP(w, req)
	})
}

// isAlertPath reports /api/v1/alerts/{id}: one non-empty segment after the
// collection, so /api/v1/alerts itself and deeper paths stay with h.
func isAlertPath(p string) bool {
	rest, ok := strings.CutPrefix(p, alertsPath+"/")
	return ok && rest != "" && !strings.Contains(rest, "/")
}

type reviewAPI struct{ r AlertReviewer }

type reviewBody struct {
	Status *string `json:"status"`
}

// setStatus serves PATCH /api/v1/alerts/{id} {"status":"confirmed"} and
// answers the alert as stored after the change.
func (rv *reviewAPI) setStatus(w http.ResponseWriter, r *http.Request) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		writeError(w, r, domain.Errorf(domain.EINVALID, "alert id %q: must be a positive whole number", raw))
		return
	}
	status, err := readReview(w, r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	alert, err := rv.r.SetAlertStatus(r.Context(), id, status)
	if err != nil {
		writeError(w, r, fmt.Errorf("setting status of alert %d: %w", id, err))
		return
	}
	writeJSON(w, http.StatusOK, alert)
}

// readReview decodes and checks the body here rather than leaving the
// status to the store, so the answer lists the valid values whatever the
// store says.
func readReview(w http.ResponseWriter, r *http.Request) (domain.AlertStatus, error) {
	var body reviewBody
	if err := decodeBody(w, r, &body, maxReviewBody, reviewExample); err != nil {
		return "", err
	}
	if body.Status == nil {
		return "", domain.Errorf(domain.EINVALID, "request body has no status; send %s", reviewExample)
	}
	status := domain.AlertStatus(*body.Status)
	switch status {
	case domain.AlertOpen, domain.AlertConfirmed, domain.AlertDismissed:
		return status, nil
	}
	return "", domain.Errorf(domain.EINVALID, "status %q is not valid: must be %s (handed to enforcement), %s or %s (to review again)",
		*body.Status, domain.AlertConfirmed, domain.AlertDismissed, domain.AlertOpen)
}
