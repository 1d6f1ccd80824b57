package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

const tokenColumns = `t.id, t.user_id, u.name, t.name, t.hash, t.prefix, t.created_at, t.expires_at, t.last_used_at, t.revoked_at`

// CreateToken stores an API token (its SHA-256 only) and records
// token.create. An unknown user is domain.ENOTFOUND.
func (db *DB) CreateToken(ctx context.Context, t domain.APIToken, actor domain.Actor) (domain.APIToken, error) {
	t.Name = strings.TrimSpace(t.Name)
	if t.Hash == "" {
		return domain.APIToken{}, domain.Errorf(domain.EINVALID, "creating token: hash is empty")
	}
	if n := utf8.RuneCountInString(t.Name); n == 0 || n > 100 {
		return domain.APIToken{}, domain.Errorf(domain.EINVALID,
			"creating token: name %q must be 1 to 100 characters; say what the token is for (e.g. ci-export)", t.Name)
	}
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = db.stamp(), nil, nil
	if t.ExpiresAt != nil {
		// Returned as a later read will return it.
		e := t.ExpiresAt.UTC().Truncate(time.Millisecond)
		t.ExpiresAt = &e
	}
	err := db.inTx(ctx, "creating token "+t.Name, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT name FROM users WHERE id = ?", t.UserID).Scan(&t.UserName)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "user %d does not exist", t.UserID)
		}
		if err != nil {
			return fmt.Errorf("reading user: %w", err)
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, hash, prefix, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING RETURNING id`,
			t.UserID, t.Name, t.Hash, t.Prefix, toMillis(t.CreatedAt), nullMillis(t.ExpiresAt)).Scan(&t.ID)
		if errors.Is(err, sql.ErrNoRows) {
			// Only a reused secret collides; say so without naming it.
			return domain.Errorf(domain.ECONFLICT, "a token with this secret exists; generate a new one")
		}
		if err != nil {
			return fmt.Errorf("inserting: %w", err)
		}
		_, err = db.appendAudit(ctx, tx, domain.AuditEntry{
			Actor: actor, Action: domain.AuditTokenCreate, Object: fmt.Sprintf("token:%d", t.ID),
			After: auditDoc(tokenDoc(t)),
		})
		return err
	})
	if err != nil {
		return domain.APIToken{}, err
	}
	return t, nil
}

// tokenDoc is a token as the audit log shows it: named fields only, so a
// field added to domain.APIToken later cannot carry the hash in.
func tokenDoc(t domain.APIToken) map[string]any {
	return map[string]any{
		"id": t.ID, "user_id": t.UserID, "user_name": t.UserName, "name": t.Name, "prefix": t.Prefix,
		"expires_at": t.ExpiresAt, "revoked_at": t.RevokedAt,
	}
}

// GetTokenByHash returns the token with the given hash and its user's name.
// Revoked and expired tokens are returned too (RevokedAt, ExpiresAt set):
// refusing them is access's decision, and it can then say why.
func (db *DB) GetTokenByHash(ctx context.Context, hash string) (domain.APIToken, error) {
	t, err := scanToken(db.reads.tokenByHash.QueryRowContext(ctx, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.APIToken{}, domain.Errorf(domain.ENOTFOUND, "token does not exist")
	}
	if err != nil {
		return domain.APIToken{}, fmt.Errorf("reading token: %w", err)
	}
	return t, nil
}

// TouchToken records the token's last use; it never moves back.
func (db *DB) TouchToken(ctx context.Context, id int64, at time.Time) error {
	res, err := db.wr.ExecContext(ctx,
		"UPDATE api_tokens SET last_used_at = max(coalesce(last_used_at, 0), ?) WHERE id = ?", toMillis(at), id)
	if err != nil {
		return fmt.Errorf("touching token %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("touching token %d: %w", id, err)
	} else if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "token %d does not exist", id)
	}
	return nil
}

// RevokeToken revokes a token and records token.revoke. Revoking a revoked
// token returns it unchanged: the first revocation time is the one that
// matters, and the log records it once.
func (db *DB) RevokeToken(ctx context.Context, id int64, actor domain.Actor) (domain.APIToken, error) {
	var t domain.APIToken
	err := db.inTx(ctx, fmt.Sprintf("revoking token %d", id), func(tx *sql.Tx) error {
		var err error
		t, err = scanToken(tx.QueryRowContext(ctx,
			"SELECT "+tokenColumns+" FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "token %d does not exist", id)
		}
		if err != nil {
			return fmt.Errorf("reading: %w", err)
		}
		if t.RevokedAt != nil {
			return nil
		}
		before := tokenDoc(t)
		now := db.stamp()
		if _, err := tx.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ?", toMillis(now), id); err != nil {
			return fmt.Errorf("updating: %w", err)
		}
		t.RevokedAt = &now
		_, err = db.appendAudit(ctx, tx, domain.AuditEntry{
			Actor: actor, Action: domain.AuditTokenRevoke, Object: fmt.Sprintf("token:%d", id),
			Before: auditDoc(before), After: auditDoc(tokenDoc(t)),
		})
		return err
	})
	if err != nil {
		return domain.APIToken{}, err
	}
	t.Hash = ""
	return t, nil
}

// ListTokens returns a user's tokens, or every user's for userID 0, newest
// first, without their hashes.
func (db *DB) ListTokens(ctx context.Context, userID int64) ([]domain.APIToken, error) {
	q, args := "SELECT "+tokenColumns+" FROM api_tokens t JOIN users u ON u.id = t.user_id", []any{}
	if userID != 0 {
		q, args = q+" WHERE t.user_id = ?", append(args, userID)
	}
	rows, err := db.sql.QueryContext(ctx, q+" ORDER BY t.id DESC", args...)
	if err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	out, err := scanAll(rows, scanToken)
	if err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	for i := range out {
		out[i].Hash = ""
	}
	return out, nil
}

func scanToken(s scanner) (domain.APIToken, error) {
	var (
		t                      domain.APIToken
		created                int64
		expires, used, revoked sql.NullInt64
	)
	if err := s.Scan(&t.ID, &t.UserID, &t.UserName, &t.Name, &t.Hash, &t.Prefix, &created, &expires, &used, &revoked); err != nil {
		return domain.APIToken{}, err
	}
	t.CreatedAt = fromMillis(created)
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = fromNullMillis(expires), fromNullMillis(used), fromNullMillis(revoked)
	return t, nil
}
