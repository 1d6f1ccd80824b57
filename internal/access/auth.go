package access

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// SessionCookie is the console session cookie's name.
const SessionCookie = "markwatch_session"

// Store is what the authenticator reads and writes (implemented by
// *store.DB). Not-found answers carry domain.ENOTFOUND.
type Store interface {
	GetPasswordHash(ctx context.Context, name string) (domain.User, string, error)
	GetUser(ctx context.Context, id int64) (domain.User, error)
	CreateSession(ctx context.Context, s domain.Session) error
	GetSession(ctx context.Context, tokenHash string) (domain.Session, error)
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	GetTokenByHash(ctx context.Context, hash string) (domain.APIToken, error)
	TouchToken(ctx context.Context, id int64, at time.Time) error
	SetPasswordHash(ctx context.Context, userID int64, hash string, mustChange bool, actor domain.Actor) error
}

// Options configure an Authenticator. Zero values take the defaults.
type Options struct {
	Now func() time.Time
	// IdleTimeout ends a session not used for this long (default 2h).
	IdleTimeout time.Duration
	// MaxAge ends a session this long after sign-in however busy (default
	// 24h).
	MaxAge time.Duration
	// SecureCookies marks the session cookie Secure (config
	// http.secure_cookies: set it behind a TLS-terminating proxy). Without
	// it use SetCookie, which marks it Secure on TLS requests.
	SecureCookies bool
	// TrustProxy takes the client address from the last X-Forwarded-For
	// entry (the one our proxy appended). Only set it when a proxy that
	// sets the header is the only way in.
	TrustProxy bool
	// MarksByOwner maps a registry owner to its mark ids, for owners'
	// scopes. It is read, never written.
	MarksByOwner map[string][]string
	Log          *zap.Logger
	Throttle     ThrottleOptions

	// For tests: the parameters of new hashes (and of the dummy hash) and
	// the verification function, so a test can count verifications.
	hashParams *hashParams
	verify     func(hash, pw string) bool
}

// touchEvery is how stale a session's or token's last use may be before
// it is written again: enough for the idle timeout and the token list,
// and it spares the single store writer a write per request.
const touchEvery = time.Minute

// maxNameBytes: longer user names are never looked up.
const maxNameBytes = 256

// maxUserAgent bounds what a session keeps of the User-Agent header.
const maxUserAgent = 256

// Authenticator turns credentials into a Principal: bearer tokens,
// session cookies, sign-in and password changes.
type Authenticator struct {
	st       Store
	opts     Options
	now      func() time.Time
	log      *zap.Logger
	throttle *throttle
	params   hashParams
	verify   func(hash, pw string) bool
	// dummyHash is verified against when the user does not exist, so an
	// unknown name costs the same argon2 work as a wrong password and
	// timing does not tell which names exist.
	dummyHash string
}

// NewAuthenticator returns an Authenticator over st. It computes one
// argon2 hash (the dummy for unknown users) before returning.
func NewAuthenticator(st Store, opts Options) *Authenticator {
	a := &Authenticator{st: st, opts: opts, now: opts.Now, log: opts.Log, params: defaultHashParams(), verify: opts.verify}
	if a.now == nil {
		a.now = time.Now
	}
	if a.log == nil {
		a.log = zap.NewNop()
	}
	if a.opts.IdleTimeout <= 0 {
		a.opts.IdleTimeout = 2 * time.Hour
	}
	if a.opts.MaxAge <= 0 {
		a.opts.MaxAge = 24 * time.Hour
	}
	if opts.hashParams != nil {
		a.params = *opts.hashParams
	}
	if a.verify == nil {
		a.verify = VerifyPassword
	}
	a.throttle = newThrottle(opts.Throttle)
	// crypto/rand does not fail on supported platforms (Go ≥ 1.24 crashes
	// the program instead), so the error cannot happen; should it, an
	// empty dummy hash still costs a parse and never matches.
	pw, _ := GeneratePassword()
	a.dummyHash, _ = hashWith(a.params, pw)
	return a
}

