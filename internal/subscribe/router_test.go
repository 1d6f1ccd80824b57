package subscribe

import (
	"slices"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// The registry the router tests run on: two owners, three kinds.
func testMarks() []domain.Mark {
	return []domain.Mark{
		{ID: "liugehetao", Name: "六个核桃", Kind: domain.KindTrademark, Owner: "河北养元智汇饮品股份有限公司"},
		{ID: "hengshui", Name: "衡水老白干", Kind: domain.KindTrademark, Owner: "河北衡水老白干酒业股份有限公司"},
		{ID: "quanjude", Name: "全聚德", Kind: domain.KindTimeHonoured, Owner: "中国全聚德（集团）股份有限公司"},
		{ID: "yantai-apple", Name: "烟台苹果", Kind: domain.KindGI, Owner: "烟台市苹果协会"},
	}
}

// scopeFor mirrors access.ScopeFor over testMarks, so the router is tested
// with the rule the daemon wires in.
func scopeFor(u domain.User) domain.Scope {
	switch u.Role {
	case domain.RoleOwner:
		s := domain.Scope{Restricted: true}
		for _, m := range testMarks() {
			if m.Owner == u.Owner {
				s.MarkIDs = append(s.MarkIDs, m.ID)
			}
		}
		return s
	case domain.RoleSupervisor:
		return domain.Scope{Jurisdiction: u.Jurisdiction}
	}
	return domain.Unrestricted
}

var (
	yangyuan   = domain.User{ID: 1, Name: "yangyuan", Role: domain.RoleOwner, Owner: "河北养元智汇饮品股份有限公司"}
	laobaigan  = domain.User{ID: 2, Name: "laobaigan", Role: domain.RoleOwner, Owner: "河北衡水老白干酒业股份有限公司"}
	hebeiSup   = domain.User{ID: 3, Name: "王监管", Role: domain.RoleSupervisor, Jurisdiction: "河北"}
	beijingSup = domain.User{ID: 4, Name: "李监管", Role: domain.RoleSupervisor, Jurisdiction: "北京"}
	admin      = domain.User{ID: 5, Name: "admin", Role: domain.RoleAdmin}
)

func alertEvent(at time.Time) domain.AlertEvent {
	return domain.AlertEvent{
		Kind: domain.EventAlert,
		Alert: domain.Alert{
			ID: 42, MarkID: "liugehetao", Title: "六个核桃 同款 核桃乳 240ml*20罐", Seller: "衡水特产店",
			Location: "河北 衡水", Score: 0.82,
			Reasons: []domain.Reason{{Tactic: "shape", Text: "形近: 六个核桃→六个核桄"}, {Tactic: "context", Text: "同款"}},
		},
		Platform: "taobao",
		At:       at,
	}
}

func sub(id int64, u domain.User, mod func(*domain.Subscription)) domain.Subscriber {
	s := domain.Subscription{ID: id, UserID: u.ID, Channel: domain.ChannelEmail, Target: u.Name + "@example.cn", Mode: domain.DeliverImmediate}
	if mod != nil {
		mod(&s)
	}
	return domain.Subscriber{Subscription: s, User: u}
}

func routed(ns []domain.Notification) []int64 {
	var ids []int64
	for _, n := range ns {
		ids = append(ids, n.SubscriptionID)
	}
	return ids
}

func TestRouteFilters(t *testing.T) {
	at := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		sub  domain.Subscriber
		ev   func(*domain.AlertEvent)
		want bool
	}{
		{"owner of the mark", sub(1, yangyuan, nil), nil, true},
		{"another owner never, even naming the mark", sub(1, laobaigan, func(s *domain.Subscription) { s.MarkIDs = []string{"liugehetao"} }), nil, false},
		{"another owner with no filter", sub(1, laobaigan, nil), nil, false},
		{"supervisor in jurisdiction", sub(1, hebeiSup, nil), nil, true},
		{"supervisor outside jurisdiction", sub(1, beijingSup, nil), nil, false},
		{"admin sees all", sub(1, admin, nil), nil, true},
		{"disabled user", sub(1, domain.User{ID: 9, Role: domain.RoleAdmin, Disabled: true}, nil), nil, false},
		{"disabled subscription", sub(1, admin, func(s *domain.Subscription) { s.Disabled = true }), nil, false},
		{"events: alert only", sub(1, admin, func(s *domain.Subscription) { s.Events = []string{domain.EventAlert} }), nil, true},
		{"events: status only", sub(1, admin, func(s *domain.Subscription) { s.Events = []string{domain.EventStatus} }), nil, false},
		{"marks: other mark", sub(1, admin, func(s *domain.Subscription) { s.MarkIDs = []string{"hengshui"} }), nil, false},
		{"marks: this mark", sub(1, admin, func(s *domain.Subscription) { s.MarkIDs = []string{"hengshui", "liugehetao"} }), nil, true},
		{"min score met", sub(1, admin, func(s *domain.Subscription) { s.MinScore = 0.82 }), nil, true},
		{"min score missed", sub(1, admin, func(s *domain.Subscription) { s.MinScore = 0.9 }), nil, false},
		{"kinds: trademark", sub(1, admin, func(s *domain.Subscription) { s.Kinds = []domain.MarkKind{domain.KindTrademark} }), nil, true},
		{"kinds: 老字号 only", sub(1, admin, func(s *domain.Subscription) { s.Kinds = []domain.MarkKind{domain.KindTimeHonoured} }), nil, false},
		{"kinds: mark not in registry", sub(1, admin, func(s *domain.Subscription) { s.Kinds = []domain.MarkKind{domain.KindTrademark} }),
			func(e *domain.AlertEvent) { e.Alert.MarkID = "gone" }, false},
		{"tactics: any reason", sub(1, admin, func(s *domain.Subscription) { s.Tactics = []string{"sound", "shape"} }), nil, true},
		{"tactics: none", sub(1, admin, func(s *domain.Subscription) { s.Tactics = []string{"sound"} }), nil, false},
		{"platforms: taobao", sub(1, admin, func(s *domain.Subscription) { s.Platforms = []string{"jd", "taobao"} }), nil, true},
		{"platforms: jd only", sub(1, admin, func(s *domain.Subscription) { s.Platforms = []string{"jd"} }), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := alertEvent(at)
			if tt.ev != nil {
				tt.ev(&ev)
			}
			got := NewRouter(testMarks(), scopeFor, nil).Route(ev, []domain.Subscriber{tt.sub})
			if (len(got) == 1) != tt.want || len(got) > 1 {
				t.Fatalf("Route gave %d notifications, want routed=%v", len(got), tt.want)
			}
		})
	}
}

