package store

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestTokens(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openTest(t, clock)
	a := mustUser(t, db, domain.User{Name: admin, Role: domain.RoleAdmin})
	o := ownerUser(t, db)
	exp := clock.Now().Add(90 * 24 * time.Hour)
	t1, err := db.CreateToken(ctx, domain.APIToken{UserID: o.ID, Name: " 导出 ", Hash: "sha-owner", Prefix: "mwt_0a1b", ExpiresAt: &exp}, adminActor)
	if err != nil || t1.ID == 0 || t1.UserName != "yangyuan" || t1.Name != "导出" {
		t.Fatalf("CreateToken = %+v, %v", t1, err)
	}
	clock.Advance(time.Second)
	t2, err := db.CreateToken(ctx, domain.APIToken{UserID: a.ID, Name: "ci", Hash: "sha-admin", Prefix: "mwt_ffee"}, adminActor)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		tok  domain.APIToken
		code string
	}{
		{"same hash", domain.APIToken{UserID: a.ID, Name: "dup", Hash: "sha-owner"}, domain.ECONFLICT},
		{"no hash", domain.APIToken{UserID: a.ID, Name: "x"}, domain.EINVALID},
		{"no name", domain.APIToken{UserID: a.ID, Name: "  ", Hash: "sha-3"}, domain.EINVALID},
		{"unknown user", domain.APIToken{UserID: 999, Name: "x", Hash: "sha-4"}, domain.ENOTFOUND},
	} {
		if _, err := db.CreateToken(ctx, tc.tok, adminActor); domain.ErrorCode(err) != tc.code {
			t.Errorf("%s: CreateToken = %v, want %s", tc.name, err, tc.code)
		}
	}

	got, err := db.GetTokenByHash(ctx, "sha-owner")
	if err != nil || got.ID != t1.ID || got.UserName != "yangyuan" || got.ExpiresAt == nil || !got.ExpiresAt.Equal(exp) {
		t.Errorf("GetTokenByHash = %+v, %v", got, err)
	}
	if _, err := db.GetTokenByHash(ctx, "sha-unknown"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("GetTokenByHash(unknown) = %v, want ENOTFOUND", err)
	}
	used := clock.Now().Add(time.Minute)
	if err := db.TouchToken(ctx, t1.ID, used); err != nil {
		t.Fatal(err)
	}
	if err := db.TouchToken(ctx, t1.ID, used.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.GetTokenByHash(ctx, "sha-owner"); got.LastUsedAt == nil || !got.LastUsedAt.Equal(used) {
		t.Errorf("LastUsedAt = %v, want %v (never back)", got.LastUsedAt, used)
	}
	if err := db.TouchToken(ctx, 999, used); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("TouchToken(unknown) = %v, want ENOTFOUND", err)
	}

	// Revoked tokens are still found, so access can refuse them knowingly.
	clock.Advance(time.Hour)
	r, err := db.RevokeToken(ctx, t1.ID, adminActor)
	if err != nil || r.RevokedAt == nil || !r.RevokedAt.Equal(clock.Now()) {
		t.Fatalf("RevokeToken = %+v, %v", r, err)
	}
	clock.Advance(time.Hour)
	if again, err := db.RevokeToken(ctx, t1.ID, adminActor); err != nil || !again.RevokedAt.Equal(*r.RevokedAt) {
		t.Errorf("revoking again = %+v, %v; want the first revocation kept", again, err)
	}
	if got, err := db.GetTokenByHash(ctx, "sha-owner"); err != nil || got.RevokedAt == nil {
		t.Errorf("revoked token read = %+v, %v; want it returned with RevokedAt", got, err)
	}
	if _, err := db.RevokeToken(ctx, 999, adminActor); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("RevokeToken(unknown) = %v, want ENOTFOUND", err)
	}

	all, err := db.ListTokens(ctx, 0)
	if err != nil || len(all) != 2 || all[0].ID != t2.ID || all[0].UserName != admin || all[1].UserName != "yangyuan" {
		t.Errorf("ListTokens(0) = %+v, %v", all, err)
	}
	mine, err := db.ListTokens(ctx, o.ID)
	if err != nil || len(mine) != 1 || mine[0].ID != t1.ID || mine[0].Hash != "" {
		t.Errorf("ListTokens(owner) = %+v, %v", mine, err)
	}
	if b, _ := json.Marshal(all); strings.Contains(string(b), "sha-") {
		t.Errorf("token list leaks hashes: %s", b)
	}
	entries, _, _ := db.ListAudit(ctx, domain.AuditFilter{Action: "token."})
	if len(entries) != 3 || entries[0].Action != domain.AuditTokenRevoke {
		t.Errorf("token audit = %+v; want revoke (once) and two creates", entries)
	}
}
