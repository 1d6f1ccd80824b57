package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/markwatch/markwatch/internal/domain"
)

// memStore is the system of record in memory. It applies scopes the way
// the SQL store does, so a test proves what a client would see, and it
// records what it was asked, so a test proves the scope reached it.
type memStore struct {
	mu     sync.Mutex
	nextID int64

	alerts      []domain.Alert
	alertFilter domain.AlertFilter // last QueryAlerts or CountAlertStatuses filter
	alertErr    error
	// leak makes the store ignore scopes, as a buggy query would.
	leak bool

	reviews   []reviewCall
	reviewErr error

	audit       []domain.AuditEntry
	auditFilter domain.AuditFilter
	auditErr    error

	users  []domain.User
	hashes map[string]string // user name → password hash

	tokens []domain.APIToken

	subs  []domain.Subscription
	notes []domain.Notification

	claims     []domain.SellerClaim
	claimScope domain.Scope
}

type reviewCall struct {
	id    int64
	rv    domain.Review
	actor domain.Actor
}

func newMemStore() *memStore {
	return &memStore{nextID: 1000, alerts: slices.Clone(alerts), hashes: map[string]string{},
		users: []domain.User{userAdmin, userOperator, userSupervisor, userOwnerA, userOwnerB}}
}

func (s *memStore) id() int64 { s.nextID++; return s.nextID }

func (s *memStore) QueryAlerts(_ context.Context, f domain.AlertFilter) ([]domain.Alert, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alertFilter = f
	if s.alertErr != nil {
		return nil, 0, s.alertErr
	}
	var out []domain.Alert
	for _, a := range s.alerts {
		if (f.Status == "" || a.Status == f.Status) && s.alertMatches(a, f) {
			out = append(out, a)
		}
	}
	total := len(out)
	out = out[min(f.Offset, len(out)):]
	return out[:min(f.Limit, len(out))], total, nil
}

func (s *memStore) CountAlertStatuses(_ context.Context, f domain.AlertFilter) (map[domain.AlertStatus]int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alertFilter = f
	if s.alertErr != nil {
		return nil, s.alertErr
	}
	n := map[domain.AlertStatus]int{domain.AlertOpen: 0, domain.AlertConfirmed: 0, domain.AlertDismissed: 0}
	for _, a := range s.alerts {
		if s.alertMatches(a, f) {
			n[a.Status]++
		}
	}
	return n, nil
}

// alertMatches is the SQL store's filter but for status, in Go.
func (s *memStore) alertMatches(a domain.Alert, f domain.AlertFilter) bool {
	in := func(vs []string, v string) bool { return len(vs) == 0 || slices.Contains(vs, v) }
	loc := len(f.Locations) == 0 || slices.ContainsFunc(f.Locations, func(l string) bool { return domain.LocationWithin(a.Location, l) })
	score := len(f.Scores) == 0 || slices.ContainsFunc(f.Scores, func(r domain.ScoreRange) bool { return a.Score >= r.Min && a.Score < r.Max })
	return (f.MarkID == "" || a.MarkID == f.MarkID) && in(f.MarkIDs, a.MarkID) && in(f.SourceIDs, a.SourceID) &&
		in(f.Sellers, a.Seller) && loc && score && (f.From.IsZero() || !a.LastSeen.Before(f.From)) &&
		(f.To.IsZero() || a.LastSeen.Before(f.To)) && (!f.ByHits || slices.Contains(f.HitIDs, a.HitID)) &&
		(s.leak || f.Scope.Allows(a.MarkID, a.Location))
}

func (s *memStore) GetAlert(_ context.Context, id int64) (domain.Alert, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.alertErr != nil {
		return domain.Alert{}, s.alertErr
	}
	for _, a := range s.alerts {
		if a.ID == id {
			return a, nil
		}
	}
	// Worded unlike httpapi's own message on purpose: the answer must not
	// depend on how the store says it.
	return domain.Alert{}, domain.Errorf(domain.ENOTFOUND, "no row for alert id=%d", id)
}

func (s *memStore) ReviewAlert(_ context.Context, id int64, rv domain.Review, actor domain.Actor) (domain.Alert, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reviews = append(s.reviews, reviewCall{id, rv, actor})
	if s.reviewErr != nil {
		return domain.Alert{}, s.reviewErr
	}
	for i, a := range s.alerts {
		if a.ID != id {
			continue
		}
		before := a.Status
		s.alerts[i].Status = rv.Status
		s.audit = append(s.audit, domain.AuditEntry{ID: s.id(), Actor: actor, Action: domain.AuditAlertReview,
			Object: fmt.Sprintf("alert:%d", id), MarkID: a.MarkID, Note: rv.Note,
			Before: mustJSON(map[string]any{"status": before}), After: mustJSON(map[string]any{"status": rv.Status})})
		return s.alerts[i], nil
	}
	return domain.Alert{}, domain.Errorf(domain.ENOTFOUND, "alert %d does not exist", id)
}

