package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/markwatch/markwatch/internal/domain"
)

// Page size bounds for listing queries: a default for callers that pass 0,
// and a ceiling so one request cannot read the whole table.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
)

const alertColumns = `id, mark_id, coalesce(hit_id, 0), source_id, url, title, seller, location,
	score, reasons, status, first_seen, ` + alertLastSeen + `, coalesce(seller_id, 0)`

// alertLastSeen is an alert's last_seen, in a query whose only table with
// these columns is alerts: the later of its own and, while it is live
// through a listing, that listing's (0011_alert_live.sql).
const alertLastSeen = `CASE WHEN live_listing IS NULL THEN last_seen
	ELSE max(last_seen, coalesce((SELECT s.last_seen FROM listing_seen s WHERE s.listing_id = live_listing), 0)) END`

// ListAlerts returns one page of alerts, newest first, and the total number
// matching the filter. Limit 0 means DefaultPageSize. It is QueryAlerts:
// one query builder serves every alert list.
func (db *DB) ListAlerts(ctx context.Context, f domain.AlertFilter) ([]domain.Alert, int, error) {
	return db.QueryAlerts(ctx, f)
}

// GetAlert returns one alert; a missing id is domain.ENOTFOUND. The id of
// an alert merged into another (MergeIdentities) answers with the kept
// alert, whose ID differs from the one asked for.
func (db *DB) GetAlert(ctx context.Context, id int64) (domain.Alert, error) {
	kept, err := keptAlert(ctx, db.sql, id)
	if err != nil {
		return domain.Alert{}, err
	}
	row := db.sql.QueryRowContext(ctx, "SELECT "+alertColumns+" FROM alerts WHERE id = ?", kept)
	a, err := scanAlert(row)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Alert{}, domain.Errorf(domain.ENOTFOUND, "alert %d does not exist", id)
	}
	if err != nil {
		return domain.Alert{}, fmt.Errorf("reading alert %d: %w", id, err)
	}
	return a, nil
}

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface{ Scan(dest ...any) error }

// scanAll reads every row with scan and closes rows: the one loop of the
// list queries. The slice is never nil, so an empty list answers [] in
// JSON rather than null.
func scanAll[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func scanAlert(s scanner) (domain.Alert, error) {
	var (
		a               domain.Alert
		status, reasons string
		first, last     int64
	)
	err := s.Scan(&a.ID, &a.MarkID, &a.HitID, &a.SourceID, &a.URL, &a.Title, &a.Seller, &a.Location,
		&a.Score, &reasons, &status, &first, &last, &a.SellerID)
	if err != nil {
		return domain.Alert{}, err
	}
	a.Status = domain.AlertStatus(status)
	a.FirstSeen, a.LastSeen = fromMillis(first), fromMillis(last)
	if a.Reasons, err = decodeReasons(reasons); err != nil {
		return domain.Alert{}, fmt.Errorf("alert %d: %w", a.ID, err)
	}
	return a, nil
}

func pageLimit(limit, offset int) (int, error) {
	switch {
	case limit < 0:
		return 0, domain.Errorf(domain.EINVALID, "limit %d must not be negative", limit)
	case limit > MaxPageSize:
		return 0, domain.Errorf(domain.EINVALID, "limit %d is above the maximum of %d", limit, MaxPageSize)
	case offset < 0:
		return 0, domain.Errorf(domain.EINVALID, "offset %d must not be negative", offset)
	case limit == 0:
		return DefaultPageSize, nil
	}
	return limit, nil
}
