package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// TokenStore keeps API tokens (only their SHA-256). Writes take the actor
// and audit in the same transaction.
type TokenStore interface {
	CreateToken(ctx context.Context, t domain.APIToken, actor domain.Actor) (domain.APIToken, error)
	RevokeToken(ctx context.Context, id int64, actor domain.Actor) (domain.APIToken, error)
	// ListTokens lists one user's tokens; userID 0 lists every user's,
	// with UserName.
	ListTokens(ctx context.Context, userID int64) ([]domain.APIToken, error)
}

// Token lifetimes: a default that makes a forgotten CI token die on its
// own, and a cap so none lives forever.
const (
	defaultTokenLife = 90 * 24 * time.Hour
	maxTokenLife     = 366 * 24 * time.Hour
	minTokenLife     = time.Minute
)

const maxTokenBody = 4 << 10

const tokenExample = `{"name":"ci-衡水","expires":"90d"}`

type tokenBody struct {
	Name string `json:"name"`
	// User is the account the token is for; only admins may name another.
	User string `json:"user"`
	// Expires is a lifetime like "90d" or "12h"; empty is 90d.
	Expires string `json:"expires"`
}

// createdToken answers POST /api/v1/tokens. Secret is shown here once and
// never again: the store keeps only its hash.
type createdToken struct {
	Token  domain.APIToken `json:"token"`
	Secret string          `json:"secret"`
}

type tokenList struct {
	Tokens []domain.APIToken `json:"tokens"`
}

// listTokens serves GET /api/v1/tokens: the caller's own; admins may ask
// ?user=NAME, or get every user's with no user.
func (a *api) listTokens(w http.ResponseWriter, r *http.Request) {
	p, ok := principal(w, r)
	if !ok {
		return
	}
	userID := p.User.ID
	if name := r.URL.Query().Get("user"); name != "" || isAdmin(p) {
		u, err := a.tokenUser(r.Context(), p, name)
		if err != nil {
			writeError(w, r, fmt.Errorf("listing tokens: %w", err))
			return
		}
		userID = u.ID // 0 (everyone's) for an admin naming nobody
	}
	tokens, err := a.deps.Tokens.ListTokens(r.Context(), userID)
	if err != nil {
		writeError(w, r, fmt.Errorf("listing tokens: %w", err))
		return
	}
	kept := make([]domain.APIToken, 0, len(tokens))
	for _, t := range tokens {
		// A store that ignored userID must not show others' tokens.
		if userID == 0 || t.UserID == userID {
			kept = append(kept, t)
		}
	}
	writeJSON(w, http.StatusOK, tokenList{Tokens: kept})
}

// tokenUser resolves whose tokens a request means. Anyone may name
// themselves; naming another user is for admins, and for anyone else it is
// answered as if that user did not exist. An admin naming nobody gets the
// zero User (ID 0: every user).
func (a *api) tokenUser(ctx context.Context, p access.Principal, name string) (domain.User, error) {
	switch {
	case name == "" && isAdmin(p):
		return domain.User{}, nil
	case name == "" || name == p.User.Name:
		return p.User, nil
	case !isAdmin(p):
		return domain.User{}, domain.Errorf(domain.ENOTFOUND, "user %q does not exist", name)
	case a.deps.Users == nil:
		return domain.User{}, domain.Errorf(domain.EUNAVAILABLE, "users are not served here; name no user")
	}
	u, err := a.deps.Users.GetUserByName(ctx, name)
	if err != nil {
		return domain.User{}, fmt.Errorf("finding user %s: %w", name, err)
	}
	return u, nil
}

// createToken serves POST /api/v1/tokens and answers 201 with the secret.
func (a *api) createToken(w http.ResponseWriter, r *http.Request) {
	p, body, ok := principalBody[tokenBody](w, r, maxTokenBody, tokenExample)
	if !ok {
		return
	}
	name := strings.TrimSpace(body.Name)
	if name == "" || utf8.RuneCountInString(name) > 64 {
		writeError(w, r, domain.Errorf(domain.EINVALID, "a token needs a name of 1 to 64 characters that says where it is used; send %s", tokenExample))
		return
	}
	life, err := parseLifetime(body.Expires)
	if err != nil {
		writeError(w, r, err)
		return
	}
	owner := p.User
	if body.User != "" {
		// An admin naming nobody means itself here, not everyone.
		if owner, err = a.tokenUser(r.Context(), p, body.User); err != nil {
			writeError(w, r, fmt.Errorf("creating a token: %w", err))
			return
		}
	}
	secret, hash, prefix, err := a.deps.Credentials.NewToken()
	if err != nil {
		writeError(w, r, fmt.Errorf("generating a token for %s: %w", owner.Name, err))
		return
	}
	now := a.deps.Now()
	expires := now.Add(life)
	t := domain.APIToken{UserID: owner.ID, UserName: owner.Name, Name: name, Hash: hash, Prefix: prefix, CreatedAt: now, ExpiresAt: &expires}
	created, err := a.deps.Tokens.CreateToken(r.Context(), t, p.Actor())
	if err != nil {
		writeError(w, r, fmt.Errorf("creating token %q for %s: %w", name, owner.Name, err))
		return
	}
	writeJSON(w, http.StatusCreated, createdToken{Token: created, Secret: secret})
}

// parseLifetime reads "90d", "12h", "30m" (Go durations plus days).
func parseLifetime(raw string) (time.Duration, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return defaultTokenLife, nil
	}
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(raw, "d"); ok {
		var n int
		n, err = strconv.Atoi(days)
		d = time.Duration(n) * 24 * time.Hour
		if n > 1000 { // keep the multiplication far from overflowing
			d = maxTokenLife + 1
		}
	} else {
		d, err = time.ParseDuration(raw)
	}
	if err != nil || d < minTokenLife || d > maxTokenLife {
		return 0, domain.Errorf(domain.EINVALID, "expires %q: must be a lifetime from 1m to 366d, like 90d or 12h", raw)
	}
	return d, nil
}

// revokeToken serves DELETE /api/v1/tokens/{id}: one's own token, or any for
// admins. Another user's token answers 404, as if it did not exist.
func (a *api) revokeToken(w http.ResponseWriter, r *http.Request) {
	p, id, ok := principalID(w, r, "token")
	if !ok {
		return
	}
	notFound := domain.Errorf(domain.ENOTFOUND, "token %d does not exist", id)
	if !isAdmin(p) {
		// The store has no get-by-id: ownership is "it is in my list".
		own, err := a.deps.Tokens.ListTokens(r.Context(), p.User.ID)
		if err != nil {
			writeError(w, r, fmt.Errorf("revoking token %d: listing own tokens: %w", id, err))
			return
		}
		if !hasToken(own, id, p.User.ID) {
			writeError(w, r, fmt.Errorf("revoking token %d: %w", id, notFound))
			return
		}
	}
	t, err := a.deps.Tokens.RevokeToken(r.Context(), id, p.Actor())
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			err = fmt.Errorf("%w: %w", notFound, err)
		}
		writeError(w, r, fmt.Errorf("revoking token %d: %w", id, err))
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// hasToken reports whether id is among tokens and belongs to userID; the
// second test guards against a store that ignores its userID argument.
func hasToken(tokens []domain.APIToken, id, userID int64) bool {
	for _, t := range tokens {
		if t.ID == id && t.UserID == userID {
			return true
		}
	}
	return false
}