// ClientAddr is the request's client IP (no port): the connection's peer,
// or with Options.TrustProxy the last X-Forwarded-For entry.
func (a *Authenticator) ClientAddr(r *http.Request) string {
	return clientAddr(r, a.opts.TrustProxy)
}

// Authenticate reads the request's credentials. A request with an
// Authorization header is judged by it alone (its cookie is ignored). ok
// is false without credentials and for unknown, revoked or expired tokens
// and sessions and disabled users. err is a CodeUnauthorized domain error
// for a malformed Authorization header, or a store failure.
func (a *Authenticator) Authenticate(r *http.Request) (Principal, bool, error) {
	ctx := r.Context()
	remote := a.ClientAddr(r)
	if vals := r.Header.Values("Authorization"); len(vals) > 0 {
		if len(vals) > 1 {
			return Principal{}, false, unauthorized("more than one Authorization header")
		}
		tok, err := parseBearer(vals[0])
		if err != nil {
			return Principal{}, false, err
		}
		return a.byToken(ctx, tok, remote)
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return Principal{}, false, nil
	}
	return a.bySession(ctx, c.Value, remote)
}

func (a *Authenticator) byToken(ctx context.Context, tok, remote string) (Principal, bool, error) {
	if !wellFormedSecret(tok, TokenPrefix) {
		return Principal{}, false, nil
	}
	t, err := a.st.GetTokenByHash(ctx, HashSecret(tok))
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return Principal{}, false, nil
	}
	if err != nil {
		return Principal{}, false, fmt.Errorf("authenticating a bearer token: %w", err)
	}
	now := a.now()
	if t.RevokedAt != nil || (t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)) {
		a.log.Debug("refused a revoked or expired token", zap.Int64("token_id", t.ID), zap.String("remote_addr", remote))
		return Principal{}, false, nil
	}
	u, ok, err := a.enabledUser(ctx, t.UserID)
	if err != nil || !ok {
		return Principal{}, false, err
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= touchEvery {
		if err := a.st.TouchToken(ctx, t.ID, now); err != nil {
			// The last-use time is informational; the request goes on.
			a.log.Warn("recording a token's last use", zap.Int64("token_id", t.ID), zap.Error(err))
		}
	}
	return Principal{User: u, Scope: ScopeFor(u, a.opts.MarksByOwner), Via: ViaToken, TokenID: t.ID, RemoteAddr: remote}, true, nil
}

func (a *Authenticator) bySession(ctx context.Context, secret, remote string) (Principal, bool, error) {
	if !wellFormedSecret(secret, SessionPrefix) {
		return Principal{}, false, nil
	}
	h := HashSecret(secret)
	s, err := a.st.GetSession(ctx, h)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return Principal{}, false, nil
	}
	if err != nil {
		return Principal{}, false, fmt.Errorf("authenticating a session: %w", err)
	}
	now := a.now()
	if a.sessionExpired(s, now) {
		if err := a.st.DeleteSession(ctx, h); err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			a.log.Warn("deleting an expired session", zap.Int64("user_id", s.UserID), zap.Error(err))
		}
		return Principal{}, false, nil
	}
	u, ok, err := a.enabledUser(ctx, s.UserID)
	if err != nil || !ok {
		return Principal{}, false, err
	}
	if now.Sub(s.LastSeen) >= touchEvery {
		if err := a.st.TouchSession(ctx, h, now); err != nil {
			a.log.Warn("recording a session's last use", zap.Int64("user_id", s.UserID), zap.Error(err))
		}
	}
	return Principal{User: u, Scope: ScopeFor(u, a.opts.MarksByOwner), Via: ViaSession, SessionHash: h,
		CSRFToken: s.CSRFToken, RemoteAddr: remote}, true, nil
}

// sessionExpired judges idle and absolute expiry. The absolute limit is
// also taken from CreatedAt, so lowering MaxAge shortens sessions already
// issued.
func (a *Authenticator) sessionExpired(s domain.Session, now time.Time) bool {
	return !now.Before(s.ExpiresAt) ||
		!now.Before(s.CreatedAt.Add(a.opts.MaxAge)) ||
		!now.Before(s.LastSeen.Add(a.opts.IdleTimeout))
}

