package store

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestSubscriptionValidation(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	o := ownerUser(t, db)
	base := domain.Subscription{
		UserID: o.ID, Name: "六个核桃日报", MarkIDs: []string{liugehetao}, Channel: domain.ChannelDingTalk,
		Target: "https://oapi.dingtalk.com/robot/send?access_token=abc", Mode: domain.DeliverDaily, DigestTime: "09:30",
	}
	tests := []struct {
		name string
		mod  func(*domain.Subscription)
		code string
		says string
	}{
		{"daily ok", func(*domain.Subscription) {}, "", ""},
		{"weekly saturday", func(s *domain.Subscription) { s.Mode, s.DigestWeekday = domain.DeliverWeekly, 6 }, "", ""},
		{"immediate without time", func(s *domain.Subscription) { s.Mode, s.DigestTime = domain.DeliverImmediate, "" }, "", ""},
		{"midnight", func(s *domain.Subscription) { s.DigestTime = "00:00" }, "", ""},
		{"last minute", func(s *domain.Subscription) { s.DigestTime = "23:59" }, "", ""},
		{"all filters", func(s *domain.Subscription) {
			s.Kinds, s.Tactics, s.Platforms, s.Events, s.MinScore = []domain.MarkKind{domain.KindTrademark}, []string{"homoglyph"},
				[]string{"taobao", "pdd"}, []string{domain.EventAlert}, 0.8
		}, "", ""},
		{"24:00", func(s *domain.Subscription) { s.DigestTime = "24:00" }, domain.EINVALID, "HH:MM"},
		{"9:30", func(s *domain.Subscription) { s.DigestTime = "9:30" }, domain.EINVALID, "HH:MM"},
		{"12:60", func(s *domain.Subscription) { s.DigestTime = "12:60" }, domain.EINVALID, "HH:MM"},
		{"daily without time", func(s *domain.Subscription) { s.DigestTime = "" }, domain.EINVALID, "digest_time"},
		{"weekday 7", func(s *domain.Subscription) { s.Mode, s.DigestWeekday = domain.DeliverWeekly, 7 }, domain.EINVALID, "0 (Sunday) to 6"},
		{"weekday -1", func(s *domain.Subscription) { s.DigestWeekday = -1 }, domain.EINVALID, "digest_weekday"},
		{"min score above 1", func(s *domain.Subscription) { s.MinScore = 1.5 }, domain.EINVALID, "min_score"},
		{"min score negative", func(s *domain.Subscription) { s.MinScore = -0.1 }, domain.EINVALID, "min_score"},
		{"min score NaN", func(s *domain.Subscription) { s.MinScore = math.NaN() }, domain.EINVALID, "min_score"},
		{"channel", func(s *domain.Subscription) { s.Channel = "sms" }, domain.EINVALID, "channel"},
		{"mode", func(s *domain.Subscription) { s.Mode = "hourly" }, domain.EINVALID, "mode"},
		{"no target", func(s *domain.Subscription) { s.Target = " " }, domain.EINVALID, "target"},
		{"kind", func(s *domain.Subscription) { s.Kinds = []domain.MarkKind{"patent"} }, domain.EINVALID, "kind"},
		{"event", func(s *domain.Subscription) { s.Events = []string{"deleted"} }, domain.EINVALID, "event"},
		{"unknown user", func(s *domain.Subscription) { s.UserID = 999 }, domain.ENOTFOUND, "user 999"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := base
			tc.mod(&s)
			got, err := db.CreateSubscription(ctx, s, adminActor)
			if domain.ErrorCode(err) != tc.code {
				t.Fatalf("CreateSubscription = %v, want code %q", err, tc.code)
			}
			if err != nil {
				if !strings.Contains(domain.ErrorMessage(err), tc.says) {
					t.Errorf("message %q should say %q", domain.ErrorMessage(err), tc.says)
				}
				return
			}
			back, err := db.GetSubscription(ctx, got.ID)
			if err != nil {
				t.Fatal(err)
			}
			if back.Secret != got.Secret || back.Mode != got.Mode || back.DigestTime != got.DigestTime ||
				strings.Join(back.Platforms, ",") != strings.Join(s.Platforms, ",") || back.MinScore != s.MinScore ||
				len(back.Kinds) != len(s.Kinds) || strings.Join(back.Events, ",") != strings.Join(s.Events, ",") {
				t.Errorf("read back %+v, want %+v", back, got)
			}
		})
	}
	// The schema holds the bounds even for a writer that skips validation.
	if _, err := db.wr.Exec(`INSERT INTO subscriptions (user_id, channel, target, mode, digest_weekday, created_at, updated_at)
		VALUES (?, 'email', 'a@b', 'immediate', 9, 0, 0)`, o.ID); err == nil {
		t.Error("the schema accepted digest_weekday 9")
	}
}

