package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// The statements SaveListing runs, prepared once when the store opens
// (preparing was about a quarter of a save's CPU time).
const (
	qEnsureSource = "INSERT INTO sources (id, created_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING"
	// qTouchListing is a re-sighting's one statement on the listing row: it
	// only matches when nothing the index shows has changed and the image
	// (part of a listing version, see versions.go) is the same. last_seen
	// is listing_seen's (qSeenListing).
	// Plain positional parameters: numbered ones cost the driver an
	// allocation each per execution.
	// The seller is compared, not set: setting an indexed column costs an
	// index write even when its value stays the same. fp (fingerprint.go)
	// is set, so a row written before fingerprints gets one. saved_change
	// is left as it is: only qUpsertListing's RETURNING reads it, and it
	// writes it first; the fast path (resight.go) leaves it too, so both
	// store the same row.
	qTouchListing = `UPDATE listings SET platform = ?, query = ?, fp = ?
		WHERE source_id = ? AND url_key = ? AND url = ? AND title = ? AND price = ? AND seller = ? AND location = ?
		AND image_url = ? AND version_stale = 0 AND seller_id IS ?
		RETURNING id`
	// qUpsertListing is a listing's one statement when qTouchListing found
	// nothing to touch: a first sighting inserts, a changed one updates.
	// SET expressions all read the old row, so saved_change records what
	// moved (bits: see 0008_listing_change.sql). The bits are CASEs, not
	// arithmetic over comparisons, so the one text serves PostgreSQL,
	// whose comparisons are boolean.
	qUpsertListing = `INSERT INTO listings
			(source_id, url_key, url, platform, title, price, seller, location, image_url, query, first_seen, seller_id, fp, saved_change)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 3)
		ON CONFLICT (source_id, url_key) DO UPDATE SET
			saved_change = CASE WHEN url != excluded.url OR title != excluded.title OR price != excluded.price
					OR seller != excluded.seller OR location != excluded.location THEN 1 ELSE 0 END
				| CASE WHEN version_stale != 0 OR title != excluded.title OR price != excluded.price
					OR seller != excluded.seller OR image_url != excluded.image_url THEN 2 ELSE 0 END
				| CASE WHEN seller_id IS NOT excluded.seller_id THEN 4 ELSE 0 END,
			url = excluded.url, platform = excluded.platform, title = excluded.title, price = excluded.price,
			seller = excluded.seller, location = excluded.location, image_url = excluded.image_url,
			query = excluded.query, version_stale = 0,
			seller_id = excluded.seller_id, fp = excluded.fp
		RETURNING id, saved_change, first_seen`
	// qSeenListing moves a listing's last_seen (listing_seen, see
	// 0010_listing_seen.sql) and returns it, so the caller knows whether
	// this sighting is its latest.
	qSeenListing = `INSERT INTO listing_seen (listing_id, last_seen) VALUES (?, ?)
		ON CONFLICT (listing_id) DO UPDATE SET last_seen = max(listing_seen.last_seen, excluded.last_seen)
		RETURNING last_seen`
	// qTouchListingSpan is the fast path's touch of listings whose ids are
	// consecutive (touchSpans): every row from ?2 to ?3 is one it read.
	qTouchListingSpan = "UPDATE listing_seen SET last_seen = max(last_seen, ?) WHERE listing_id BETWEEN ? AND ?"
	// qFreezeHits runs before qSeenListing on a sighting that is the
	// listing's latest (?2 no earlier than its last_seen): every live hit
	// of the listing is frozen at the listing's last_seen, the latest
	// sighting that gave its mark. The hits of this sighting's verdict are
	// made live again by qTouchHit or qUpsertHit; the others stay frozen.
	qFreezeHits = `UPDATE hits SET live = 0,
			last_seen = max(last_seen, (SELECT s.last_seen FROM listing_seen s WHERE s.listing_id = ?1))
		WHERE listing_id = ?1 AND live = 1 AND (SELECT s.last_seen FROM listing_seen s WHERE s.listing_id = ?1) <= ?2`
	// qTouchHit is a later sighting with the verdict unchanged: it moves
	// last_seen and makes the hit live when this sighting is the listing's
	// latest (?8 is 1). It matches nothing when the verdict changed, so the
	// caller's full path decides what changed. fp is set for a hit written
	// before fingerprints.
	qTouchHit = `UPDATE hits SET last_seen = max(last_seen, ?1), fp = ?7, live = max(live, ?8)
		WHERE listing_id = ?2 AND mark_id = ?3 AND score = ?4 AND alert = ?5 AND reasons = ?6
		RETURNING id, first_seen, last_seen, live`
	// qUpsertHit is a hit's one statement when qTouchHit matched nothing:
	// it inserts a first sighting or takes a new verdict, and returns no row
	// when the verdict is the same (qTouchHit had matched, or was not run
	// on a listing first seen now).
	qUpsertHit = `INSERT INTO hits
			(listing_id, mark_id, score, alert, reasons, first_seen, last_seen, fp, live)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (listing_id, mark_id) DO UPDATE SET
			score = excluded.score, alert = excluded.alert, reasons = excluded.reasons, fp = excluded.fp,
			last_seen = max(last_seen, excluded.last_seen), live = max(live, excluded.live)
		WHERE score != excluded.score OR alert != excluded.alert OR reasons != excluded.reasons
		RETURNING id, first_seen, last_seen, live`
	qSelectHit = "SELECT id, first_seen, last_seen, live FROM hits WHERE listing_id = ? AND mark_id = ?"
	// qInsertAlert and qTouchAlert take live_listing (0011_alert_live.sql):
	// the sighting's listing when it is that listing's latest, else NULL.
	qInsertAlert = `INSERT INTO alerts
		(mark_id, url_key, hit_id, source_id, url, title, seller, location, score, reasons, status, first_seen, last_seen, seller_id, live_listing)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)
		ON CONFLICT (mark_id, url_key) DO NOTHING RETURNING id`
	// qTouchAlert leaves last_seen to listing_seen when the alert is live
	// through the sighting's listing, and makes a frozen alert live.
	qTouchAlert = `UPDATE alerts SET
		last_seen = CASE WHEN live_listing = ? THEN last_seen ELSE max(last_seen, ?) END,
		live_listing = CASE WHEN live_listing IS NULL THEN ? ELSE live_listing END,
		reasons = CASE WHEN ? > score THEN ? ELSE reasons END,
		score = max(score, ?)
		WHERE mark_id = ? AND url_key = ?`
	qEnqueue = "INSERT OR REPLACE INTO index_outbox (op, hit_id, attempts, last_error, created_at) VALUES (?, ?, 0, '', ?)"
	// qEnqueuePostgres is qEnqueue on PostgreSQL: the hit's row takes a
	// new id, as SQLite's delete-and-insert gives it, so acknowledging the
	// older id cannot drop the newer change.
	qEnqueuePostgres = `INSERT INTO index_outbox (op, hit_id, attempts, last_error, created_at) VALUES ($1, $2, 0, '', $3)
		ON CONFLICT (hit_id) DO UPDATE SET id = DEFAULT, op = excluded.op, attempts = 0, last_error = '',
			created_at = excluded.created_at`
	// qInsertVersion runs once per new alert; qSelectAlertID only when a
	// listing row changed (see versions.go).
	qInsertVersion = `INSERT INTO listing_versions
		(alert_id, version, seen_at, title, price, seller, image_url, available, removed, changes, capture_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	qSelectAlertID = "SELECT id FROM alerts WHERE mark_id = ? AND url_key = ?"
)

// qFreezeAlerts runs beside qFreezeHits: every alert live through the
// listing (?1) is frozen at the listing's last_seen, the latest sighting
// that alerted it, when this sighting (?2) is the listing's latest.
const qFreezeAlerts = `UPDATE alerts SET live_listing = NULL,
		last_seen = max(last_seen, (SELECT s.last_seen FROM listing_seen s WHERE s.listing_id = ?1))
	WHERE live_listing = ?1 AND (SELECT s.last_seen FROM listing_seen s WHERE s.listing_id = ?1) <= ?2`

// freezeAlertsSQL is qFreezeAlerts sparing the alerts of the marks this
// sighting alerts (?3 on): upsertAlert keeps them live, and leaving them
// unwritten stores what the fast path stores.
func freezeAlertsSQL(keep int) string {
	if keep == 0 {
		return qFreezeAlerts
	}
	params := make([]string, keep)
	for i := range params {
		params[i] = fmt.Sprintf("?%d", i+3)
	}
	return qFreezeAlerts + " AND mark_id NOT IN (" + strings.Join(params, ", ") + ")"
}

// hotStatements are prepared on the write connection at Open.
var hotStatements = []string{
	qEnsureSource, qTouchListing, qUpsertListing, qSeenListing, qTouchListingSpan, qFreezeHits, qFreezeAlerts, qTouchHit, qUpsertHit, qSelectHit, qInsertAlert, qTouchAlert, qEnqueue, qInsertVersion, qSelectAlertID,
}

// allHot are the statements prepared at Open: the listing's, its
// seller's and the fast path's (rq).
func allHot(rq *resightQueries) []string {
	return append(append(append([]string{}, hotStatements...), sellerStatements()...), rq.all()...)
}

// prepareHot prepares allHot. It must run outside any transaction: the
// write pool has one connection, which a transaction would hold.
func prepareHot(ctx context.Context, wr *sql.DB, rq *resightQueries) (map[string]*sql.Stmt, error) {
	hot := allHot(rq)
	m := make(map[string]*sql.Stmt, len(hot))
	for _, q := range hot {
		st, err := wr.PrepareContext(ctx, q)
		if err != nil {
			closeStatements(m)
			return nil, fmt.Errorf("preparing %q: %w", q, err)
		}
		m[q] = st
	}
	return m, nil
}

func closeStatements(m map[string]*sql.Stmt) error {
	var errs []error
	for _, st := range m {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}

// execer is what ensureSource needs from *sql.Tx and *writeTx alike.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// writeTx is a write transaction that runs prepared statements when it has
// them; it has *sql.Tx's method signatures so the SQL reads the same.
type writeTx struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (t *writeTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st, ok := t.stmts[query]; ok {
		return t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t *writeTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st, ok := t.stmts[query]; ok {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// inWriteTx is inTx with the prepared statements at hand.
func (db *DB) inWriteTx(ctx context.Context, what string, fn func(tx *writeTx) error) error {
	return db.inTx(ctx, what, func(tx *sql.Tx) error {
		return fn(&writeTx{tx: tx, stmts: db.hot})
	})
}

func (t *writeTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st, ok := t.stmts[query]; ok {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

// querier is what the access-side writers need from *sql.Tx and *writeTx
// alike, so ReviewAlert (a plain transaction) and SaveListings (one with
// prepared statements) share the notification code.
type querier interface {
	execer
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}
