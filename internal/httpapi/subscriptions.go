package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// SubscriptionStore keeps users' subscriptions. Writes take the actor and
// audit in the same transaction.
type SubscriptionStore interface {
	CreateSubscription(ctx context.Context, s domain.Subscription, actor domain.Actor) (domain.Subscription, error)
	// UpdateSubscription keeps the old secret when s.Secret is empty.
	UpdateSubscription(ctx context.Context, s domain.Subscription, actor domain.Actor) (domain.Subscription, error)
	DeleteSubscription(ctx context.Context, id int64, actor domain.Actor) error
	// GetSubscription answers with Secret; this package never sends it on.
	GetSubscription(ctx context.Context, id int64) (domain.Subscription, error)
	ListSubscriptions(ctx context.Context, userID int64) ([]domain.Subscription, error)
}

// DeliveryHistory reads a subscription's delivery outbox, newest first.
type DeliveryHistory interface {
	ListNotifications(ctx context.Context, subscriptionID int64, limit int) ([]domain.Notification, error)
}

// maxSubscriptionBody bounds POST/PUT bodies: filters are short lists.
const maxSubscriptionBody = 16 << 10

const subscriptionExample = `{"name":"六个核桃 高分","mark_ids":["liugehetao"],"min_score":0.8,"channel":"email","target":"ip@example.cn","mode":"daily","digest_time":"09:00"}`

// subscriptionBody is what a client may set. Secret is write-only: it
// signs webhook bodies and is never answered; empty on PUT keeps the old.
type subscriptionBody struct {
	Name          string              `json:"name"`
	MarkIDs       []string            `json:"mark_ids"`
	MinScore      float64             `json:"min_score"`
	Kinds         []domain.MarkKind   `json:"kinds"`
	Tactics       []string            `json:"tactics"`
	Platforms     []string            `json:"platforms"`
	Events        []string            `json:"events"`
	Channel       domain.Channel      `json:"channel"`
	Target        string              `json:"target"`
	Secret        string              `json:"secret"`
	Mode          domain.DeliveryMode `json:"mode"`
	DigestTime    string              `json:"digest_time"`
	DigestWeekday int                 `json:"digest_weekday"`
	Disabled      bool                `json:"disabled"`
}

func (b subscriptionBody) subscription() domain.Subscription {
	return domain.Subscription{
		Name: strings.TrimSpace(b.Name), MarkIDs: b.MarkIDs, MinScore: b.MinScore, Kinds: b.Kinds, Tactics: b.Tactics,
		Platforms: b.Platforms, Events: b.Events, Channel: b.Channel, Target: strings.TrimSpace(b.Target), Secret: b.Secret,
		Mode: b.Mode, DigestTime: b.DigestTime, DigestWeekday: b.DigestWeekday, Disabled: b.Disabled,
	}
}

// SubscriptionJSON is a subscription in answers: never its secret, only
// whether it has one.
type SubscriptionJSON struct {
	domain.Subscription
	HasSecret bool `json:"has_secret"`
}

func toSubscriptionJSON(s domain.Subscription) SubscriptionJSON {
	has := s.Secret != ""
	s.Secret = "" // json:"-" already; cleared too so no later encoder can slip
	return SubscriptionJSON{Subscription: s, HasSecret: has}
}

type subscriptionList struct {
	Subscriptions []SubscriptionJSON `json:"subscriptions"`
}

// listSubscriptions serves GET /api/v1/subscriptions: the caller's own, for
// every role (admins included: others' subscriptions are not theirs to edit).
func (a *api) listSubscriptions(w http.ResponseWriter, r *http.Request) {
	p, ok := principal(w, r)
	if !ok {
		return
	}
	subs, err := a.deps.Subscriptions.ListSubscriptions(r.Context(), p.User.ID)
	if err != nil {
		writeError(w, r, fmt.Errorf("listing subscriptions of %s: %w", p.User.Name, err))
		return
	}
	out := subscriptionList{Subscriptions: []SubscriptionJSON{}}
	for _, s := range subs {
		if s.UserID == p.User.ID { // never another's, whatever the store did
			out.Subscriptions = append(out.Subscriptions, toSubscriptionJSON(s))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// ownSubscription reads subscription id if it is p's. Another user's and a
// missing one give the same ENOTFOUND.
func (a *api) ownSubscription(ctx context.Context, p access.Principal, id int64) (domain.Subscription, error) {
	notFound := domain.Errorf(domain.ENOTFOUND, "subscription %d does not exist", id)
	s, err := a.deps.Subscriptions.GetSubscription(ctx, id)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return domain.Subscription{}, fmt.Errorf("%w: %w", notFound, err)
		}
		return domain.Subscription{}, fmt.Errorf("getting subscription %d: %w", id, err)
	}
	if s.UserID != p.User.ID {
		return domain.Subscription{}, fmt.Errorf("%w (it belongs to user %d)", notFound, s.UserID)
	}
	return s, nil
}

// getSubscription serves GET /api/v1/subscriptions/{id}.
func (a *api) getSubscription(w http.ResponseWriter, r *http.Request) {
	p, id, ok := principalID(w, r, "subscription")
	if !ok {
		return
	}
	s, err := a.ownSubscription(r.Context(), p, id)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toSubscriptionJSON(s))
}

