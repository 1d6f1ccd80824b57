package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/subscribe"
)

// TestDegradedRunNotifiesOperatorsWhoAsk finishes a degraded run with the
// real router: one row per admin or operator subscription that lists the
// degraded event, none for owners (even when theirs lists it) or for
// operators who did not ask, and the row carries the source and reasons.
func TestDegradedRunNotifiesOperatorsWhoAsk(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	router := subscribe.NewRouter(nil, func(domain.User) domain.Scope { return domain.Scope{} }, nil)
	db, _ := openRouted(t, clock, router.Route)
	degradedOnly := func(s *domain.Subscription) { s.MarkIDs, s.Events = nil, []string{domain.EventDegraded} }
	op := mustUser(t, db, domain.User{Name: "op", Role: domain.RoleOperator})
	adm := mustUser(t, db, domain.User{Name: "adm", Role: domain.RoleAdmin})
	quiet := mustUser(t, db, domain.User{Name: "quiet", Role: domain.RoleOperator})
	owner := ownerUser(t, db)
	opSub := mustSubscribe(t, db, op.ID, degradedOnly)
	admSub := mustSubscribe(t, db, adm.ID, func(s *domain.Subscription) {
		s.MarkIDs, s.MinScore, s.Events = []string{liugehetao}, 0.9, []string{domain.EventAlert, domain.EventDegraded}
	})
	mustSubscribe(t, db, quiet.ID, func(s *domain.Subscription) { s.MarkIDs = nil })
	mustSubscribe(t, db, owner.ID, func(s *domain.Subscription) { s.Events = []string{domain.EventDegraded} })

	reasons := []string{`item selector "li.result-item" matched nothing`}
	run, err := db.StartRun(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	run.Status, run.Degraded = domain.RunSucceeded, true
	run.Health = &domain.RunHealth{Pages: 3, Reasons: reasons}
	if err := db.FinishRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	due, err := db.DueNotifications(ctx, clock.Now(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 2 {
		t.Fatalf("DueNotifications = %+v; want one row each for the operator and the admin", due)
	}
	got := map[int64]domain.Notification{}
	for _, n := range due {
		got[n.SubscriptionID] = n
	}
	for _, sub := range []domain.Subscription{opSub, admSub} {
		n, ok := got[sub.ID]
		if !ok {
			t.Fatalf("no row for subscription %d in %+v", sub.ID, due)
		}
		if n.Event != domain.EventDegraded || n.AlertID != 0 || n.SourceID != "demo" || !slices.Equal(n.Reasons, reasons) ||
			n.AuditID == 0 || n.IdempotencyKey != fmt.Sprintf("mw-degraded-%d-s%d", run.ID, sub.ID) {
			t.Errorf("row = %+v", n)
		}
	}
	// A healthy run tells nobody.
	run2, err := db.StartRun(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	run2.Status = domain.RunSucceeded
	if err := db.FinishRun(ctx, run2); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.DueNotifications(ctx, clock.Now(), 10); len(due) != 2 {
		t.Errorf("after a healthy run %d rows are due, want still 2", len(due))
	}
}

// TestMigrateVersion5KeepsNotifications builds a version 5 database with an
// alert notification and checks migration 6 keeps the row, its id and its
// idempotency key, and then accepts degraded rows without an alert.
func TestMigrateVersion5KeepsNotifications(t *testing.T) {
	sqliteOnly(t, "upgrades a SQLite file written by an older schema (PostgreSQL starts at the current schema)")
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v5.db")
	buildOldDatabase(t, path, 5,
		`INSERT INTO users (id, name, role, created_at) VALUES (7, 'op', 'operator', 1700000000000)`,
		`INSERT INTO subscriptions (id, user_id, channel, target, mode, created_at, updated_at)
			VALUES (3, 7, 'webhook', 'https://hooks.example/x', 'immediate', 1700000000000, 1700000000000)`,
		`INSERT INTO alerts (id, mark_id, url_key, source_id, title, score, first_seen, last_seen)
			VALUES (11, 'liugehetao', 'k', 'demo', '六个核桃', 0.9, 1700000000000, 1700000000000)`,
		`INSERT INTO notifications (id, subscription_id, user_id, event, alert_id, mark_id, idempotency_key, due_at, state,
			attempts, next_attempt_at, created_at, sent_at, message_key)
			VALUES (21, 3, 7, 'alert', 11, 'liugehetao', 'mw-alert-11-s3', 1700000000000, 'sent', 1, 1700000000000,
			1700000000000, 1700000001000, 'mw-alert-11-s3')`,
	)
	db, err := Open(ctx, path, Options{RecordHash: testRecordHash})
	if err != nil {
		t.Fatalf("Open(v5) = %v", err)
	}
	defer db.Close()
	var v int
	if err := db.sql.QueryRow("SELECT max(version) FROM schema_migrations").Scan(&v); err != nil || v != SchemaVersion() || v < 6 {
		t.Fatalf("schema version = %d, %v", v, err)
	}
	ns, err := db.ListNotifications(ctx, 3, 10)
	if err != nil || len(ns) != 1 {
		t.Fatalf("ListNotifications = %+v, %v", ns, err)
	}
	n := ns[0]
	if n.ID != 21 || n.Event != domain.EventAlert || n.AlertID != 11 || n.UserID != 7 || n.IdempotencyKey != "mw-alert-11-s3" ||
		n.State != domain.NotifySent || n.Attempts != 1 || n.SentAt == nil || n.MessageKey != "mw-alert-11-s3" || n.SourceID != "" {
		t.Errorf("row after migrating = %+v", n)
	}
	var idx int
	if err := db.sql.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'notifications'
		AND name IN ('notifications_due', 'notifications_subscription')`).Scan(&idx); err != nil || idx != 2 {
		t.Errorf("indexes after migrating = %d, %v", idx, err)
	}
	if rows, err := db.sql.Query("PRAGMA foreign_key_check"); err != nil {
		t.Fatal(err)
	} else {
		if rows.Next() {
			t.Error("foreign_key_check reports violations after migrating")
		}
		rows.Close()
	}
	// The same key again is dropped; a degraded row needs no alert.
	err = db.inTx(ctx, "test", func(tx *sql.Tx) error {
		now := time.UnixMilli(1700000002000)
		if err := insertNotification(ctx, tx, domain.Notification{SubscriptionID: 3, UserID: 7, Event: domain.EventAlert,
			AlertID: 11, IdempotencyKey: "mw-alert-11-s3"}, now); err != nil {
			return err
		}
		return insertNotification(ctx, tx, domain.Notification{SubscriptionID: 3, UserID: 7, Event: domain.EventDegraded,
			SourceID: "demo", Reasons: []string{"r"}, IdempotencyKey: "mw-degraded-1-s3"}, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	if ns, err := db.ListNotifications(ctx, 3, 10); err != nil || len(ns) != 2 || ns[0].Event != domain.EventDegraded ||
		ns[0].AlertID != 0 || ns[0].SourceID != "demo" {
		t.Errorf("ListNotifications = %+v, %v", ns, err)
	}
}
