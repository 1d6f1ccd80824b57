package index

import (
	"fmt"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestTokenCacheIsBoundedAndExpires: a full cache drops stale tokens first,
// then the one expiring soonest; a token near expiry or of a forgotten key is
// not handed out.
func TestTokenCacheIsBoundedAndExpires(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	ts := newTenantState()
	ts.tokens.max = 3
	ts.key = searchKey{uid: "k1", key: "secret"}
	tok := func(name string, exp time.Time) tenantToken {
		return tenantToken{token: name, keyUID: "k1", expires: exp}
	}
	ts.store("a", tok("a", now.Add(tenantTokenTTL)), now)
	ts.store("b", tok("b", now.Add(30*time.Second)), now) // within the refresh margin: stale
	ts.store("c", tok("c", now.Add(2*tenantTokenTTL)), now)
	if _, ok := ts.cached("b", now); ok {
		t.Error("a token within the refresh margin was handed out")
	}
	ts.store("d", tok("d", now.Add(tenantTokenTTL)), now)
	if len(ts.tokens.m) != 3 {
		t.Fatalf("cache holds %d tokens, want at most 3", len(ts.tokens.m))
	}
	if _, ok := ts.tokens.m["b"]; ok {
		t.Error("the stale token survived an overflow")
	}
	ts.store("e", tok("e", now.Add(3*tenantTokenTTL)), now)
	if len(ts.tokens.m) != 3 {
		t.Fatalf("cache holds %d tokens, want at most 3", len(ts.tokens.m))
	}
	for _, k := range []string{"c", "e"} {
		if _, ok := ts.cached(k, now); !ok {
			t.Errorf("token %s, the latest to expire, was evicted", k)
		}
	}
	if _, ok := ts.cached("c", now.Add(2*tenantTokenTTL-tenantTokenRefresh)); ok {
		t.Error("a token was reused at the start of its refresh margin")
	}
	ts.key = searchKey{uid: "k2", key: "other"}
	if _, ok := ts.cached("e", now); ok {
		t.Error("a token signed by a forgotten key was handed out")
	}
}

func TestScopeKeyIgnoresOrderAndSpacing(t *testing.T) {
	same := []domain.Scope{
		{Restricted: true, MarkIDs: []string{"b", "a"}, Jurisdiction: "河北 石家庄"},
		{Restricted: true, MarkIDs: []string{"a", "b", "a"}, Jurisdiction: " 河北\t石家庄 "},
	}
	if scopeKey(same[0]) != scopeKey(same[1]) {
		t.Errorf("scopeKey(%+v) != scopeKey(%+v)", same[0], same[1])
	}
	differ := []domain.Scope{
		{Restricted: true, MarkIDs: []string{"a,b"}},
		{Restricted: true, MarkIDs: []string{"a", "b"}},
		{Restricted: true, MarkIDs: []string{`a","b`}},
		{Jurisdiction: "河北"},
		{Restricted: true, Jurisdiction: "河北"},
	}
	seen := map[string]string{}
	for _, s := range differ {
		k := scopeKey(s)
		if prev, ok := seen[k]; ok {
			t.Errorf("scopes %s and %+v share cache key %s", prev, s, k)
		}
		seen[k] = fmt.Sprintf("%+v", s)
	}
}
