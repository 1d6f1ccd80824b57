package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// AlertReviewer records a supervisor's review of an alert: status change,
// audit row and subscribers' notifications in one transaction. Errors carry
// domain codes: ENOTFOUND for an unknown id, EINVALID for a status it refuses.
type AlertReviewer interface {
	ReviewAlert(ctx context.Context, id int64, rv domain.Review, actor domain.Actor) (domain.Alert, error)
}

// maxReviewBody bounds the PATCH body: a note of maxNoteRunes Chinese
// characters is 3 bytes each.
const maxReviewBody = 16 << 10

// maxNoteRunes keeps a review note to what a supervisor writes, not a file.
const maxNoteRunes = 2000

const reviewExample = `{"status":"confirmed","note":"已移交执法"}`

type reviewBody struct {
	Status *string `json:"status"`
	Note   string  `json:"note"`
}

// reviewAlert serves PATCH /api/v1/alerts/{id} {"status":"confirmed","note":"…"}
// and answers the alert as stored after the change. An alert outside the
// reviewer's scope (a supervisor's jurisdiction) answers 404, as if absent.
func (a *api) reviewAlert(w http.ResponseWriter, r *http.Request) {
	p, id, ok := principalID(w, r, "alert")
	if !ok {
		return
	}
	rv, err := readReview(w, r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	// Checked before the write, so a refused review changes nothing. Mark
	// and location of an alert never change, so the check cannot go stale.
	if _, err := a.scopedAlert(r.Context(), p.Scope, id); err != nil {
		writeError(w, r, fmt.Errorf("reviewing alert %d: %w", id, err))
		return
	}
	alert, err := a.deps.Reviewer.ReviewAlert(r.Context(), id, rv, p.Actor())
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			err = fmt.Errorf("%w: %w", alertNotFound(id), err)
		}
		writeError(w, r, fmt.Errorf("reviewing alert %d: %w", id, err))
		return
	}
	writeJSON(w, http.StatusOK, alert)
}

// readReview decodes and checks the body here rather than leaving the
// status to the store, so the answer lists the valid values whatever the
// store says.
func readReview(w http.ResponseWriter, r *http.Request) (domain.Review, error) {
	var body reviewBody
	if err := decodeBody(w, r, &body, maxReviewBody, reviewExample); err != nil {
		return domain.Review{}, err
	}
	if body.Status == nil {
		return domain.Review{}, domain.Errorf(domain.EINVALID, "request body has no status; send %s", reviewExample)
	}
	note := strings.TrimSpace(body.Note)
	if n := utf8.RuneCountInString(note); n > maxNoteRunes {
		return domain.Review{}, domain.Errorf(domain.EINVALID, "note is %d characters long; keep it under %d", n, maxNoteRunes)
	}
	status := domain.AlertStatus(*body.Status)
	switch status {
	case domain.AlertOpen, domain.AlertConfirmed, domain.AlertDismissed:
		return domain.Review{Status: status, Note: note}, nil
	}
	return domain.Review{}, domain.Errorf(domain.EINVALID, "status %q is not valid: must be %s (handed to enforcement), %s or %s (to review again)",
		*body.Status, domain.AlertConfirmed, domain.AlertDismissed, domain.AlertOpen)
}