func TestSubscriptionLifecycle(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openTest(t, clock)
	o := ownerUser(t, db)
	other := mustUser(t, db, domain.User{Name: "zhangsan", Role: domain.RoleSupervisor, Jurisdiction: "河北"})
	s1 := mustSubscribe(t, db, o.ID)
	clock.Advance(time.Minute)
	s2 := mustSubscribe(t, db, o.ID, func(s *domain.Subscription) { s.Name = "second" })
	s3 := mustSubscribe(t, db, other.ID)

	mine, err := db.ListSubscriptions(ctx, o.ID)
	if err != nil || len(mine) != 2 || mine[0].ID != s2.ID || mine[1].ID != s1.ID {
		t.Fatalf("ListSubscriptions(owner) = %+v, %v; want newest first", mine, err)
	}
	for _, s := range mine {
		if s.Secret != "" {
			t.Errorf("ListSubscriptions returned the secret of %d", s.ID)
		}
	}
	if all, _ := db.ListSubscriptions(ctx, 0); len(all) != 3 || all[0].ID != s3.ID {
		t.Errorf("ListSubscriptions(0) = %+v", all)
	}

	// An update with no secret keeps the stored one, and the owner cannot
	// be moved by the caller.
	clock.Advance(time.Minute)
	upd := s1
	upd.Secret, upd.UserID, upd.Mode, upd.DigestTime, upd.DigestWeekday = "", other.ID, domain.DeliverWeekly, "08:00", 1
	got, err := db.UpdateSubscription(ctx, upd, adminActor)
	if err != nil || got.Secret != "whsec-s3cr3t" || got.UserID != o.ID || !got.CreatedAt.Equal(s1.CreatedAt) || !got.UpdatedAt.Equal(clock.Now()) {
		t.Fatalf("UpdateSubscription = %+v, %v", got, err)
	}
	upd.Secret = "whsec-new"
	if got, err := db.UpdateSubscription(ctx, upd, adminActor); err != nil || got.Secret != "whsec-new" {
		t.Errorf("UpdateSubscription with a secret = %+v, %v", got, err)
	}
	if back, _ := db.GetSubscription(ctx, s1.ID); back.Secret != "whsec-new" || back.Mode != domain.DeliverWeekly {
		t.Errorf("after update: %+v", back)
	}
	missing := upd
	missing.ID = 999
	if _, err := db.UpdateSubscription(ctx, missing, adminActor); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("UpdateSubscription(missing) = %v, want ENOTFOUND", err)
	}
	bad := upd
	bad.DigestTime = "25:00"
	if _, err := db.UpdateSubscription(ctx, bad, adminActor); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("UpdateSubscription(bad time) = %v, want EINVALID", err)
	}

	// Failing since: the earliest time is kept; nil clears.
	first := clock.Now()
	if err := db.SetSubscriptionFailing(ctx, s2.ID, &first); err != nil {
		t.Fatal(err)
	}
	later := first.Add(time.Hour)
	if err := db.SetSubscriptionFailing(ctx, s2.ID, &later); err != nil {
		t.Fatal(err)
	}
	if back, _ := db.GetSubscription(ctx, s2.ID); back.FailingSince == nil || !back.FailingSince.Equal(first) {
		t.Errorf("FailingSince = %v, want %v", back.FailingSince, first)
	}
	if err := db.SetSubscriptionFailing(ctx, s2.ID, nil); err != nil {
		t.Fatal(err)
	}
	if back, _ := db.GetSubscription(ctx, s2.ID); back.FailingSince != nil {
		t.Errorf("FailingSince = %v after clearing", back.FailingSince)
	}
	if err := db.SetSubscriptionFailing(ctx, 999, nil); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("SetSubscriptionFailing(missing) = %v", err)
	}

	if err := db.SetSubscriptionDisabled(ctx, s2.ID, true, "receiver failing for 72h"); err != nil {
		t.Fatal(err)
	}
	if back, _ := db.GetSubscription(ctx, s2.ID); !back.Disabled || back.DisabledReason != "receiver failing for 72h" {
		t.Errorf("after disabling: %+v", back)
	}
	if err := db.SetSubscriptionDisabled(ctx, s2.ID, false, "ignored"); err != nil {
		t.Fatal(err)
	}
	if back, _ := db.GetSubscription(ctx, s2.ID); back.Disabled || back.DisabledReason != "" {
		t.Errorf("after enabling: %+v", back)
	}
	if err := db.SetSubscriptionDisabled(ctx, 999, true, ""); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("SetSubscriptionDisabled(missing) = %v", err)
	}

	if err := db.DeleteSubscription(ctx, s1.ID, adminActor); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GetSubscription(ctx, s1.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("GetSubscription after delete = %v", err)
	}
	if err := db.DeleteSubscription(ctx, s1.ID, adminActor); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("deleting twice = %v, want ENOTFOUND", err)
	}
	entries, _, _ := db.ListAudit(ctx, domain.AuditFilter{Action: "subscription.", Object: "subscription:" + itoa(s1.ID)})
	if len(entries) != 4 || entries[0].Action != domain.AuditSubscriptionDelete || entries[3].Action != domain.AuditSubscriptionCreate {
		t.Errorf("subscription audit = %+v", entries)
	}
}
