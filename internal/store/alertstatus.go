package store

import (
	"context"
	"fmt"

	"github.com/markwatch/markwatch/internal/domain"
)

// SetAlertStatus records a supervisor's review of an alert (confirmed: handed
// to enforcement; dismissed; or open again) and returns the alert as stored.
// Seeing the listing again later never changes the status.
func (db *DB) SetAlertStatus(ctx context.Context, id int64, status domain.AlertStatus) (domain.Alert, error) {
	switch status {
	case domain.AlertOpen, domain.AlertConfirmed, domain.AlertDismissed:
	default:
		return domain.Alert{}, domain.Errorf(domain.EINVALID,
			"setting status of alert %d: status %q must be one of open, confirmed, dismissed", id, status)
	}
	res, err := db.wr.ExecContext(ctx, "UPDATE alerts SET status = ? WHERE id = ?", string(status), id)
	if err != nil {
		return domain.Alert{}, fmt.Errorf("setting status of alert %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return domain.Alert{}, fmt.Errorf("setting status of alert %d: %w", id, err)
	} else if n == 0 {
		return domain.Alert{}, domain.Errorf(domain.ENOTFOUND, "alert %d does not exist", id)
	}
	return db.GetAlert(ctx, id)
}