// createSubscription serves POST /api/v1/subscriptions and answers 201.
func (a *api) createSubscription(w http.ResponseWriter, r *http.Request) {
	p, body, ok := principalBody[subscriptionBody](w, r, maxSubscriptionBody, subscriptionExample)
	if !ok {
		return
	}
	s := body.subscription()
	s.UserID = p.User.ID
	s.CreatedAt = a.deps.Now()
	s.UpdatedAt = s.CreatedAt
	if err := a.checkSubscription(p, s); err != nil {
		writeError(w, r, err)
		return
	}
	created, err := a.deps.Subscriptions.CreateSubscription(r.Context(), s, p.Actor())
	if err != nil {
		writeError(w, r, fmt.Errorf("creating subscription %q: %w", s.Name, err))
		return
	}
	writeJSON(w, http.StatusCreated, toSubscriptionJSON(created))
}

// updateSubscription serves PUT /api/v1/subscriptions/{id}: the body
// replaces every field but the secret, which an empty value keeps.
func (a *api) updateSubscription(w http.ResponseWriter, r *http.Request) {
	p, id, ok := principalID(w, r, "subscription")
	if !ok {
		return
	}
	var body subscriptionBody
	if err := decodeBody(w, r, &body, maxSubscriptionBody, subscriptionExample); err != nil {
		writeError(w, r, err)
		return
	}
	old, err := a.ownSubscription(r.Context(), p, id)
	if err != nil {
		writeError(w, r, err)
		return
	}
	s := body.subscription()
	s.ID, s.UserID, s.CreatedAt, s.UpdatedAt = old.ID, old.UserID, old.CreatedAt, a.deps.Now()
	// Validate what will be stored: the old secret when none is sent.
	check := s
	if check.Secret == "" {
		check.Secret = old.Secret
	}
	if err := a.checkSubscription(p, check); err != nil {
		writeError(w, r, err)
		return
	}
	updated, err := a.deps.Subscriptions.UpdateSubscription(r.Context(), s, p.Actor())
	if err != nil {
		writeError(w, r, fmt.Errorf("updating subscription %d: %w", id, err))
		return
	}
	writeJSON(w, http.StatusOK, toSubscriptionJSON(updated))
}

// deleteSubscription serves DELETE /api/v1/subscriptions/{id} and answers
// 204; its pending notifications are cancelled by the store.
func (a *api) deleteSubscription(w http.ResponseWriter, r *http.Request) {
	p, id, ok := principalID(w, r, "subscription")
	if !ok {
		return
	}
	if _, err := a.ownSubscription(r.Context(), p, id); err != nil {
		writeError(w, r, err)
		return
	}
	if err := a.deps.Subscriptions.DeleteSubscription(r.Context(), id, p.Actor()); err != nil {
		writeError(w, r, fmt.Errorf("deleting subscription %d: %w", id, err))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// checkSubscription refuses marks outside the user's scope here, whatever
// the injected validator does, then applies the validator (channels,
// targets, digest times).
func (a *api) checkSubscription(p access.Principal, s domain.Subscription) error {
	if s.Name == "" {
		return domain.Errorf(domain.EINVALID, "a subscription needs a name; send %s", subscriptionExample)
	}
	for _, m := range s.MarkIDs {
		// The same words for another owner's mark and a mark that does not
		// exist, so the answer tells nothing about other owners.
		if !p.Scope.AllowsMark(m) {
			return domain.Errorf(domain.EINVALID, "mark %q is not among the marks you may see", m)
		}
	}
	if a.deps.ValidateSubscription == nil {
		return nil
	}
	if err := a.deps.ValidateSubscription(s, p.User, p.Scope); err != nil {
		return fmt.Errorf("checking subscription %q: %w", s.Name, err)
	}
	return nil
}

type deliveryList struct {
	SubscriptionID int64                 `json:"subscription_id"`
	Deliveries     []domain.Notification `json:"deliveries"`
	Limit          int                   `json:"limit"`
}

// listDeliveries serves GET /api/v1/subscriptions/{id}/deliveries?limit=,
// newest first: what was sent, is pending or failed, and why.
func (a *api) listDeliveries(w http.ResponseWriter, r *http.Request) {
	p, id, ok := principalID(w, r, "subscription")
	if !ok {
		return
	}
	limit, err := intParam(r.URL.Query(), "limit", defaultLimit, 1, maxLimit)
	if err != nil {
		writeError(w, r, err)
		return
	}
	if _, err := a.ownSubscription(r.Context(), p, id); err != nil {
		writeError(w, r, err)
		return
	}
	ns, err := a.deps.Deliveries.ListNotifications(r.Context(), id, limit)
	if err != nil {
		writeError(w, r, fmt.Errorf("listing deliveries of subscription %d: %w", id, err))
		return
	}
	out := deliveryList{SubscriptionID: id, Deliveries: []domain.Notification{}, Limit: limit}
	for _, n := range ns {
		if n.SubscriptionID == id {
			out.Deliveries = append(out.Deliveries, n)
		}
	}
	writeJSON(w, http.StatusOK, out)
}
