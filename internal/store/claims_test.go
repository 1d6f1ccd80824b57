package store

import (
	"context"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestSellerClaims(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openTest(t, clock)
	owner := domain.Actor{UserID: 2, Name: "yangyuan", Role: domain.RoleOwner, Via: "session"}
	supervisor := domain.Actor{UserID: 3, Name: "石家庄市监局-张三", Role: domain.RoleSupervisor, Via: "session"}

	c1, err := db.CreateSellerClaim(ctx, domain.SellerClaim{MarkID: liugehetao, Seller: " 养元官方旗舰店 ", Note: "授权书编号 YY-2026-001", ClaimedBy: owner})
	if err != nil || c1.ID == 0 || c1.Status != domain.ClaimPending || c1.Seller != "养元官方旗舰店" || c1.ClaimedBy != owner {
		t.Fatalf("CreateSellerClaim = %+v, %v", c1, err)
	}
	c2, err := db.CreateSellerClaim(ctx, domain.SellerClaim{MarkID: liugehetao, Seller: fakeShop, ClaimedBy: owner})
	if err != nil {
		t.Fatal(err)
	}
	c3, err := db.CreateSellerClaim(ctx, domain.SellerClaim{MarkID: linchengGI, Seller: "临城县核桃合作社", ClaimedBy: owner})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		c    domain.SellerClaim
		code string
	}{
		{"pending twice", domain.SellerClaim{MarkID: liugehetao, Seller: fakeShop, ClaimedBy: owner}, domain.ECONFLICT},
		{"same seller other mark", domain.SellerClaim{MarkID: linchengGI, Seller: fakeShop, ClaimedBy: owner}, ""},
		{"no mark", domain.SellerClaim{Seller: fakeShop}, domain.EINVALID},
		{"no seller", domain.SellerClaim{MarkID: liugehetao, Seller: "  "}, domain.EINVALID},
		{"long note", domain.SellerClaim{MarkID: liugehetao, Seller: "x", Note: strings.Repeat("注", maxNoteRunes+1)}, domain.EINVALID},
	} {
		if _, err := db.CreateSellerClaim(ctx, tc.c); domain.ErrorCode(err) != tc.code {
			t.Errorf("%s: CreateSellerClaim = %v, want code %q", tc.name, err, tc.code)
		}
	}

	d, err := db.DecideSellerClaim(ctx, c1.ID, true, supervisor)
	if err != nil || d.Status != domain.ClaimAccepted || d.DecidedBy == nil || *d.DecidedBy != supervisor || d.DecidedAt == nil {
		t.Fatalf("DecideSellerClaim(accept) = %+v, %v", d, err)
	}
	if _, err := db.DecideSellerClaim(ctx, c1.ID, false, supervisor); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("deciding twice = %v, want ECONFLICT", err)
	}
	if _, err := db.DecideSellerClaim(ctx, 999, true, supervisor); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("DecideSellerClaim(missing) = %v, want ENOTFOUND", err)
	}
	if _, err := db.DecideSellerClaim(ctx, c2.ID, false, supervisor); err != nil {
		t.Fatal(err)
	}
	// Accepted: claiming again is pointless; rejected: it may be claimed again.
	if _, err := db.CreateSellerClaim(ctx, domain.SellerClaim{MarkID: liugehetao, Seller: "养元官方旗舰店", ClaimedBy: owner}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("claiming an accepted seller = %v, want ECONFLICT", err)
	}
	if _, err := db.CreateSellerClaim(ctx, domain.SellerClaim{MarkID: liugehetao, Seller: fakeShop, Note: "补充授权书", ClaimedBy: owner}); err != nil {
		t.Errorf("claiming a rejected seller again = %v", err)
	}
	if _, err := db.DecideSellerClaim(ctx, c3.ID, true, supervisor); err != nil {
		t.Fatal(err)
	}

	got, err := db.AcceptedSellers(ctx)
	if err != nil || len(got) != 2 || strings.Join(got[liugehetao], ",") != "养元官方旗舰店" || strings.Join(got[linchengGI], ",") != "临城县核桃合作社" {
		t.Errorf("AcceptedSellers = %v, %v", got, err)
	}

	own := domain.Scope{Restricted: true, MarkIDs: []string{liugehetao}}
	for _, tc := range []struct {
		name   string
		scope  domain.Scope
		status domain.SellerClaimStatus
		want   int
	}{
		{"all", domain.Unrestricted, "", 5},
		{"pending", domain.Unrestricted, domain.ClaimPending, 2},
		{"owner's", own, "", 3},
		{"owner's accepted", own, domain.ClaimAccepted, 1},
		{"no marks", domain.Scope{Restricted: true}, "", 0},
	} {
		claims, err := db.ListSellerClaims(ctx, tc.scope, tc.status)
		if err != nil || len(claims) != tc.want {
			t.Errorf("%s: ListSellerClaims = %d claims, %v; want %d", tc.name, len(claims), err, tc.want)
		}
		for i, c := range claims {
			if !tc.scope.AllowsMark(c.MarkID) {
				t.Errorf("%s: claim on %s is outside the scope", tc.name, c.MarkID)
			}
			if i > 0 && c.ID > claims[i-1].ID {
				t.Errorf("%s: not newest first", tc.name)
			}
		}
	}
	if _, err := db.ListSellerClaims(ctx, domain.Unrestricted, "maybe"); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("ListSellerClaims(bad status) = %v", err)
	}
	entries, _, _ := db.ListAudit(ctx, domain.AuditFilter{Scope: own, Action: "seller."})
	if len(entries) != 5 { // 3 claims and 2 decisions on liugehetao
		t.Errorf("owner's seller audit = %d entries, want 5", len(entries))
	}
}
