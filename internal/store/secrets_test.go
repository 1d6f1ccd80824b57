package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestAuditNeverHoldsCredentials runs every audited action with
// recognisable credentials and then scans every audit row, column by
// column, for any of them.
func TestAuditNeverHoldsCredentials(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openTest(t, clock)
	const (
		tokenHash  = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
		secret     = "whsec-河北-7d2f0c1e"
		newSecret  = "whsec-rotated-44aa19"
		robotToken = "a1b2c3d4e5f6robottoken"
	)
	o := ownerUser(t, db) // user.add with argonHash
	if _, err := db.SetUserDisabled(ctx, o.Name, true, adminActor); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetUserDisabled(ctx, o.Name, false, adminActor); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPasswordHash(ctx, o.ID, argonHashNext, false, adminActor); err != nil {
		t.Fatal(err)
	}
	tok, err := db.CreateToken(ctx, domain.APIToken{UserID: o.ID, Name: "export", Hash: tokenHash, Prefix: "mwt_9f86"}, adminActor)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RevokeToken(ctx, tok.ID, adminActor); err != nil {
		t.Fatal(err)
	}
	s := mustSubscribe(t, db, o.ID, func(s *domain.Subscription) {
		s.Channel, s.Secret = domain.ChannelDingTalk, secret
		s.Target = "https://oapi.dingtalk.com/robot/send?access_token=" + robotToken
	})
	s.Secret, s.Name = newSecret, "改名"
	if _, err := db.UpdateSubscription(ctx, s, adminActor); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSubscription(ctx, s.ID, adminActor); err != nil {
		t.Fatal(err)
	}
	c, err := db.CreateSellerClaim(ctx, domain.SellerClaim{MarkID: liugehetao, Seller: fakeShop, ClaimedBy: adminActor})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.DecideSellerClaim(ctx, c.ID, true, adminActor); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	a := mustSave(t, db, liugeListing("https://item.taobao.com/item.htm?id=1", "河北 石家庄"), match(liugehetao, 0.9, true)).NewAlerts[0]
	if _, err := db.ReviewAlert(ctx, a.ID, domain.Review{Status: domain.AlertConfirmed, Note: "ok"}, adminActor); err != nil {
		t.Fatal(err)
	}

	rows, err := db.sql.Query("SELECT action, object, mark_id, before, after, note, actor_name FROM audit_log")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var action string
		cols := make([]string, 6)
		if err := rows.Scan(&action, &cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5]); err != nil {
			t.Fatal(err)
		}
		seen[action] = true
		for _, v := range cols {
			for _, cred := range []string{argonHash, argonHashNext, "argon2id", tokenHash, secret, newSecret, robotToken} {
				if strings.Contains(v, cred) {
					t.Errorf("audit row %s holds credential %q: %s", action, cred, v)
				}
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{
		domain.AuditUserAdd, domain.AuditUserDisable, domain.AuditUserEnable, domain.AuditUserPassword,
		domain.AuditTokenCreate, domain.AuditTokenRevoke, domain.AuditSubscriptionCreate, domain.AuditSubscriptionUpdate,
		domain.AuditSubscriptionDelete, domain.AuditSellerClaim, domain.AuditSellerDecide, domain.AuditAlertReview,
	} {
		if !seen[action] {
			t.Errorf("the scenario wrote no %s row", action)
		}
	}
}
