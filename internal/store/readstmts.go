package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The reads every API request makes (access.Authenticator: a token by its
// hash, then its user), prepared once on the read pool: modernc's SQLite
// parses a statement again on every unprepared query, which was 14% of
// the daemon's CPU per search request. A *sql.Stmt on a *sql.DB prepares
// itself again on each pooled connection it runs on, once.
const (
	qTokenByHash = "SELECT " + tokenColumns + " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?"
	qUserByID    = "SELECT " + userColumns + " FROM users WHERE id = ?"
)

// readStatements are the prepared hot reads.
type readStatements struct {
	tokenByHash, userByID *sql.Stmt
}

func prepareReads(ctx context.Context, rd *sql.DB) (*readStatements, error) {
	var r readStatements
	for _, p := range []struct {
		into **sql.Stmt
		q    string
	}{{&r.tokenByHash, qTokenByHash}, {&r.userByID, qUserByID}} {
		st, err := rd.PrepareContext(ctx, p.q)
		if err != nil {
			_ = r.close()
			return nil, fmt.Errorf("preparing %q: %w", p.q, err)
		}
		*p.into = st
	}
	return &r, nil
}

func (r *readStatements) close() error {
	if r == nil {
		return nil
	}
	var errs []error
	for _, st := range []*sql.Stmt{r.tokenByHash, r.userByID} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}
