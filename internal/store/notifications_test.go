package store

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestSaveListingRoutesNewAlerts(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	r := &testRouter{}
	db, _ := openRouted(t, clock, r.Route)
	o := ownerUser(t, db)
	sub := mustSubscribe(t, db, o.ID)
	mustSubscribe(t, db, o.ID, func(s *domain.Subscription) { s.Disabled = true })
	gone := mustUser(t, db, domain.User{Name: "former", Role: domain.RoleOwner, Owner: yangyuan})
	mustSubscribe(t, db, gone.ID)
	if _, err := db.SetUserDisabled(ctx, gone.Name, true, adminActor); err != nil {
		t.Fatal(err)
	}

	l := liugeListing("https://item.taobao.com/item.htm?id=6001", "河北 石家庄")
	res := mustSave(t, db, l, match(liugehetao, 0.93, true), match(linchengGI, 0.3, false))
	if r.calls != 1 {
		t.Fatalf("router called %d times, want once for the one new alert", r.calls)
	}
	ev := r.evs[0]
	if ev.Kind != domain.EventAlert || ev.Alert.ID != res.NewAlerts[0].ID || ev.Platform != "taobao" || !ev.At.Equal(clock.Now()) ||
		ev.AuditID != 0 || ev.Review != nil {
		t.Errorf("event = %+v", ev)
	}
	if len(r.subs[0]) != 1 || r.subs[0][0].Subscription.ID != sub.ID || r.subs[0][0].User.ID != o.ID ||
		r.subs[0][0].Subscription.Secret != "" {
		t.Errorf("subscribers = %+v; want only the enabled subscription of the enabled user, without secret", r.subs[0])
	}
	due, err := db.DueNotifications(ctx, clock.Now(), 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("DueNotifications = %+v, %v", due, err)
	}
	n := due[0]
	if n.SubscriptionID != sub.ID || n.UserID != o.ID || n.Event != domain.EventAlert || n.AlertID != ev.Alert.ID ||
		n.MarkID != liugehetao || n.State != domain.NotifyPending || n.IdempotencyKey != fmt.Sprintf("mw-alert-%d-s%d", ev.Alert.ID, sub.ID) ||
		!n.DueAt.Equal(clock.Now()) || !n.NextAttemptAt.Equal(n.DueAt) || !n.CreatedAt.Equal(clock.Now()) {
		t.Errorf("notification = %+v", n)
	}

	// Seeing the listing again raises nothing and asks nobody.
	clock.Advance(time.Hour)
	mustSave(t, db, l, match(liugehetao, 0.95, true))
	if r.calls != 1 {
		t.Errorf("router called %d times after a re-sighting, want still 1", r.calls)
	}
}

