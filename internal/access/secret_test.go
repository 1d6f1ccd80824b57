package access

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestNewSecret(t *testing.T) {
	s, h, shown, err := NewSecret(TokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(s))
	if len(s) != len(TokenPrefix)+43 || !wellFormedSecret(s, TokenPrefix) || h != hex.EncodeToString(sum[:]) || h != HashSecret(s) {
		t.Fatalf("secret %q hash %q", s, h)
	}
	if shown != s[:8] || wellFormedSecret(s, SessionPrefix) {
		t.Fatalf("shown %q", shown)
	}
	s2, _, _, _ := NewSecret(TokenPrefix)
	if s2 == s {
		t.Fatal("repeated secret")
	}
}

func TestScopeFor(t *testing.T) {
	marks := map[string][]string{"甲公司": {"m1", "m2"}}
	for _, c := range []struct {
		u    domain.User
		want domain.Scope
	}{
		{domain.User{Role: domain.RoleAdmin, Owner: "甲公司"}, domain.Unrestricted},
		{domain.User{Role: domain.RoleOperator}, domain.Unrestricted},
		{domain.User{Role: domain.RoleSupervisor, Jurisdiction: "河北 石家庄"}, domain.Scope{Jurisdiction: "河北 石家庄"}},
		{domain.User{Role: domain.RoleSupervisor}, domain.Scope{}},
		{domain.User{Role: domain.RoleOwner, Owner: "甲公司"}, domain.Scope{Restricted: true, MarkIDs: []string{"m1", "m2"}}},
		{domain.User{Role: domain.RoleOwner, Owner: "甲公"}, domain.Scope{Restricted: true}},
		{domain.User{Role: domain.RoleOwner}, domain.Scope{Restricted: true}},
		{domain.User{Role: "root"}, domain.Scope{Restricted: true}},
	} {
		got := ScopeFor(c.u, marks)
		if got.Restricted != c.want.Restricted || got.Jurisdiction != c.want.Jurisdiction || len(got.MarkIDs) != len(c.want.MarkIDs) {
			t.Errorf("%+v: %+v, want %+v", c.u, got, c.want)
		}
		if got.Restricted && c.u.Role == domain.RoleOwner && c.u.Owner != "甲公司" && got.AllowsMark("m1") {
			t.Errorf("%+v sees m1", c.u)
		}
	}
	// The scope is a copy: changing it leaves the table alone.
	s := ScopeFor(domain.User{Role: domain.RoleOwner, Owner: "甲公司"}, marks)
	s.MarkIDs[0] = "m9"
	if marks["甲公司"][0] != "m1" {
		t.Fatal("scope aliases the owner table")
	}
}
