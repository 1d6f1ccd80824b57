package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// ReviewAlert records a review of an alert (confirmed: handed to
// enforcement; dismissed; or open again) in one transaction: the status,
// the alert.review audit row with the note, and the status-event
// notifications that cite that row. Seeing the listing again later never
// changes the status.
func (db *DB) ReviewAlert(ctx context.Context, id int64, rv domain.Review, actor domain.Actor) (domain.Alert, error) {
	switch rv.Status {
	case domain.AlertOpen, domain.AlertConfirmed, domain.AlertDismissed:
	default:
		return domain.Alert{}, domain.Errorf(domain.EINVALID,
			"reviewing alert %d: status %q must be one of open, confirmed, dismissed", id, rv.Status)
	}
	if n := utf8.RuneCountInString(rv.Note); n > maxNoteRunes {
		return domain.Alert{}, domain.Errorf(domain.EINVALID,
			"reviewing alert %d: note has %d characters, more than %d; shorten it", id, n, maxNoteRunes)
	}
	var a domain.Alert
	err := db.inTx(ctx, fmt.Sprintf("reviewing alert %d", id), func(tx *sql.Tx) error {
		// A merged alert is reviewed as the alert it was merged into, so
		// the decision lands where supervisors and owners see it.
		kept, err := keptAlert(ctx, tx, id)
		if err != nil {
			return err
		}
		id = kept
		var platform string
		row := tx.QueryRowContext(ctx, "SELECT "+alertColumns+`,
			coalesce((SELECT l.platform FROM hits h JOIN listings l ON l.id = h.listing_id WHERE h.id = alerts.hit_id), '')
			FROM alerts WHERE id = ?`, id)
		a, err = scanAlert(scanFunc(func(dest ...any) error { return row.Scan(append(dest, &platform)...) }))
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "alert %d does not exist", id)
		}
		if err != nil {
			return fmt.Errorf("reading: %w", err)
		}
		old := a.Status
		if _, err := tx.ExecContext(ctx, "UPDATE alerts SET status = ? WHERE id = ?", string(rv.Status), id); err != nil {
			return fmt.Errorf("updating: %w", err)
		}
		a.Status = rv.Status
		e, err := db.appendAudit(ctx, tx, domain.AuditEntry{
			Actor: actor, Action: domain.AuditAlertReview, Object: fmt.Sprintf("alert:%d", id), MarkID: a.MarkID,
			Before: auditDoc(map[string]domain.AlertStatus{"status": old}),
			After:  auditDoc(map[string]domain.AlertStatus{"status": rv.Status}),
			Note:   rv.Note,
		})
		if err != nil {
			return err
		}
		if db.router == nil {
			return nil
		}
		review, who := rv, actor
		return db.route(ctx, tx, []domain.AlertEvent{{
			Kind: domain.EventStatus, Alert: a, Platform: platform, AuditID: e.ID, Review: &review, Actor: &who, At: e.At,
		}})
	})
	if err != nil {
		return domain.Alert{}, err
	}
	return a, nil
}
