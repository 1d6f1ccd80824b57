package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// Field names in ListingVersion.Changes, as the JSON of a version names them.
const (
	ChangeTitle     = "title"
	ChangePrice     = "price"
	ChangeSeller    = "seller"
	ChangeImage     = "image_url"
	ChangeAvailable = "available"
	ChangeRemoved   = "removed"
)

const versionColumns = `id, alert_id, version, seen_at, title, price, seller, image_url, available, removed, changes,
	coalesce(capture_id, 0)`

func scanVersion(s scanner) (domain.ListingVersion, error) {
	var (
		v       domain.ListingVersion
		seen    int64
		changes string
	)
	if err := s.Scan(&v.ID, &v.AlertID, &v.Version, &seen, &v.Title, &v.Price, &v.Seller, &v.ImageURL,
		&v.Available, &v.Removed, &changes, &v.CaptureID); err != nil {
		return domain.ListingVersion{}, err
	}
	v.SeenAt = fromMillis(seen)
	if err := json.Unmarshal([]byte(changes), &v.Changes); err != nil {
		return domain.ListingVersion{}, fmt.Errorf("listing version %d: decoding changes: %w", v.ID, err)
	}
	if len(v.Changes) == 0 {
		v.Changes = nil
	}
	return v, nil
}

// versionChanges names the fields of v that differ from prev.
func versionChanges(prev, v domain.ListingVersion) []string {
	var out []string
	if prev.Title != v.Title {
		out = append(out, ChangeTitle)
	}
	if prev.Price != v.Price {
		out = append(out, ChangePrice)
	}
	if prev.Seller != v.Seller {
		out = append(out, ChangeSeller)
	}
	if prev.ImageURL != v.ImageURL {
		out = append(out, ChangeImage)
	}
	if prev.Available != v.Available {
		out = append(out, ChangeAvailable)
	}
	if prev.Removed != v.Removed {
		out = append(out, ChangeRemoved)
	}
	return out
}

func hasChange(changes []string, field string) bool {
	for _, c := range changes {
		if c == field {
			return true
		}
	}
	return false
}

func latestVersion(ctx context.Context, tx querier, alertID int64) (domain.ListingVersion, bool, error) {
	v, err := scanVersion(tx.QueryRowContext(ctx,
		"SELECT "+versionColumns+" FROM listing_versions WHERE alert_id = ? ORDER BY version DESC LIMIT 1", alertID))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.ListingVersion{}, false, nil
	}
	if err != nil {
		return domain.ListingVersion{}, false, fmt.Errorf("reading the latest version of alert %d: %w", alertID, err)
	}
	return v, true, nil
}

func insertVersion(ctx context.Context, tx querier, v domain.ListingVersion) (domain.ListingVersion, error) {
	changes := "[]"
	if len(v.Changes) > 0 {
		b, err := json.Marshal(v.Changes)
		if err != nil {
			return v, fmt.Errorf("encoding changes of alert %d version %d: %w", v.AlertID, v.Version, err)
		}
		changes = string(b)
	}
	capture := sql.NullInt64{Int64: v.CaptureID, Valid: v.CaptureID != 0}
	err := tx.QueryRowContext(ctx, qInsertVersion,
		v.AlertID, v.Version, toMillis(v.SeenAt), v.Title, v.Price, v.Seller, v.ImageURL, v.Available, v.Removed,
		changes, capture).Scan(&v.ID)
	if err != nil {
		return v, fmt.Errorf("writing version %d of alert %d: %w", v.Version, v.AlertID, err)
	}
	return v, nil
}

// sighted is the listing version a crawl shows: available, not removed.
func sighted(alertID int64, l domain.Listing, seen time.Time) domain.ListingVersion {
	return domain.ListingVersion{
		AlertID: alertID, SeenAt: seen, Title: l.Title, Price: l.Price, Seller: l.Seller, ImageURL: l.ImageURL,
		Available: true,
	}
}

// firstVersion starts a new alert's history: version 1 and, with evidence,
// its capture and capture jobs.
func (db *DB) firstVersion(ctx context.Context, tx *writeTx, l domain.Listing, a domain.Alert, seen time.Time, ev *ListingEvidence) error {
	v := sighted(a.ID, l, seen)
	v.Version = 1
	if ev != nil && db.recordHash != nil {
		c, err := db.appendCaptureTx(ctx, tx, db.newCapture(l, a, 1, ev, seen))
		if err != nil {
			return err
		}
		v.CaptureID = c.ID
		if err := captureJobs(ctx, tx, a.ID, l, ev, true, seen); err != nil {
			return err
		}
	}
	_, err := insertVersion(ctx, tx, v)
	return err
}

