package subscribe

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestRouteDegraded(t *testing.T) {
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	ev := domain.AlertEvent{Kind: domain.EventDegraded, SourceID: "taobao", RunID: 77, AuditID: 9,
		Reasons: []string{"item selector matched nothing"}, At: at}
	operator := domain.User{ID: 6, Name: "op", Role: domain.RoleOperator}
	degraded := func(s *domain.Subscription) { s.Events = []string{domain.EventDegraded} }
	subs := []domain.Subscriber{
		sub(1, operator, degraded),
		// Alert filters do not apply to a source's health.
		sub(2, admin, func(s *domain.Subscription) {
			s.Events = []string{domain.EventAlert, domain.EventDegraded}
			s.MarkIDs, s.MinScore, s.Kinds = []string{"hengshui"}, 0.99, []domain.MarkKind{domain.KindGI}
			s.Tactics, s.Platforms = []string{"shape"}, []string{"jd"}
		}),
		sub(3, operator, nil), // default events: alert+status
		sub(4, admin, func(s *domain.Subscription) { s.Events = []string{domain.EventAlert} }), // did not ask
		sub(5, yangyuan, degraded), // owner: never
		sub(6, hebeiSup, degraded), // supervisor: never
		sub(7, operator, func(s *domain.Subscription) { degraded(s); s.Disabled = true }),
	}
	got := NewRouter(testMarks(), scopeFor, nil).Route(ev, subs)
	if ids := routed(got); !slices.Equal(ids, []int64{1, 2}) {
		t.Fatalf("routed to %v, want [1 2]", ids)
	}
	n := got[0]
	if n.Event != domain.EventDegraded || n.AlertID != 0 || n.SourceID != "taobao" || n.UserID != operator.ID ||
		!slices.Equal(n.Reasons, ev.Reasons) || n.AuditID != 9 || n.IdempotencyKey != "mw-degraded-77-s1" ||
		!n.DueAt.Equal(at) || n.State != domain.NotifyPending {
		t.Errorf("notification = %+v", n)
	}
	// Degraded events never reach an alert's subscribers, nor alerts a
	// degraded-only subscription.
	if got := NewRouter(testMarks(), scopeFor, nil).Route(alertEvent(at), []domain.Subscriber{sub(1, operator, degraded)}); len(got) != 0 {
		t.Errorf("alert routed to a degraded-only subscription: %+v", got)
	}
	if got := NewRouter(testMarks(), scopeFor, nil).Route(domain.AlertEvent{Kind: domain.EventDegraded, At: at}, subs); len(got) != 0 {
		t.Errorf("degraded event without a source routed: %+v", got)
	}
}

func TestValidateDegraded(t *testing.T) {
	s := domain.Subscription{Name: "来源健康", Channel: domain.ChannelEmail, Target: "ops@example.cn",
		Mode: domain.DeliverImmediate, Events: []string{domain.EventDegraded}}
	for _, u := range []domain.User{admin, {ID: 6, Name: "op", Role: domain.RoleOperator}} {
		if err := Validate(s, u, domain.Unrestricted); err != nil {
			t.Errorf("Validate(degraded, %s) = %v", u.Role, err)
		}
	}
	for _, u := range []domain.User{yangyuan, hebeiSup} {
		err := Validate(s, u, scopeFor(u))
		if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), "管理员") {
			t.Errorf("Validate(degraded, %s) = %v; want EINVALID naming who may", u.Role, err)
		}
	}
}
