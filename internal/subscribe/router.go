package subscribe

import (
	"fmt"
	"slices"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// Router turns an alert event into the notifications its subscribers are
// owed. It is read-only after NewRouter and safe for concurrent use.
type Router struct {
	kinds    map[string]domain.MarkKind
	scopeFor func(domain.User) domain.Scope
	loc      *time.Location
}

// NewRouter builds a router over the registry's marks (for the kind
// filter), the function that gives a user's scope (access.ScopeFor bound
// to the registry), and the zone digest times are read in (nil:
// Asia/Shanghai).
func NewRouter(marks []domain.Mark, scopeFor func(domain.User) domain.Scope, loc *time.Location) *Router {
	kinds := make(map[string]domain.MarkKind, len(marks))
	for _, m := range marks {
		kinds[m.ID] = m.Kind
	}
	if loc == nil {
		loc = shanghai()
	}
	return &Router{kinds: kinds, scopeFor: scopeFor, loc: loc}
}

// Route returns one pending notification per subscriber that should hear
// of ev. The user's scope is applied before any of the subscription's own
// filters, so an owner's subscription that names another owner's mark
// still never receives that mark's alerts. A scopeFor of nil sees nothing:
// a router wired without scopes must fail closed, not open.
func (r *Router) Route(ev domain.AlertEvent, subs []domain.Subscriber) []domain.Notification {
	if ev.Kind == domain.EventDegraded {
		return r.routeDegraded(ev, subs)
	}
	var ref int64
	switch ev.Kind {
	case domain.EventAlert:
		ref = ev.Alert.ID
	case domain.EventStatus:
		ref = ev.AuditID
	default:
		return nil
	}
	var out []domain.Notification
	for _, s := range subs {
		if !r.wants(ev, s) {
			continue
		}
		due := DueAt(s.Subscription, ev.At, r.loc)
		out = append(out, domain.Notification{
			SubscriptionID: s.Subscription.ID,
			UserID:         s.User.ID,
			Event:          ev.Kind,
			AlertID:        ev.Alert.ID,
			AuditID:        ev.AuditID,
			MarkID:         ev.Alert.MarkID,
			IdempotencyKey: fmt.Sprintf("mw-%s-%d-s%d", ev.Kind, ref, s.Subscription.ID),
			DueAt:          due,
			State:          domain.NotifyPending,
			NextAttemptAt:  due,
			CreatedAt:      ev.At,
		})
	}
	return out
}

// wants applies scope, then the subscription's filters in the order the
// console lists them. Empty filter lists select everything.
func (r *Router) wants(ev domain.AlertEvent, s domain.Subscriber) bool {
	sub, a := s.Subscription, ev.Alert
	if sub.Disabled || s.User.Disabled || r.scopeFor == nil {
		return false
	}
	if !r.scopeFor(s.User).Allows(a.MarkID, a.Location) {
		return false
	}
	if len(sub.Events) > 0 && !slices.Contains(sub.Events, ev.Kind) {
		return false
	}
	if len(sub.MarkIDs) > 0 && !slices.Contains(sub.MarkIDs, a.MarkID) {
		return false
	}
	if a.Score < sub.MinScore {
		return false
	}
	if len(sub.Kinds) > 0 {
		kind, known := r.kinds[a.MarkID]
		if !known || !slices.Contains(sub.Kinds, kind) {
			return false
		}
	}
	if len(sub.Tactics) > 0 && !slices.ContainsFunc(a.Reasons, func(rs domain.Reason) bool {
		return slices.Contains(sub.Tactics, rs.Tactic)
	}) {
		return false
	}
	if len(sub.Platforms) > 0 && !slices.Contains(sub.Platforms, ev.Platform) {
		return false
	}
	// A reviewer knows what they just did; telling them is noise. A system
	// actor (UserID 0) is nobody's own review.
	if ev.Kind == domain.EventStatus && ev.Actor != nil && ev.Actor.UserID != 0 && ev.Actor.UserID == s.User.ID {
		return false
	}
	return true
}

// mayHearDegraded reports whether u's role may operate sources (admin or
// operator): the roles access.Can lets run and tune sources. Spelled out
// here because subscribe does not import access.
func mayHearDegraded(u domain.User) bool {
	return u.Role == domain.RoleAdmin || u.Role == domain.RoleOperator
}

// routeDegraded tells admins and operators whose subscriptions list the
// degraded event explicitly (it is not a default) that a source's run was
// degraded. Mark, score, kind, tactic and platform filters are about alerts
// and do not apply.
func (r *Router) routeDegraded(ev domain.AlertEvent, subs []domain.Subscriber) []domain.Notification {
	if ev.SourceID == "" {
		return nil
	}
	ref := ev.RunID
	if ref == 0 {
		ref = ev.AuditID
	}
	var out []domain.Notification
	for _, s := range subs {
		sub := s.Subscription
		if sub.Disabled || s.User.Disabled || !mayHearDegraded(s.User) || !slices.Contains(sub.Events, domain.EventDegraded) {
			continue
		}
		due := DueAt(sub, ev.At, r.loc)
		out = append(out, domain.Notification{
			SubscriptionID: sub.ID,
			UserID:         s.User.ID,
			Event:          domain.EventDegraded,
			AuditID:        ev.AuditID,
			SourceID:       ev.SourceID,
			Reasons:        slices.Clone(ev.Reasons),
			IdempotencyKey: fmt.Sprintf("mw-degraded-%d-s%d", ref, sub.ID),
			DueAt:          due,
			State:          domain.NotifyPending,
			NextAttemptAt:  due,
			CreatedAt:      ev.At,
		})
	}
	return out
}