// sightingMoved handles an existing alert whose listing row changed
// something a version holds: a new version when it differs from the
// alert's latest (another source may have shown this state already), with
// a capture and capture jobs when there is evidence.
func (db *DB) sightingMoved(ctx context.Context, tx *writeTx, l domain.Listing, markID string, seen time.Time, ev *ListingEvidence) error {
	a := domain.Alert{MarkID: markID}
	if err := tx.QueryRowContext(ctx, qSelectAlertID, markID, alertKey(l)).Scan(&a.ID); err != nil {
		return fmt.Errorf("reading alert for mark %s: %w", markID, err)
	}
	prev, ok, err := latestVersion(ctx, tx, a.ID)
	if err != nil {
		return err
	}
	v := sighted(a.ID, l, seen)
	v.Version = 1
	if ok {
		if v.Changes = versionChanges(prev, v); len(v.Changes) == 0 {
			return nil
		}
		v.Version = prev.Version + 1
	}
	if ev != nil && db.recordHash != nil {
		c, err := db.appendCaptureTx(ctx, tx, db.newCapture(l, a, v.Version, ev, seen))
		if err != nil {
			return err
		}
		v.CaptureID = c.ID
		if err := captureJobs(ctx, tx, a.ID, l, ev, hasChange(v.Changes, ChangeImage), seen); err != nil {
			return err
		}
	}
	_, err = insertVersion(ctx, tx, v)
	return err
}

// ListVersions returns an alert's listing versions, oldest first (none for
// an alert that does not exist: callers check the alert and its scope).
func (db *DB) ListVersions(ctx context.Context, alertID int64) ([]domain.ListingVersion, error) {
	rows, err := db.sql.QueryContext(ctx,
		"SELECT "+versionColumns+" FROM listing_versions WHERE alert_id = ? ORDER BY version", alertID)
	if err != nil {
		return nil, fmt.Errorf("reading versions of alert %d: %w", alertID, err)
	}
	out, err := scanAll(rows, scanVersion)
	if err != nil {
		return nil, fmt.Errorf("reading versions of alert %d: %w", alertID, err)
	}
	return out, nil
}

// AddVersion records a state of an alert's listing seen outside a crawl (a
// recheck): the next version, with Changes computed against the previous
// one (Version and Changes of v are ignored), and with c the capture that
// shows it, appended in the same transaction (its AlertID and Version are
// taken from v). A state equal to the latest version starts no version:
// AddVersion then returns the latest version unchanged, and c, if given, is
// appended as a capture of that version. A version not available marks
// the alert's listing so that the next crawl showing it again (relisted)
// starts a version even though the listing row has not changed. A zero
// SeenAt is now. Removed
// with Available is domain.EINVALID; an alert that does not exist is
// domain.ENOTFOUND.
func (db *DB) AddVersion(ctx context.Context, v domain.ListingVersion, c *domain.Capture) (domain.ListingVersion, error) {
	if v.Removed && v.Available {
		return domain.ListingVersion{}, domain.Errorf(domain.EINVALID,
			"adding a version to alert %d: a removed listing (已下架) cannot be available", v.AlertID)
	}
	if c != nil && c.AlertID != 0 && c.AlertID != v.AlertID {
		return domain.ListingVersion{}, domain.Errorf(domain.EINVALID,
			"adding a version to alert %d: its capture names alert %d", v.AlertID, c.AlertID)
	}
	if v.SeenAt.IsZero() {
		v.SeenAt = db.stamp()
	}
	v.SeenAt = v.SeenAt.UTC().Truncate(time.Millisecond)
	v.ID, v.CaptureID, v.Changes = 0, 0, nil
	err := db.inTx(ctx, fmt.Sprintf("adding a version to alert %d", v.AlertID), func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM alerts WHERE id = ?", v.AlertID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "alert %d does not exist", v.AlertID)
		}
		if err != nil {
			return fmt.Errorf("reading alert: %w", err)
		}
		prev, ok, err := latestVersion(ctx, tx, v.AlertID)
		if err != nil {
			return err
		}
		v.Version = 1
		if ok {
			v.Changes = versionChanges(prev, v)
			v.Version = prev.Version + 1
		}
		unchanged := ok && len(v.Changes) == 0
		if c != nil {
			cc := *c
			cc.AlertID = v.AlertID
			if cc.CapturedAt.IsZero() {
				cc.CapturedAt = v.SeenAt
			}
			cc.Version = 0
			next := v.Version
			if unchanged {
				next = prev.Version
			}
			if cc, err = db.completeCapture(ctx, tx, cc, next); err != nil {
				return err
			}
			if cc, err = db.appendCaptureTx(ctx, tx, cc); err != nil {
				return err
			}
			v.CaptureID = cc.ID
		}
		if unchanged {
			v = prev
			return nil
		}
		if v, err = insertVersion(ctx, tx, v); err != nil {
			return err
		}
		if v.Available {
			return nil
		}
		// Gone: the next crawl that shows the listing again (relisted)
		// must start a version, though its row has not changed.
		_, err = tx.ExecContext(ctx, `UPDATE listings SET version_stale = 1
			WHERE id = (SELECT h.listing_id FROM alerts a JOIN hits h ON h.id = a.hit_id WHERE a.id = ?)`, v.AlertID)
		if err != nil {
			return fmt.Errorf("marking the listing of alert %d for comparison: %w", v.AlertID, err)
		}
		return nil
	})
	if err != nil {
		return domain.ListingVersion{}, err
	}
	return v, nil
}