func (s *memStore) AppendAudit(_ context.Context, e domain.AuditEntry) (domain.AuditEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.auditErr != nil {
		return domain.AuditEntry{}, s.auditErr
	}
	e.ID = s.id()
	s.audit = append(s.audit, e)
	return e, nil
}

func (s *memStore) ListAudit(_ context.Context, f domain.AuditFilter) ([]domain.AuditEntry, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auditFilter = f
	if s.auditErr != nil {
		return nil, 0, s.auditErr
	}
	var out []domain.AuditEntry
	for i := len(s.audit) - 1; i >= 0; i-- { // newest first
		e := s.audit[i]
		if f.Action != "" && e.Action != f.Action && !(strings.HasSuffix(f.Action, ".") && strings.HasPrefix(e.Action, f.Action)) {
			continue
		}
		if (f.Object == "" || e.Object == f.Object) && (s.leak || f.Scope.AllowsMark(e.MarkID)) {
			out = append(out, e)
		}
	}
	total := len(out)
	out = out[min(f.Offset, len(out)):]
	return out[:min(f.Limit, len(out))], total, nil
}

func (s *memStore) CreateUser(_ context.Context, u domain.User, hash string, actor domain.Actor) (domain.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.users {
		if o.Name == u.Name {
			return domain.User{}, domain.Errorf(domain.ECONFLICT, "user name %q is taken", u.Name)
		}
	}
	u.ID = s.id()
	s.users = append(s.users, u)
	s.hashes[u.Name] = hash
	s.audit = append(s.audit, domain.AuditEntry{ID: s.id(), Actor: actor, Action: domain.AuditUserAdd, Object: "user:" + u.Name})
	return u, nil
}

func (s *memStore) GetUserByName(_ context.Context, name string) (domain.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.Name == name {
			return u, nil
		}
	}
	return domain.User{}, domain.Errorf(domain.ENOTFOUND, "user %q does not exist", name)
}

func (s *memStore) ListUsers(context.Context) ([]domain.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.users), nil
}

func (s *memStore) SetUserDisabled(_ context.Context, name string, disabled bool, actor domain.Actor) (domain.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, u := range s.users {
		if u.Name == name {
			s.users[i].Disabled = disabled
			return s.users[i], nil
		}
	}
	return domain.User{}, domain.Errorf(domain.ENOTFOUND, "user %q does not exist", name)
}

func (s *memStore) CreateToken(_ context.Context, t domain.APIToken, actor domain.Actor) (domain.APIToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t.ID = s.id()
	s.tokens = append(s.tokens, t)
	return t, nil
}

func (s *memStore) RevokeToken(_ context.Context, id int64, actor domain.Actor) (domain.APIToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, t := range s.tokens {
		if t.ID == id {
			at := seen
			s.tokens[i].RevokedAt = &at
			return s.tokens[i], nil
		}
	}
	return domain.APIToken{}, domain.Errorf(domain.ENOTFOUND, "no token row %d", id)
}

func (s *memStore) ListTokens(_ context.Context, userID int64) ([]domain.APIToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.APIToken
	for _, t := range s.tokens {
		if userID == 0 || t.UserID == userID || s.leak {
			out = append(out, t)
		}
	}
	return out, nil
}

func (s *memStore) revoked(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		if t.ID == id {
			return t.RevokedAt != nil
		}
	}
	return false
}

func (s *memStore) CreateSubscription(_ context.Context, sub domain.Subscription, actor domain.Actor) (domain.Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub.ID = s.id()
	s.subs = append(s.subs, sub)
	return sub, nil
}

func (s *memStore) UpdateSubscription(_ context.Context, sub domain.Subscription, actor domain.Actor) (domain.Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, o := range s.subs {
		if o.ID == sub.ID {
			if sub.Secret == "" {
				sub.Secret = o.Secret
			}
			s.subs[i] = sub
			return sub, nil
		}
	}
	return domain.Subscription{}, domain.Errorf(domain.ENOTFOUND, "subscription %d does not exist", sub.ID)
}

func (s *memStore) DeleteSubscription(_ context.Context, id int64, actor domain.Actor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, o := range s.subs {
		if o.ID == id {
			s.subs = slices.Delete(s.subs, i, i+1)
			return nil
		}
	}
	return domain.Errorf(domain.ENOTFOUND, "subscription %d does not exist", id)
}