func TestRouteRows(t *testing.T) {
	at := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai
	r := NewRouter(testMarks(), scopeFor, nil)
	subs := []domain.Subscriber{
		sub(7, yangyuan, nil),
		sub(8, hebeiSup, func(s *domain.Subscription) { s.Mode = domain.DeliverDaily; s.DigestTime = "09:00" }),
		sub(9, laobaigan, nil),
	}
	got := r.Route(alertEvent(at), subs)
	if !slices.Equal(routed(got), []int64{7, 8}) {
		t.Fatalf("routed to %v, want [7 8]", routed(got))
	}
	n := got[0]
	if n.IdempotencyKey != "mw-alert-42-s7" || n.State != domain.NotifyPending || !n.DueAt.Equal(at) || !n.NextAttemptAt.Equal(at) ||
		n.UserID != 1 || n.AlertID != 42 || n.MarkID != "liugehetao" || n.Event != domain.EventAlert {
		t.Errorf("immediate row = %+v", n)
	}
	wantDue := time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC) // 09:00 the next day in Shanghai
	if d := got[1]; !d.DueAt.Equal(wantDue) || !d.NextAttemptAt.Equal(wantDue) || d.IdempotencyKey != "mw-alert-42-s8" {
		t.Errorf("digest row due %s key %s, want %s mw-alert-42-s8", d.DueAt, d.IdempotencyKey, wantDue)
	}
	// Same event, same rows: a retried transaction inserts nothing new.
	if again := r.Route(alertEvent(at), subs); !slices.Equal(routed(again), routed(got)) || again[0].IdempotencyKey != got[0].IdempotencyKey {
		t.Error("routing the same event twice gave different rows")
	}
}

func TestRouteStatus(t *testing.T) {
	at := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	ev := alertEvent(at)
	ev.Kind = domain.EventStatus
	ev.AuditID = 310
	ev.Review = &domain.Review{Status: domain.AlertConfirmed, Note: "已移交衡水市市场监管局"}
	ev.Actor = &domain.Actor{UserID: hebeiSup.ID, Name: hebeiSup.Name, Role: domain.RoleSupervisor}
	r := NewRouter(testMarks(), scopeFor, nil)
	got := r.Route(ev, []domain.Subscriber{sub(7, yangyuan, nil), sub(8, hebeiSup, nil), sub(9, admin, func(s *domain.Subscription) {
		s.Events = []string{domain.EventAlert}
	})})
	if !slices.Equal(routed(got), []int64{7}) {
		t.Fatalf("routed to %v, want [7]: the reviewer is not told of their own review, 9 wants alerts only", routed(got))
	}
	if got[0].IdempotencyKey != "mw-status-310-s7" || got[0].AuditID != 310 || got[0].AlertID != 42 {
		t.Errorf("status row = %+v", got[0])
	}
	// The system reviewing (UserID 0) is nobody's own review.
	ev.Actor = &domain.SystemActor
	if got := r.Route(ev, []domain.Subscriber{sub(8, hebeiSup, nil)}); len(got) != 1 {
		t.Errorf("system review routed to %d, want 1", len(got))
	}
}

func TestRouteFailsClosed(t *testing.T) {
	ev := alertEvent(time.Now())
	if got := NewRouter(testMarks(), nil, nil).Route(ev, []domain.Subscriber{sub(1, admin, nil)}); len(got) != 0 {
		t.Errorf("router without scopes routed %d", len(got))
	}
	ev.Kind = "deleted"
	if got := NewRouter(testMarks(), scopeFor, nil).Route(ev, []domain.Subscriber{sub(1, admin, nil)}); len(got) != 0 {
		t.Errorf("unknown event routed %d", len(got))
	}
}
