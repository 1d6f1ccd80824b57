package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/markwatch/markwatch/internal/domain"
)

// hitLastSeen is the last_seen of hit h: its listing's while it is live
// (0010_listing_seen.sql), its own once frozen.
const hitLastSeen = `CASE WHEN h.live = 1
	THEN coalesce((SELECT s.last_seen FROM listing_seen s WHERE s.listing_id = h.listing_id), h.last_seen)
	ELSE h.last_seen END`

// hitColumns reads a hit with its listing's fields; callers join
// hits h with listings l.
const hitColumns = `h.id, h.listing_id, l.source_id, h.mark_id, l.title, l.url, l.seller, l.location,
	l.price, h.score, h.alert, h.reasons, h.first_seen, ` + hitLastSeen

func scanHit(s scanner) (domain.Hit, error) {
	var (
		h           domain.Hit
		reasons     string
		first, last int64
	)
	err := s.Scan(&h.ID, &h.ListingID, &h.SourceID, &h.MarkID, &h.Title, &h.URL, &h.Seller, &h.Location,
		&h.Price, &h.Score, &h.Alert, &reasons, &first, &last)
	if err != nil {
		return domain.Hit{}, err
	}
	h.FirstSeen, h.LastSeen = fromMillis(first), fromMillis(last)
	if h.Reasons, err = decodeReasons(reasons); err != nil {
		return domain.Hit{}, fmt.Errorf("hit %d: %w", h.ID, err)
	}
	return h, nil
}

// allHitsPage is how many hits AllHits reads per query.
const allHitsPage = 500

// AllHits calls fn for every hit in id order. It reads in pages by id rather
// than holding one long read open, so fn may take its time (a reindex sends
// batches over the network) without pinning the WAL, and may write to the
// store. Hits added during the walk after the current page are included.
// An error from fn stops the walk and is returned.
func (db *DB) AllHits(ctx context.Context, fn func(domain.Hit) error) error {
	var after int64
	for {
		page, err := db.hitsAfter(ctx, after, allHitsPage)
		if err != nil {
			return fmt.Errorf("walking all hits after id %d: %w", after, err)
		}
		for _, h := range page {
			if err := fn(h); err != nil {
				return err
			}
		}
		if len(page) < allHitsPage {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

func (db *DB) hitsAfter(ctx context.Context, after int64, limit int) ([]domain.Hit, error) {
	rows, err := db.sql.QueryContext(ctx,
		"SELECT "+hitColumns+" FROM hits h JOIN listings l ON l.id = h.listing_id WHERE h.id > ? ORDER BY h.id LIMIT ?",
		after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hits []domain.Hit
	for rows.Next() {
		h, err := scanHit(rows)
		if err != nil {
			return nil, err
		}
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// GetHit returns one hit with its listing's fields (price included), for the
// evidence page; a missing id is domain.ENOTFOUND.
func (db *DB) GetHit(ctx context.Context, id int64) (domain.Hit, error) {
	row := db.sql.QueryRowContext(ctx, "SELECT "+hitColumns+" FROM hits h JOIN listings l ON l.id = h.listing_id WHERE h.id = ?", id)
	h, err := scanHit(row)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Hit{}, domain.Errorf(domain.ENOTFOUND, "hit %d does not exist", id)
	}
	if err != nil {
		return domain.Hit{}, fmt.Errorf("getting hit %d: %w", id, err)
	}
	return h, nil
}
