package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

const treeHeadColumns = "id, size, root_hash, created_at_ns, signature, key_id, tsa_token, stamped_at"

func scanTreeHead(s scanner) (domain.TreeHead, error) {
	var (
		h       domain.TreeHead
		created int64
		token   []byte
		stamped sql.NullInt64
	)
	if err := s.Scan(&h.ID, &h.Size, &h.RootHash, &created, &h.Signature, &h.KeyID, &token, &stamped); err != nil {
		return domain.TreeHead{}, err
	}
	h.CreatedAt = time.Unix(0, created).UTC()
	if len(token) > 0 {
		h.TSAToken = token
	}
	h.StampedAt = fromNullMillis(stamped)
	return h, nil
}

// AddTreeHead stores a signed tree head, pending its stamp (TSAToken and
// StampedAt of h are ignored: SetStamp adds them). Its size must lie
// between the last head's and the log's (a log never shrinks); root, key
// and signature must be there. CreatedAt keeps its nanoseconds (the signed
// text carries them); zero is now.
func (db *DB) AddTreeHead(ctx context.Context, h domain.TreeHead) (domain.TreeHead, error) {
	h.RootHash, h.Signature, h.KeyID = strings.TrimSpace(h.RootHash), strings.TrimSpace(h.Signature), strings.TrimSpace(h.KeyID)
	switch {
	case h.Size < 0:
		return domain.TreeHead{}, domain.Errorf(domain.EINVALID, "adding a tree head: size %d is negative", h.Size)
	case !isSHA256Hex(h.RootHash):
		return domain.TreeHead{}, domain.Errorf(domain.EINVALID, "adding a tree head of size %d: root hash %q is not 64 lowercase hex digits", h.Size, h.RootHash)
	case h.Signature == "" || h.KeyID == "":
		return domain.TreeHead{}, domain.Errorf(domain.EINVALID, "adding a tree head of size %d: it is not signed (signature and key id are required)", h.Size)
	}
	if h.CreatedAt.IsZero() {
		h.CreatedAt = db.stamp()
	}
	h.CreatedAt = h.CreatedAt.UTC()
	h.ID, h.TSAToken, h.StampedAt = 0, nil, nil
	err := db.inTx(ctx, fmt.Sprintf("adding a tree head of size %d", h.Size), func(tx *sql.Tx) error {
		var logSize, last int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT max(log_index) + 1 FROM captures), 0),
			coalesce((SELECT size FROM tree_heads ORDER BY id DESC LIMIT 1), 0)`).Scan(&logSize, &last); err != nil {
			return fmt.Errorf("reading log size: %w", err)
		}
		if h.Size > logSize {
			return domain.Errorf(domain.EINVALID, "size %d is beyond the log's %d leaves", h.Size, logSize)
		}
		if h.Size < last {
			return domain.Errorf(domain.EINVALID, "size %d is below the last tree head's %d; the log never shrinks", h.Size, last)
		}
		return tx.QueryRowContext(ctx, `INSERT INTO tree_heads (size, root_hash, created_at_ns, signature, key_id)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, h.Size, h.RootHash, h.CreatedAt.UnixNano(), h.Signature, h.KeyID).Scan(&h.ID)
	})
	if err != nil {
		return domain.TreeHead{}, err
	}
	return h, nil
}

// TreeHeads returns every tree head, oldest first.
func (db *DB) TreeHeads(ctx context.Context) ([]domain.TreeHead, error) {
	return db.queryTreeHeads(ctx, "reading tree heads", "SELECT "+treeHeadColumns+" FROM tree_heads ORDER BY id")
}

// PendingStamps returns tree heads still waiting for a TSA stamp, oldest
// first. Limit 0 means DefaultPageSize.
func (db *DB) PendingStamps(ctx context.Context, limit int) ([]domain.TreeHead, error) {
	limit, err := pageLimit(limit, 0)
	if err != nil {
		return nil, fmt.Errorf("reading unstamped tree heads: %w", err)
	}
	return db.queryTreeHeads(ctx, "reading unstamped tree heads",
		"SELECT "+treeHeadColumns+" FROM tree_heads WHERE stamped_at IS NULL ORDER BY id LIMIT ?", limit)
}

func (db *DB) queryTreeHeads(ctx context.Context, what, q string, args ...any) ([]domain.TreeHead, error) {
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out, err := scanAll(rows, scanTreeHead)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// SetStamp adds the RFC 3161 token to a pending tree head. A head is
// stamped once: stamping it again is domain.ECONFLICT (and a trigger
// refuses any other change to a head); an unknown id is domain.ENOTFOUND.
func (db *DB) SetStamp(ctx context.Context, id int64, token []byte, at time.Time) error {
	if len(token) == 0 {
		return domain.Errorf(domain.EINVALID, "stamping tree head %d: the token is empty", id)
	}
	if at.IsZero() {
		at = db.stamp()
	}
	return db.inTx(ctx, fmt.Sprintf("stamping tree head %d", id), func(tx *sql.Tx) error {
		var stamped sql.NullInt64
		err := tx.QueryRowContext(ctx, "SELECT stamped_at FROM tree_heads WHERE id = ?", id).Scan(&stamped)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "tree head %d does not exist", id)
		}
		if err != nil {
			return fmt.Errorf("reading: %w", err)
		}
		if stamped.Valid {
			return domain.Errorf(domain.ECONFLICT, "tree head %d was stamped already, at %s", id, fromMillis(stamped.Int64).Format(time.RFC3339))
		}
		_, err = tx.ExecContext(ctx, "UPDATE tree_heads SET tsa_token = ?, stamped_at = ? WHERE id = ?", token, toMillis(at), id)
		return err
	})
}
