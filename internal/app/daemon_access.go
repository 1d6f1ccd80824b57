package app

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/evidence"
	"github.com/markwatch/markwatch/internal/keyfile"
	"github.com/markwatch/markwatch/internal/match"
	"github.com/markwatch/markwatch/internal/store"
	"github.com/markwatch/markwatch/internal/subscribe"
)

// authKeyFile holds the generated key that signs unsubscribe links.
const authKeyFile = "auth.key"

// authSecret is auth.secret, or the key generated under data_dir.
func authSecret(cfg config.Config) ([]byte, error) {
	if cfg.Auth.Secret.IsSet() {
		return []byte(cfg.Auth.Secret.Value()), nil
	}
	key, err := keyfile.LoadOrCreate(filepath.Join(cfg.DataDir, authKeyFile), 32)
	if err != nil {
		return nil, fmt.Errorf("loading auth.secret (or %s under data_dir): %w", authKeyFile, err)
	}
	return []byte(key), nil
}

// scopeFunc binds access.ScopeFor to the registry: the one rule that says
// what each user sees, used by the guard, the router and every reader.
func scopeFunc(marks []domain.Mark) func(domain.User) domain.Scope {
	owners := marksByOwner(marks)
	return func(u domain.User) domain.Scope { return access.ScopeFor(u, owners) }
}

// storeOptions are the daemon's store options: new alerts and reviews are
// routed to subscribers inside the transaction that makes them.
func storeOptions(marks []domain.Mark, cfg config.Config) (store.Options, error) {
	loc, err := cfg.Schedule.Location()
	if err != nil {
		return store.Options{}, err
	}
	r := subscribe.NewRouter(marks, scopeFunc(marks), loc)
	return store.Options{Router: r.Route, RecordHash: evidence.RecordHash, MarkwatchVersion: Version}, nil
}

// credentials are package access's secret functions, as httpapi declares
// them.
type credentials struct{}

func (credentials) HashPassword(pw string) (string, error) { return access.HashPassword(pw) }
func (credentials) CheckPassword(pw, user string) error    { return access.CheckPassword(pw, user) }
func (credentials) GeneratePassword() (string, error)      { return access.GeneratePassword() }
func (credentials) NewToken() (string, string, string, error) {
	return access.NewSecret(access.TokenPrefix)
}

// swapMatcher is the pipeline's matcher, replaced whole when a supervisor
// accepts an authorised seller: the allow list is compiled into the
// matcher, and a crawl in progress keeps the one it started a title with.
type swapMatcher struct{ p atomic.Pointer[match.Matcher] }

func (s *swapMatcher) Match(l domain.Listing) []domain.Match { return s.p.Load().Match(l) }

// withAcceptedSellers returns marks with the sellers supervisors accepted
// added to each mark's allow list.
func withAcceptedSellers(marks []domain.Mark, accepted map[string][]string) []domain.Mark {
	out := make([]domain.Mark, len(marks))
	for i, m := range marks {
		if extra := accepted[m.ID]; len(extra) > 0 {
			m.AuthorizedSellers = append(append([]string(nil), m.AuthorizedSellers...), extra...)
		}
		out[i] = m
	}
	return out
}

// claimStore decides seller claims and, when one is accepted, rebuilds the
// matcher with the new allow list.
type claimStore struct {
	*store.DB
	rebuild func(ctx context.Context) error
}

func (c claimStore) DecideSellerClaim(ctx context.Context, id int64, accept bool, actor domain.Actor) (domain.SellerClaim, error) {
	cl, err := c.DB.DecideSellerClaim(ctx, id, accept, actor)
	if err != nil || !accept {
		return cl, err
	}
	if err := c.rebuild(ctx); err != nil {
		return cl, fmt.Errorf("seller %s accepted for %s, but the matcher was not rebuilt (it will be at next start): %w", cl.Seller, cl.MarkID, err)
	}
	return cl, nil
}

// rebuildMatcher compiles the matcher from the registry and the accepted
// sellers in the store.
func (d *daemon) rebuildMatcher(ctx context.Context) error {
	accepted, err := d.db.AcceptedSellers(ctx)
	if err != nil {
		return fmt.Errorf("reading accepted sellers: %w", err)
	}
	m, err := match.New(withAcceptedSellers(d.marks, accepted), match.Options{AlertThreshold: d.cfg.Match.AlertThreshold})
	if err != nil {
		return fmt.Errorf("building matcher with accepted sellers: %w", err)
	}
	d.matcher.p.Store(m)
	return nil
}

// secureCookies is on when configured, or when people reach the console
// over https.
func secureCookies(cfg config.Config) bool {
	return cfg.HTTP.SecureCookies || strings.HasPrefix(strings.ToLower(cfg.HTTP.BaseURL), "https://")
}

// baseURL is where people open the console, for links in notifications.
func (d *daemon) baseURL() string {
	if d.cfg.HTTP.BaseURL != "" {
		return strings.TrimRight(d.cfg.HTTP.BaseURL, "/")
	}
	return d.httpURL
}

// startIdentity loads the signing key and, where the console is served
// (signIn), makes sure someone can sign in: the first administrator at
// first start, the demo users in demo mode.
func (d *daemon) startIdentity(ctx context.Context, signIn bool) error {
	key, err := authSecret(d.cfg)
	if err != nil {
		return err
	}
	d.authKey = key
	if !signIn {
		return nil
	}
	if d.admin, err = ensureAdmin(ctx, d.db); err != nil {
		return err
	}
	if d.cfg.Sources.Demo.Enabled {
		if d.demoLogins, err = ensureDemoUsers(ctx, d.db, d.marks); err != nil {
			return err
		}
	}
	return nil
}

// sessionSweep is how often abandoned console sessions are deleted. Expired
// sessions are refused when presented anyway; the sweep keeps the table
// from growing with sessions nobody comes back to.
const sessionSweep = 15 * time.Minute

// startSessionSweep deletes expired sessions periodically, in a goroutine
// stop waits for.
func (d *daemon) startSessionSweep(bgCtx context.Context) {
	d.bg.Add(1)
	go func() {
		defer d.bg.Done()
		t := time.NewTicker(sessionSweep)
		defer t.Stop()
		for {
			now := d.now()
			if n, err := d.db.DeleteExpiredSessions(bgCtx, now.Add(-d.cfg.Auth.SessionIdle), now); err != nil && bgCtx.Err() == nil {
				d.log.Warn("deleting expired sessions", zap.Error(err))
			} else if n > 0 {
				d.log.Debug("expired sessions deleted", zap.Int("sessions", n))
			}
			select {
			case <-bgCtx.Done():
				return
			case <-t.C:
			}
		}
	}()
}
