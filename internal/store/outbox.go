package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// NextOutbox returns up to limit pending index changes with each hit's
// current state. Order is oldest first among entries tried equally often:
// entries that failed move behind fresh ones, so one document Meilisearch
// keeps rejecting cannot block everything queued after it.
// An upsert whose hit no longer exists is returned as a delete.
func (db *DB) NextOutbox(ctx context.Context, limit int) ([]domain.OutboxEntry, error) {
	limit, err := pageLimit(limit, 0)
	if err != nil {
		return nil, fmt.Errorf("reading index outbox: %w", err)
	}
	return db.readOutbox(ctx, `ORDER BY o.attempts, o.id LIMIT ?`, limit)
}

// NextOutboxAfter returns up to limit pending entries with ids above
// afterID, oldest first: the drain reads past entries whose tasks are
// still queued in Meilisearch, so several can be in flight at once.
func (db *DB) NextOutboxAfter(ctx context.Context, afterID int64, limit int) ([]domain.OutboxEntry, error) {
	limit, err := pageLimit(limit, 0)
	if err != nil {
		return nil, fmt.Errorf("reading index outbox: %w", err)
	}
	return db.readOutbox(ctx, `WHERE o.id > ? ORDER BY o.id LIMIT ?`, afterID, limit)
}

// readOutbox reads outbox entries with their hits as of now; tail is the
// query's WHERE/ORDER/LIMIT, args its parameters.
func (db *DB) readOutbox(ctx context.Context, tail string, args ...any) ([]domain.OutboxEntry, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT o.id, o.op, o.hit_id, o.attempts, h.id IS NOT NULL,
		coalesce(h.listing_id, 0), coalesce(l.source_id, ''), coalesce(h.mark_id, ''), coalesce(l.title, ''),
		coalesce(l.url, ''), coalesce(l.seller, ''), coalesce(l.location, ''), coalesce(l.price, 0),
		coalesce(h.score, 0), coalesce(h.alert, 0), coalesce(h.reasons, '[]'),
		coalesce(h.first_seen, 0), coalesce(`+hitLastSeen+`, 0)
		FROM index_outbox o
		LEFT JOIN hits h ON h.id = o.hit_id
		LEFT JOIN listings l ON l.id = h.listing_id
		`+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("reading index outbox: %w", err)
	}
	defer rows.Close()
	var out []domain.OutboxEntry
	for rows.Next() {
		var (
			e           domain.OutboxEntry
			op          string
			exists      bool
			h           domain.Hit
			reasons     string
			first, last int64
		)
		if err := rows.Scan(&e.ID, &op, &e.HitID, &e.Attempts, &exists, &h.ListingID, &h.SourceID, &h.MarkID,
			&h.Title, &h.URL, &h.Seller, &h.Location, &h.Price, &h.Score, &h.Alert, &reasons, &first, &last); err != nil {
			return nil, fmt.Errorf("reading index outbox: %w", err)
		}
		e.Op = domain.OutboxOp(op)
		if e.Op == domain.OutboxUpsert && !exists {
			e.Op = domain.OutboxDelete
		}
		if e.Op == domain.OutboxUpsert {
			h.ID = e.HitID
			h.FirstSeen, h.LastSeen = fromMillis(first), fromMillis(last)
			if h.Reasons, err = decodeReasons(reasons); err != nil {
				return nil, fmt.Errorf("reading index outbox: hit %d: %w", h.ID, err)
			}
			e.Hit = h
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading index outbox: %w", err)
	}
	return out, nil
}

// AckOutbox removes entries the index has applied. Unknown ids are ignored:
// an entry replaced by a newer change since it was read stays pending under
// its new id.
func (db *DB) AckOutbox(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return db.inTx(ctx, fmt.Sprintf("acknowledging %d index outbox entries", len(ids)), func(tx *sql.Tx) error {
		for _, chunk := range chunks(ids) {
			q := "DELETE FROM index_outbox WHERE id IN (" + placeholders(len(chunk)) + ")"
			if _, err := tx.ExecContext(ctx, q, int64sToAny(chunk)...); err != nil {
				return err
			}
		}
		return nil
	})
}

// FailOutbox counts a failed attempt on entries and keeps the error for
// operators; the entries stay pending.
func (db *DB) FailOutbox(ctx context.Context, ids []int64, errMsg string) error {
	if len(ids) == 0 {
		return nil
	}
	return db.inTx(ctx, fmt.Sprintf("recording failure of %d index outbox entries", len(ids)), func(tx *sql.Tx) error {
		for _, chunk := range chunks(ids) {
			q := "UPDATE index_outbox SET attempts = attempts + 1, last_error = ? WHERE id IN (" + placeholders(len(chunk)) + ")"
			args := append([]any{errMsg}, int64sToAny(chunk)...)
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// OutboxLen counts pending index changes (a metric and a readiness hint).
func (db *DB) OutboxLen(ctx context.Context) (int, error) {
	var n int
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM index_outbox").Scan(&n); err != nil {
		return 0, fmt.Errorf("counting index outbox: %w", err)
	}
	return n, nil
}

// maxParams keeps IN lists well below SQLite's bound on host parameters.
const maxParams = 500

func chunks(ids []int64) [][]int64 {
	var out [][]int64
	for len(ids) > maxParams {
		out = append(out, ids[:maxParams])
		ids = ids[maxParams:]
	}
	return append(out, ids)
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func int64sToAny(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
