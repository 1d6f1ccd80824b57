package store

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// The owners and marks the access tests use: 养元 owns 六个核桃
// (liugehetao); the walnut GI belongs to someone else.
const (
	yangyuan      = "河北养元智汇饮品股份有限公司"
	liugehetao    = "liugehetao"
	linchengGI    = "lincheng-walnut"
	admin         = "admin"
	fakeShop      = "某某食品专营店"
	argonHash     = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQxMjM0$aGFzaGhhc2hoYXNoaGFzaA"
	argonHashNext = "$argon2id$v=19$m=65536,t=3,p=4$bmV3c2FsdG5ld3NhbHQ$bmV3aGFzaG5ld2hhc2g"
)

var adminActor = domain.Actor{UserID: 1, Name: admin, Role: domain.RoleAdmin, Via: "session", RemoteAddr: "192.0.2.10"}

func mustUser(t testing.TB, db *DB, u domain.User) domain.User {
	t.Helper()
	got, err := db.CreateUser(context.Background(), u, argonHash, adminActor)
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", u.Name, err)
	}
	return got
}

func ownerUser(t testing.TB, db *DB) domain.User {
	return mustUser(t, db, domain.User{Name: "yangyuan", Role: domain.RoleOwner, Owner: yangyuan, Email: "ip@yangyuan.example"})
}

func mustSubscribe(t testing.TB, db *DB, userID int64, mods ...func(*domain.Subscription)) domain.Subscription {
	t.Helper()
	s := domain.Subscription{
		UserID: userID, Name: "六个核桃 仿冒", MarkIDs: []string{liugehetao}, Channel: domain.ChannelWebhook,
		Target: "https://hooks.example/markwatch", Secret: "whsec-s3cr3t", Mode: domain.DeliverImmediate,
	}
	for _, m := range mods {
		m(&s)
	}
	got, err := db.CreateSubscription(context.Background(), s, adminActor)
	if err != nil {
		t.Fatalf("CreateSubscription: %v", err)
	}
	return got
}

// liugeListing is a look-alike of 六个核桃 at a given location.
func liugeListing(url, loc string) domain.Listing {
	return domain.Listing{
		SourceID: "demo", Platform: "taobao", Title: "六个核桅 核桃乳 240ml*20罐 整箱", Price: 49.9,
		Seller: fakeShop, Location: loc, URL: url, Query: "六个核桃",
	}
}

// testRouter sends every event to every subscriber whose events include
// it, due at once, keyed the way package subscribe keys them. calls counts
// invocations so tests can see the store skipped it.
type testRouter struct {
	mu    sync.Mutex
	calls int
	subs  [][]domain.Subscriber
	evs   []domain.AlertEvent
}

func (r *testRouter) Route(ev domain.AlertEvent, subs []domain.Subscriber) []domain.Notification {
	r.mu.Lock()
	r.calls++
	r.subs = append(r.subs, subs)
	r.evs = append(r.evs, ev)
	r.mu.Unlock()
	var out []domain.Notification
	for _, s := range subs {
		if !wants(s.Subscription.Events, ev.Kind) {
			continue
		}
		id := ev.Alert.ID
		if ev.Kind == domain.EventStatus {
			id = ev.AuditID
		}
		out = append(out, domain.Notification{
			SubscriptionID: s.Subscription.ID, UserID: s.User.ID, Event: ev.Kind, AlertID: ev.Alert.ID,
			AuditID: ev.AuditID, MarkID: ev.Alert.MarkID, DueAt: ev.At,
			IdempotencyKey: fmt.Sprintf("mw-%s-%d-s%d", ev.Kind, id, s.Subscription.ID),
		})
	}
	return out
}

func wants(events []string, kind string) bool {
	if len(events) == 0 {
		return true
	}
	for _, e := range events {
		if e == kind {
			return true
		}
	}
	return false
}

func openRouted(t testing.TB, clock *fakeClock, router func(domain.AlertEvent, []domain.Subscriber) []domain.Notification) (*DB, string) {
	t.Helper()
	storeURL := newStoreURL(t)
	opts := Options{Router: router}
	if clock != nil {
		opts.Now = clock.Now
	}
	return openURL(t, storeURL, opts), storeURL
}
