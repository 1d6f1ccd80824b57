package store

import (
	"context"

	"github.com/markwatch/markwatch/internal/domain"
)

// SetAlertStatus is ReviewAlert without a note by the daemon itself, for
// callers that predate accounts. It is audited like any review.
func (db *DB) SetAlertStatus(ctx context.Context, id int64, status domain.AlertStatus) (domain.Alert, error) {
	return db.ReviewAlert(ctx, id, domain.Review{Status: status}, domain.SystemActor)
}
