package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// CreateSession stores a console sign-in under the SHA-256 of its cookie
// secret. An unknown user is domain.ENOTFOUND.
func (db *DB) CreateSession(ctx context.Context, s domain.Session) error {
	if s.TokenHash == "" {
		return domain.Errorf(domain.EINVALID, "creating session: token hash is empty")
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = db.stamp()
	}
	if s.LastSeen.IsZero() {
		s.LastSeen = s.CreatedAt
	}
	return db.inTx(ctx, fmt.Sprintf("creating session for user %d", s.UserID), func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM users WHERE id = ?", s.UserID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "user %d does not exist", s.UserID)
		}
		if err != nil {
			return fmt.Errorf("reading user: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO sessions
			(token_hash, user_id, csrf_token, created_at, last_seen, expires_at, remote_addr, user_agent)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			s.TokenHash, s.UserID, s.CSRFToken, toMillis(s.CreatedAt), toMillis(s.LastSeen), toMillis(s.ExpiresAt),
			s.RemoteAddr, s.UserAgent)
		if err != nil {
			return fmt.Errorf("inserting: %w", err)
		}
		return nil
	})
}

// GetSession returns the session with the given hash; unknown is
// domain.ENOTFOUND. Expiry is judged by package access, which knows the
// idle timeout.
func (db *DB) GetSession(ctx context.Context, tokenHash string) (domain.Session, error) {
	var (
		s                        domain.Session
		created, seen, expiresAt int64
	)
	err := db.sql.QueryRowContext(ctx, `SELECT token_hash, user_id, csrf_token, created_at, last_seen, expires_at,
		remote_addr, user_agent FROM sessions WHERE token_hash = ?`, tokenHash).
		Scan(&s.TokenHash, &s.UserID, &s.CSRFToken, &created, &seen, &expiresAt, &s.RemoteAddr, &s.UserAgent)
	if errors.Is(err, sql.ErrNoRows) {
		// The hash is not echoed: it is as good as the cookie to a reader
		// of the logs that can reach the database.
		return domain.Session{}, domain.Errorf(domain.ENOTFOUND, "session does not exist")
	}
	if err != nil {
		return domain.Session{}, fmt.Errorf("reading session: %w", err)
	}
	s.CreatedAt, s.LastSeen, s.ExpiresAt = fromMillis(created), fromMillis(seen), fromMillis(expiresAt)
	return s, nil
}

// TouchSession records use of a session. last_seen never moves back, so a
// slow request finishing late cannot shorten the idle window.
func (db *DB) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	res, err := db.wr.ExecContext(ctx, "UPDATE sessions SET last_seen = max(last_seen, ?) WHERE token_hash = ?",
		toMillis(at), tokenHash)
	if err != nil {
		return fmt.Errorf("touching session: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("touching session: %w", err)
	} else if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "session does not exist")
	}
	return nil
}

// DeleteSession ends a session. Ending one that is already gone is not an
// error: signing out twice is still signed out.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := db.wr.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash); err != nil {
		return fmt.Errorf("deleting session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions idle since before idleBefore or
// past their absolute expiry at now, and says how many went.
func (db *DB) DeleteExpiredSessions(ctx context.Context, idleBefore, now time.Time) (int, error) {
	res, err := db.wr.ExecContext(ctx, "DELETE FROM sessions WHERE last_seen < ? OR expires_at < ?",
		toMillis(idleBefore), toMillis(now))
	if err != nil {
		return 0, fmt.Errorf("deleting expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("deleting expired sessions: %w", err)
	}
	return int(n), nil
}