func TestSaveListingsRoutesOncePerBatch(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	r := &testRouter{}
	db, _ := openRouted(t, clock, r.Route)
	o := ownerUser(t, db)
	sub := mustSubscribe(t, db, o.ID)
	var batch []ListingMatches
	for i := range 3 {
		batch = append(batch, ListingMatches{
			Listing: liugeListing(fmt.Sprintf("https://mobile.yangkeduo.com/goods.html?goods_id=%d", i), "山东 临沂"),
			Matches: []domain.Match{match(liugehetao, 0.9, true)},
		})
	}
	if _, err := db.SaveListings(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if r.calls != 3 {
		t.Errorf("router called %d times, want once per new alert (3)", r.calls)
	}
	rows, err := db.ListNotifications(ctx, sub.ID, 0)
	if err != nil || len(rows) != 3 || rows[0].ID < rows[2].ID {
		t.Errorf("ListNotifications = %+v, %v; want 3 newest first", rows, err)
	}
	// The same batch again: no new alerts, no router call.
	if _, err := db.SaveListings(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if r.calls != 3 {
		t.Errorf("router called %d times for a batch of re-sightings", r.calls)
	}
	if n, _ := db.PendingNotifications(ctx); n != 3 {
		t.Errorf("PendingNotifications = %d, want 3", n)
	}
}

// TestNotificationsShareTheAlertTransaction proves the outbox row and the
// alert commit together: a row the database refuses (its subscription
// does not exist) fails the save, and no alert is left behind.
func TestNotificationsShareTheAlertTransaction(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	bad := func(ev domain.AlertEvent, subs []domain.Subscriber) []domain.Notification {
		return []domain.Notification{{
			SubscriptionID: 424242, UserID: subs[0].User.ID, Event: ev.Kind, AlertID: ev.Alert.ID, MarkID: ev.Alert.MarkID,
			IdempotencyKey: fmt.Sprintf("mw-%s-%d-s424242", ev.Kind, ev.Alert.ID), DueAt: ev.At,
		}}
	}
	db, _ := openRouted(t, clock, bad)
	o := ownerUser(t, db)
	mustSubscribe(t, db, o.ID)

	_, err := db.SaveListing(ctx, liugeListing("https://item.jd.com/1.html", "河北 石家庄"), []domain.Match{match(liugehetao, 0.9, true)})
	if err == nil {
		t.Fatal("SaveListing succeeded although its notification could not be stored")
	}
	_, err = db.SaveListings(ctx, []ListingMatches{{
		Listing: liugeListing("https://item.jd.com/2.html", "河北 石家庄"), Matches: []domain.Match{match(liugehetao, 0.9, true)},
	}})
	if err == nil {
		t.Fatal("SaveListings succeeded although its notification could not be stored")
	}
	for _, table := range []string{"alerts", "hits", "listings", "notifications", "index_outbox"} {
		if n := countRows(t, db, table); n != 0 {
			t.Errorf("%d rows in %s after the failed saves, want 0", n, table)
		}
	}

	// ReviewAlert's half of the proof is in TestReviewAlertIsOneTransaction.
}

func TestReviewAlertIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	failing := false
	r := &testRouter{}
	route := func(ev domain.AlertEvent, subs []domain.Subscriber) []domain.Notification {
		out := r.Route(ev, subs)
		if failing {
			for i := range out {
				out[i].SubscriptionID = 424242
			}
		}
		return out
	}
	db, _ := openRouted(t, clock, route)
	o := ownerUser(t, db)
	sub := mustSubscribe(t, db, o.ID, func(s *domain.Subscription) { s.Events = []string{domain.EventStatus} })
	a := mustSave(t, db, liugeListing("https://item.taobao.com/item.htm?id=77", "河北 石家庄"), match(liugehetao, 0.9, true)).NewAlerts[0]
	if rows, _ := db.ListNotifications(ctx, sub.ID, 0); len(rows) != 0 {
		t.Fatalf("a status-only subscription got %d alert rows", len(rows))
	}

	supervisor := domain.Actor{UserID: 7, Name: "石家庄市监局-张三", Role: domain.RoleSupervisor, Via: "session"}
	clock.Advance(time.Hour)
	got, err := db.ReviewAlert(ctx, a.ID, domain.Review{Status: domain.AlertConfirmed, Note: "已移交石家庄市市场监督管理局"}, supervisor)
	if err != nil || got.Status != domain.AlertConfirmed {
		t.Fatalf("ReviewAlert = %+v, %v", got, err)
	}
	entries, _, _ := db.ListAudit(ctx, domain.AuditFilter{Action: domain.AuditAlertReview})
	if len(entries) != 1 {
		t.Fatalf("%d review audit rows, want 1", len(entries))
	}
	e := entries[0]
	if e.Object != fmt.Sprintf("alert:%d", a.ID) || e.MarkID != liugehetao || string(e.Before) != `{"status":"open"}` ||
		string(e.After) != `{"status":"confirmed"}` || e.Note != "已移交石家庄市市场监督管理局" || e.Actor != supervisor {
		t.Errorf("audit row = %+v (before %s after %s)", e, e.Before, e.After)
	}
	ev := r.evs[len(r.evs)-1]
	if ev.Kind != domain.EventStatus || ev.AuditID != e.ID || ev.Review == nil || ev.Review.Status != domain.AlertConfirmed ||
		ev.Actor == nil || *ev.Actor != supervisor || ev.Platform != "taobao" || !ev.At.Equal(clock.Now()) || ev.Alert.Status != domain.AlertConfirmed {
		t.Errorf("status event = %+v", ev)
	}
	rows, _ := db.ListNotifications(ctx, sub.ID, 0)
	if len(rows) != 1 || rows[0].AuditID != e.ID || rows[0].Event != domain.EventStatus {
		t.Errorf("status rows = %+v", rows)
	}

	// A notification the database refuses rolls the review back.
	failing = true
	if _, err := db.ReviewAlert(ctx, a.ID, domain.Review{Status: domain.AlertDismissed}, supervisor); err == nil {
		t.Fatal("ReviewAlert succeeded although its notification could not be stored")
	}
	failing = false
	if back, _ := db.GetAlert(ctx, a.ID); back.Status != domain.AlertConfirmed {
		t.Errorf("status after the failed review = %s, want confirmed", back.Status)
	}
	if _, total, _ := db.ListAudit(ctx, domain.AuditFilter{Action: domain.AuditAlertReview}); total != 1 {
		t.Errorf("%d review audit rows after the failed review, want 1", total)
	}

	for _, tc := range []struct {
		name string
		rv   domain.Review
		id   int64
		code string
	}{
		{"bad status", domain.Review{Status: "closed"}, a.ID, domain.EINVALID},
		{"note too long", domain.Review{Status: domain.AlertOpen, Note: string(make([]rune, maxNoteRunes+1))}, a.ID, domain.EINVALID},
		{"note at the limit", domain.Review{Status: domain.AlertOpen, Note: stringOf('核', maxNoteRunes)}, a.ID, ""},
		{"missing alert", domain.Review{Status: domain.AlertOpen}, a.ID + 100, domain.ENOTFOUND},
	} {
		if _, err := db.ReviewAlert(ctx, tc.id, tc.rv, supervisor); domain.ErrorCode(err) != tc.code {
			t.Errorf("%s: ReviewAlert = %v, want code %q", tc.name, err, tc.code)
		}
	}

	// SetAlertStatus is a review by the system.
	if _, err := db.SetAlertStatus(ctx, a.ID, domain.AlertDismissed); err != nil {
		t.Fatal(err)
	}
	entries, _, _ = db.ListAudit(ctx, domain.AuditFilter{Action: domain.AuditAlertReview, Limit: 1})
	if entries[0].Actor != domain.SystemActor || string(entries[0].After) != `{"status":"dismissed"}` {
		t.Errorf("SetAlertStatus audit = %+v", entries[0])
	}
}

func stringOf(r rune, n int) string {
	rs := make([]rune, n)
	for i := range rs {
		rs[i] = r
	}
	return string(rs)
}

// TestIdempotencyKeyIsUnique: routing the same event twice stores one row.
func TestIdempotencyKeyIsUnique(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	// Keyed by alert, as if the review were replayed: the second review of
	// the same alert routes the same key.
	route := func(ev domain.AlertEvent, subs []domain.Subscriber) []domain.Notification {
		var out []domain.Notification
		for _, s := range subs {
			out = append(out, domain.Notification{
				SubscriptionID: s.Subscription.ID, UserID: s.User.ID, Event: ev.Kind, AlertID: ev.Alert.ID,
				AuditID: ev.AuditID, MarkID: ev.Alert.MarkID, DueAt: ev.At,
				IdempotencyKey: fmt.Sprintf("mw-%s-%d-s%d", ev.Kind, ev.Alert.ID, s.Subscription.ID),
			}, domain.Notification{ // the router repeating itself within one event
				SubscriptionID: s.Subscription.ID, UserID: s.User.ID, Event: ev.Kind, AlertID: ev.Alert.ID,
				AuditID: ev.AuditID, MarkID: ev.Alert.MarkID, DueAt: ev.At,
				IdempotencyKey: fmt.Sprintf("mw-%s-%d-s%d", ev.Kind, ev.Alert.ID, s.Subscription.ID),
			})
		}
		return out
	}
	db, _ := openRouted(t, clock, route)
	o := ownerUser(t, db)
	sub := mustSubscribe(t, db, o.ID)
	a := mustSave(t, db, liugeListing("https://item.taobao.com/item.htm?id=88", "河北 石家庄"), match(liugehetao, 0.9, true)).NewAlerts[0]
	for range 2 {
		if _, err := db.ReviewAlert(ctx, a.ID, domain.Review{Status: domain.AlertConfirmed}, adminActor); err != nil {
			t.Fatal(err)
		}
	}
	rows, _ := db.ListNotifications(ctx, sub.ID, 0)
	if len(rows) != 2 || rows[0].Event != domain.EventStatus || rows[1].Event != domain.EventAlert {
		t.Errorf("rows = %+v; want one alert row and one status row", rows)
	}
	if _, err := db.wr.Exec(`INSERT INTO notifications (user_id, event, alert_id, idempotency_key, due_at, next_attempt_at, created_at)
		VALUES (?, 'alert', ?, ?, 0, 0, 0)`, o.ID, a.ID, rows[0].IdempotencyKey); err == nil {
		t.Error("the schema accepted a duplicate idempotency key")
	}
}

// TestPendingNotificationsSurviveRestart: rows written with the alert are
// there after the process goes away, still pending, still due.
func TestPendingNotificationsSurviveRestart(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	r := &testRouter{}
	db, path := openRouted(t, clock, r.Route)
	o := ownerUser(t, db)
	sub := mustSubscribe(t, db, o.ID)
	mustSave(t, db, liugeListing("https://item.taobao.com/item.htm?id=99", "山东 临沂"), match(liugehetao, 0.9, true))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := OpenURL(ctx, path, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	due, err := again.DueNotifications(ctx, clock.Now(), 10)
	if err != nil || len(due) != 1 || due[0].State != domain.NotifyPending || due[0].SubscriptionID != sub.ID {
		t.Errorf("after reopening: %+v, %v; want the one pending row", due, err)
	}
}

func TestNotificationDelivery(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openTest(t, clock)
	o := ownerUser(t, db)
	sub := mustSubscribe(t, db, o.ID)
	digest := mustSubscribe(t, db, o.ID, func(s *domain.Subscription) { s.Mode, s.DigestTime = domain.DeliverDaily, "09:00" })
	var alerts []int64
	for i := range 4 {
		alerts = append(alerts, mustSave(t, db, liugeListing(fmt.Sprintf("https://item.taobao.com/item.htm?id=%d", 500+i), "河北 石家庄"),
			match(liugehetao, 0.9, true)).NewAlerts[0].ID)
	}
	now := clock.Now()
	put := func(subID, alertID int64, due time.Time) {
		t.Helper()
		err := db.inTx(ctx, "test", func(tx *sql.Tx) error {
			return insertNotification(ctx, tx, domain.Notification{
				SubscriptionID: subID, UserID: o.ID, Event: domain.EventAlert, AlertID: alertID, MarkID: liugehetao,
				IdempotencyKey: fmt.Sprintf("mw-alert-%d-s%d", alertID, subID), DueAt: due,
			}, now)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	put(sub.ID, alerts[1], now.Add(-time.Minute))
	put(sub.ID, alerts[0], now.Add(-2*time.Minute))
	put(digest.ID, alerts[2], now.Add(time.Hour)) // tomorrow's digest
	put(sub.ID, alerts[3], now)

	due, err := db.DueNotifications(ctx, now, 10)
	if err != nil || len(due) != 3 || due[0].AlertID != alerts[0] || due[1].AlertID != alerts[1] || due[2].AlertID != alerts[3] {
		t.Fatalf("DueNotifications = %+v, %v; want three, by due_at", due, err)
	}
	if got, _ := db.DueNotifications(ctx, now, 1); len(got) != 1 || got[0].ID != due[0].ID {
		t.Errorf("limit 1 = %+v", got)
	}

	// Sent: both rows in one call, with the message key.
	sentAt := now.Add(time.Second)
	if err := db.MarkNotificationsSent(ctx, []int64{due[0].ID, due[1].ID}, "mw-alert-x", sentAt); err != nil {
		t.Fatal(err)
	}
	// Retry: not due until next.
	next := now.Add(5 * time.Minute)
	if err := db.RetryNotifications(ctx, []int64{due[2].ID}, next, "dial tcp: connection refused"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.DueNotifications(ctx, now.Add(time.Minute), 10); len(got) != 0 {
		t.Errorf("due before the retry time: %+v", got)
	}
	got, _ := db.DueNotifications(ctx, next, 10)
	if len(got) != 1 || got[0].Attempts != 1 || got[0].LastError != "dial tcp: connection refused" || !got[0].NextAttemptAt.Equal(next) {
		t.Errorf("after retry: %+v", got)
	}
	if err := db.FailNotifications(ctx, []int64{due[2].ID}, "410 Gone"); err != nil {
		t.Fatal(err)
	}
	hist, err := db.ListNotifications(ctx, sub.ID, 10)
	if err != nil || len(hist) != 3 {
		t.Fatalf("ListNotifications = %+v, %v", hist, err)
	}
	states := map[int64]domain.Notification{}
	for _, n := range hist {
		states[n.ID] = n
	}
	if n := states[due[0].ID]; n.State != domain.NotifySent || n.MessageKey != "mw-alert-x" || n.SentAt == nil || !n.SentAt.Equal(sentAt) {
		t.Errorf("sent row = %+v", n)
	}
	if n := states[due[2].ID]; n.State != domain.NotifyFailed || n.LastError != "410 Gone" {
		t.Errorf("failed row = %+v", n)
	}
	// A second acknowledgement does not rewrite the first.
	if err := db.MarkNotificationsSent(ctx, []int64{due[0].ID}, "other", sentAt.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if hist, _ := db.ListNotifications(ctx, sub.ID, 10); hist[len(hist)-1].MessageKey != "mw-alert-x" {
		t.Errorf("re-marking rewrote the message key: %+v", hist[len(hist)-1])
	}
	for _, f := range []func() error{
		func() error { return db.MarkNotificationsSent(ctx, nil, "k", now) },
		func() error { return db.RetryNotifications(ctx, nil, now, "") },
		func() error { return db.FailNotifications(ctx, nil, "") },
	} {
		if err := f(); err != nil {
			t.Errorf("empty id list: %v", err)
		}
	}
	if n, _ := db.PendingNotifications(ctx); n != 1 {
		t.Errorf("PendingNotifications = %d, want 1 (the digest row)", n)
	}

	// Disabling and deleting cancel what is pending; history stays.
	if err := db.SetSubscriptionDisabled(ctx, digest.ID, true, "unsubscribed"); err != nil {
		t.Fatal(err)
	}
	if hist, _ := db.ListNotifications(ctx, digest.ID, 10); len(hist) != 1 || hist[0].State != domain.NotifyCancelled {
		t.Errorf("digest rows after disabling: %+v", hist)
	}
	put(sub.ID, alerts[2], now)
	if err := db.DeleteSubscription(ctx, sub.ID, adminActor); err != nil {
		t.Fatal(err)
	}
	var pending, kept int
	_ = db.sql.QueryRow("SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FROM notifications").Scan(&pending, &kept)
	if pending != 0 || kept != 5 {
		t.Errorf("after delete: %d pending of %d rows; want 0 pending, history of 5 kept", pending, kept)
	}
	if _, err := db.DueNotifications(ctx, now, -1); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("DueNotifications(limit -1) = %v", err)
	}
}

// A router that panics fails the save instead of leaving the writer's
// transaction open: the next write still goes through.
func TestRouterPanicDoesNotWedgeTheWriter(t *testing.T) {
	ctx := context.Background()
	db, _ := openRouted(t, newClock(), func(domain.AlertEvent, []domain.Subscriber) []domain.Notification { panic("boom") })
	mustSubscribe(t, db, ownerUser(t, db).ID)
	_, err := db.SaveListing(ctx, liugeListing("https://item.jd.com/9.html", "河北 石家庄"), []domain.Match{match(liugehetao, 0.9, true)})
	if domain.ErrorCode(err) != domain.EINTERNAL {
		t.Fatalf("SaveListing with a panicking router = %v, want EINTERNAL", err)
	}
	if n := countRows(t, db, "alerts"); n != 0 {
		t.Errorf("%d alerts stored", n)
	}
	if _, err := db.CreateUser(ctx, domain.User{Name: "after", Role: domain.RoleAdmin}, "", adminActor); err != nil {
		t.Errorf("write after the panic: %v", err)
	}
}

// Disabling through UpdateSubscription cancels pending rows too.
func TestUpdateSubscriptionDisableCancels(t *testing.T) {
	ctx := context.Background()
	r := &testRouter{}
	db, _ := openRouted(t, newClock(), r.Route)
	sub := mustSubscribe(t, db, ownerUser(t, db).ID)
	mustSave(t, db, liugeListing("https://item.jd.com/10.html", "河北 石家庄"), match(liugehetao, 0.9, true))
	sub.Disabled = true
	if _, err := db.UpdateSubscription(ctx, sub, adminActor); err != nil {
		t.Fatal(err)
	}
	rows, _ := db.ListNotifications(ctx, sub.ID, 0)
	if len(rows) != 1 || rows[0].State != domain.NotifyCancelled {
		t.Errorf("rows after disabling = %+v, want one cancelled", rows)
	}
	// Disabled subscriptions are not offered to the router.
	mustSave(t, db, liugeListing("https://item.jd.com/11.html", "河北 石家庄"), match(liugehetao, 0.9, true))
	if r.calls != 1 {
		t.Errorf("router called %d times with no enabled subscriber, want 1", r.calls)
	}
}