func (s *memStore) GetSubscription(_ context.Context, id int64) (domain.Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.subs {
		if o.ID == id {
			return o, nil
		}
	}
	return domain.Subscription{}, domain.Errorf(domain.ENOTFOUND, "no subscription row %d", id)
}

func (s *memStore) subscription(id int64) (domain.Subscription, bool) {
	sub, err := s.GetSubscription(context.Background(), id)
	return sub, err == nil
}

func (s *memStore) ListSubscriptions(_ context.Context, userID int64) ([]domain.Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.Subscription
	for _, o := range s.subs {
		if userID == 0 || o.UserID == userID {
			out = append(out, o)
		}
	}
	return out, nil
}

func (s *memStore) ListNotifications(_ context.Context, subID int64, limit int) ([]domain.Notification, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.Notification
	for _, n := range s.notes {
		if n.SubscriptionID == subID {
			out = append(out, n)
		}
	}
	return out[:min(limit, len(out))], nil
}

func (s *memStore) CreateSellerClaim(_ context.Context, c domain.SellerClaim) (domain.SellerClaim, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.ID = s.id()
	s.claims = append(s.claims, c)
	return c, nil
}

func (s *memStore) DecideSellerClaim(_ context.Context, id int64, accept bool, actor domain.Actor) (domain.SellerClaim, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, c := range s.claims {
		if c.ID == id {
			s.claims[i].Status = domain.ClaimRejected
			if accept {
				s.claims[i].Status = domain.ClaimAccepted
			}
			s.claims[i].DecidedBy = &actor
			return s.claims[i], nil
		}
	}
	return domain.SellerClaim{}, domain.Errorf(domain.ENOTFOUND, "no claim row %d", id)
}

func (s *memStore) ListSellerClaims(_ context.Context, scope domain.Scope, status domain.SellerClaimStatus) ([]domain.SellerClaim, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.claimScope = scope
	var out []domain.SellerClaim
	for _, c := range s.claims {
		if (status == "" || c.Status == status) && (s.leak || scope.AllowsMark(c.MarkID)) {
			out = append(out, c)
		}
	}
	return out, nil
}

// fakeSearcher matches hits whose title contains q, within the scope the
// way the index's tenant token would.
type fakeSearcher struct {
	mu    sync.Mutex
	hits  []domain.Hit
	q     string
	query HitQuery
	scope domain.Scope
	leak  bool
	err   error
	// maxTotal caps the total the way Meilisearch's maxTotalHits does:
	// past it the total is an estimate and pages are empty; 0 counts all.
	maxTotal int
}

func (s *fakeSearcher) SearchHits(_ context.Context, q string, f HitQuery, scope domain.Scope) (HitResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.q, s.query, s.scope = q, f, scope
	if s.err != nil {
		return HitResult{}, s.err
	}
	var out []domain.Hit
	for _, h := range s.hits {
		if strings.Contains(h.Title, q) && (f.MarkID == "" || h.MarkID == f.MarkID) && (f.MarkIDs == nil || slices.Contains(f.MarkIDs, h.MarkID)) && (!f.AlertOnly || h.Alert) &&
			(s.leak || scope.Allows(h.MarkID, h.Location)) {
			out = append(out, h)
		}
	}
	res := HitResult{Total: len(out)}
	if s.maxTotal > 0 && len(out) > s.maxTotal {
		out, res.Total, res.Estimated = out[:s.maxTotal], s.maxTotal, true
	}
	lo, hi := min(f.Offset, len(out)), len(out)
	if f.Limit > 0 {
		hi = min(lo+f.Limit, len(out))
	}
	res.Hits = out[lo:hi]
	return res, nil
}

// fakeCreds makes recognisable secrets so a test can scan answers for them.
type fakeCreds struct {
	mu sync.Mutex
	n  int
}

func (c *fakeCreds) HashPassword(pw string) (string, error) {
	return "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$" + fmt.Sprintf("%x", pw), nil
}

func (c *fakeCreds) CheckPassword(pw, user string) error {
	if len(pw) < 12 || strings.Contains(pw, user) {
		return domain.Errorf(domain.EINVALID, "password must be at least 12 characters and not contain the user name")
	}
	return nil
}

func (c *fakeCreds) GeneratePassword() (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return fmt.Sprintf("gen-pw-%d-Zq8rT2vLx9", c.n), nil
}

func (c *fakeCreds) NewToken() (string, string, string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	secret := fmt.Sprintf("mwt_%02dsecretpartnobodymaysee", c.n)
	return secret, fmt.Sprintf("%x", secret), secret[:8], nil
}

// decode is json.Unmarshal that fails the caller's way.
func decode(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decoding %q: %w", raw, err)
	}
	return nil
}