func (a *Authenticator) enabledUser(ctx context.Context, id int64) (domain.User, bool, error) {
	u, err := a.st.GetUser(ctx, id)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return domain.User{}, false, nil
	}
	if err != nil {
		return domain.User{}, false, fmt.Errorf("reading the signed-in user: %w", err)
	}
	if u.Disabled {
		return domain.User{}, false, nil
	}
	return u, true, nil
}

// Login signs a user in with a password and starts a session. Unknown
// user, disabled user and wrong password get the same error after the same
// work (one argon2 verification); too many failures for the account or
// the address get a ThrottledError, whether the account exists or not,
// without looking at the password. remoteAddr is the client IP (see
// ClientAddr).
func (a *Authenticator) Login(ctx context.Context, name, password, remoteAddr, userAgent string) (Principal, *http.Cookie, error) {
	now := a.now()
	acct, addr := accountKey(name), addrKey(remoteAddr)
	if err := a.throttle.check(acct, addr, now); err != nil {
		a.log.Info("sign-in throttled", zap.String("remote_addr", remoteAddr))
		return Principal{}, nil, err
	}
	u, hash, err := a.lookup(ctx, name)
	if err != nil {
		// Do the same work before failing, then tell the truth (500): a
		// broken store is not a wrong password.
		a.verify(a.dummyHash, password)
		return Principal{}, nil, fmt.Errorf("signing in: %w", err)
	}
	matched := a.verify(hash, password)
	if !matched || u.ID == 0 || u.Disabled {
		a.throttle.fail(acct, addr, now)
		a.logFailure(u, remoteAddr, matched)
		return Principal{}, nil, wrongCredentials()
	}
	a.throttle.succeed(acct)
	p, c, err := a.startSession(ctx, u, remoteAddr, userAgent)
	if err != nil {
		return Principal{}, nil, fmt.Errorf("signing in: %w", err)
	}
	a.log.Info("signed in", zap.String("user_name", u.Name), zap.Int64("user_id", u.ID), zap.String("remote_addr", remoteAddr))
	return p, c, nil
}

// lookup returns the user and its hash, or the dummy hash and a zero User
// when the name is unknown.
func (a *Authenticator) lookup(ctx context.Context, name string) (domain.User, string, error) {
	if name == "" || len(name) > maxNameBytes {
		return domain.User{}, a.dummyHash, nil
	}
	u, hash, err := a.st.GetPasswordHash(ctx, name)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return domain.User{}, a.dummyHash, nil
	}
	if err != nil {
		return domain.User{}, "", fmt.Errorf("reading the password hash: %w", err)
	}
	return u, hash, nil
}

// logFailure names the account only when it exists: people type their
// password into the name field, and an unknown "name" may be one.
func (a *Authenticator) logFailure(u domain.User, remote string, matched bool) {
	switch {
	case u.ID == 0:
		a.log.Info("sign-in refused", zap.String("reason", "unknown user"), zap.String("remote_addr", remote))
	case u.Disabled:
		a.log.Info("sign-in refused", zap.String("reason", "disabled user"), zap.Bool("password_matched", matched),
			zap.String("user_name", u.Name), zap.String("remote_addr", remote))
	default:
		a.log.Info("sign-in refused", zap.String("reason", "wrong password"), zap.String("user_name", u.Name),
			zap.String("remote_addr", remote))
	}
}

func (a *Authenticator) startSession(ctx context.Context, u domain.User, remote, ua string) (Principal, *http.Cookie, error) {
	secret, hash, _, err := NewSecret(SessionPrefix)
	if err != nil {
		return Principal{}, nil, fmt.Errorf("starting a session: %w", err)
	}
	csrf, _, _, err := NewSecret("")
	if err != nil {
		return Principal{}, nil, fmt.Errorf("starting a session: %w", err)
	}
	now := a.now()
	s := domain.Session{TokenHash: hash, UserID: u.ID, CSRFToken: csrf, CreatedAt: now, LastSeen: now,
		ExpiresAt: now.Add(a.opts.MaxAge), RemoteAddr: remote, UserAgent: truncate(ua, maxUserAgent)}
	if err := a.st.CreateSession(ctx, s); err != nil {
		return Principal{}, nil, fmt.Errorf("starting a session: %w", err)
	}
	p := Principal{User: u, Scope: ScopeFor(u, a.opts.MarksByOwner), Via: ViaSession, SessionHash: hash,
		CSRFToken: csrf, RemoteAddr: remote}
	return p, a.cookie(secret, int(a.opts.MaxAge/time.Second)), nil
}

func (a *Authenticator) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: SessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: a.opts.SecureCookies}
}

// SetCookie sets c on w, marked Secure when r came over TLS (Options.
// SecureCookies marks it whatever the request).
func SetCookie(w http.ResponseWriter, r *http.Request, c *http.Cookie) {
	if r.TLS != nil {
		c.Secure = true
	}
	http.SetCookie(w, c)
}

// Logout ends p's session and returns the cookie that clears it in the
// browser. A store failure is logged: the browser forgets the cookie
// anyway and the session expires by itself.
func (a *Authenticator) Logout(ctx context.Context, p Principal) *http.Cookie {
	if p.Via == ViaSession && p.SessionHash != "" {
		if err := a.st.DeleteSession(ctx, p.SessionHash); err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			a.log.Warn("deleting a session at sign-out", zap.Int64("user_id", p.User.ID), zap.Error(err))
		}
		a.log.Info("signed out", zap.String("user_name", p.User.Name), zap.Int64("user_id", p.User.ID))
	}
	c := a.cookie("", -1)
	c.Expires = time.Unix(1, 0)
	return c
}

// ChangePassword sets p's password after checking the current one and
// the policy. The store drops every session of the user; a principal that
// came by session gets a new one (the returned cookie), so this browser
// stays signed in and every other is signed out. Wrong current passwords
// count against the sign-in throttle, so a stolen session cannot be used
// to guess the password.
func (a *Authenticator) ChangePassword(ctx context.Context, p Principal, old, new string) (*http.Cookie, error) {
	now := a.now()
	acct, addr := accountKey(p.User.Name), addrKey(p.RemoteAddr)
	if err := a.throttle.check(acct, addr, now); err != nil {
		return nil, err
	}
	u, hash, err := a.st.GetPasswordHash(ctx, p.User.Name)
	if err != nil {
		return nil, fmt.Errorf("changing the password: %w", err)
	}
	if u.ID != p.User.ID || u.Disabled {
		return nil, unauthorized("the account is not available")
	}
	if !a.verify(hash, old) {
		a.throttle.fail(acct, addr, now)
		a.log.Info("password change refused", zap.String("reason", "wrong current password"),
			zap.String("user_name", u.Name), zap.String("remote_addr", p.RemoteAddr))
		return nil, domain.Errorf(domain.EINVALID, "当前密码不正确 the current password is wrong")
	}
	if err := CheckPassword(new, u.Name); err != nil {
		return nil, fmt.Errorf("changing the password: %w", err)
	}
	if new == old {
		return nil, domain.Errorf(domain.EINVALID, "新密码不能与当前密码相同 the new password must differ from the current one")
	}
	newHash, err := hashWith(a.params, new)
	if err != nil {
		return nil, fmt.Errorf("changing the password: %w", err)
	}
	if err := a.st.SetPasswordHash(ctx, u.ID, newHash, false, p.Actor()); err != nil {
		return nil, fmt.Errorf("changing the password: %w", err)
	}
	a.throttle.succeed(acct)
	a.log.Info("password changed", zap.String("user_name", u.Name), zap.Int64("user_id", u.ID))
	if p.Via != ViaSession {
		return nil, nil
	}
	u.MustChangePassword = false
	_, c, err := a.startSession(ctx, u, p.RemoteAddr, "")
	if err != nil {
		return nil, fmt.Errorf("changing the password: the password is changed but %w", err)
	}
	return c, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// errIs reports whether err carries the domain code.
func errIs(err error, code string) bool {
	var e *domain.Error
	return errors.As(err, &e) && e.Code == code
}
