package httpapi

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// seedTokens gives owners A and B one token each and returns their ids.
func seedTokens(t *testing.T, h *harness) (a, b domain.APIToken) {
	t.Helper()
	for _, tok := range []string{tokOwnerA, tokOwnerB} {
		code, raw := h.do(t, tok, "POST", "/api/v1/tokens", `{"name":"ci-衡水","expires":"90d"}`)
		if code != 201 {
			t.Fatalf("creating a token: %d %s", code, raw)
		}
		var ct createdToken
		if err := decode(raw, &ct); err != nil {
			t.Fatal(err)
		}
		if tok == tokOwnerA {
			a = ct.Token
		} else {
			b = ct.Token
		}
	}
	return a, b
}

// TestRevokeAnotherUsersTokenLooksMissing: owner A cannot revoke (or learn
// of) owner B's token; the admin can.
func TestRevokeAnotherUsersTokenLooksMissing(t *testing.T) {
	h := newHarness(t, nil)
	_, b := seedTokens(t, h)

	code, body := h.do(t, tokOwnerA, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", b.ID), "")
	missingCode, missing := h.do(t, tokOwnerA, "DELETE", "/api/v1/tokens/999999", "")
	norm := bytes.ReplaceAll(body, []byte(fmt.Sprint(b.ID)), []byte("ID"))
	if code != 404 || missingCode != 404 || !bytes.Equal(norm, bytes.ReplaceAll(missing, []byte("999999"), []byte("ID"))) {
		t.Errorf("B's token: %d %s\nmissing:    %d %s", code, body, missingCode, missing)
	}
	if h.store.revoked(b.ID) {
		t.Fatal("owner A revoked owner B's token")
	}
	if code, raw := h.do(t, tokAdmin, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", b.ID), ""); code != 200 || !h.store.revoked(b.ID) {
		t.Errorf("admin revoking B's token: %d %s", code, raw)
	}
}

func TestRevokeOwnToken(t *testing.T) {
	h := newHarness(t, nil)
	a, _ := seedTokens(t, h)
	if code, raw := h.do(t, tokOwnerA, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", a.ID), ""); code != 200 || !h.store.revoked(a.ID) {
		t.Errorf("revoking own token: %d %s", code, raw)
	}
}

// TestTokenSecretShownOnce: the secret is in the create answer and in no
// other answer, whoever lists.
func TestTokenSecretShownOnce(t *testing.T) {
	h := newHarness(t, nil)
	code, raw := h.do(t, tokOwnerA, "POST", "/api/v1/tokens", `{"name":"六个核桃 巡检脚本","expires":"12h"}`)
	var ct createdToken
	if err := decode(raw, &ct); err != nil || code != 201 || !strings.HasPrefix(ct.Secret, "mwt_") {
		t.Fatalf("create: %d %s", code, raw)
	}
	if ct.Token.UserID != userOwnerA.ID || ct.Token.ExpiresAt == nil || !ct.Token.ExpiresAt.Equal(seen.Add(12*time.Hour)) {
		t.Errorf("token = %+v", ct.Token)
	}
	for _, req := range []struct{ tok, path string }{
		{tokOwnerA, "/api/v1/tokens"},
		{tokAdmin, "/api/v1/tokens"},
		{tokAdmin, "/api/v1/tokens?user=yangyuan"},
		{tokAdmin, "/api/v1/audit"},
		{tokOwnerA, "/api/v1/me"},
	} {
		if code, raw := h.do(t, req.tok, "GET", req.path, ""); code != 200 {
			t.Errorf("GET %s: %d %s", req.path, code, raw)
		}
	}
	if n := h.guard.countInBodies(ct.Secret); n != 1 {
		t.Errorf("the secret appeared %d times across answers, want once", n)
	}
	hash := fmt.Sprintf("%x", ct.Secret)
	if n := h.guard.countInBodies(hash); n != 0 {
		t.Errorf("the token hash appeared %d times", n)
	}
}

func TestTokenLists(t *testing.T) {
	h := newHarness(t, nil)
	h.store.users = []domain.User{userOwnerA, userOwnerB}
	a, b := seedTokens(t, h)
	tests := []struct {
		name  string
		token string
		query string
		code  int
		want  []int64
	}{
		{"own", tokOwnerA, "", 200, []int64{a.ID}},
		{"own by name", tokOwnerA, "?user=yangyuan", 200, []int64{a.ID}},
		{"owner names another user", tokOwnerA, "?user=laobaigan", 404, nil},
		{"admin, everyone's", tokAdmin, "", 200, []int64{a.ID, b.ID}},
		{"admin names B", tokAdmin, "?user=laobaigan", 200, []int64{b.ID}},
		{"admin names nobody known", tokAdmin, "?user=某某", 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got tokenList
			resp := h.getAs(t, tt.token, "/api/v1/tokens"+tt.query, &got)
			if resp.StatusCode != tt.code {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.code)
			}
			var ids []int64
			for _, tk := range got.Tokens {
				ids = append(ids, tk.ID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(tt.want) && tt.code == 200 {
				t.Errorf("tokens %v, want %v", ids, tt.want)
			}
		})
	}
	// A store that ignored the user id still shows A only A's tokens.
	h.store.leak = true
	var got tokenList
	h.getAs(t, tokOwnerA, "/api/v1/tokens", &got)
	if len(got.Tokens) != 1 || got.Tokens[0].ID != a.ID {
		t.Errorf("through a leaky store: %+v", got.Tokens)
	}
}

func TestTokenCreateRefusals(t *testing.T) {
	tests := []struct {
		name, token, body, want string
		code                    int
	}{
		{"no name", tokOwnerA, `{"expires":"90d"}`, "needs a name", 400},
		{"forever", tokOwnerA, `{"name":"ci","expires":"100000d"}`, "from 1m to 366d", 400},
		{"negative", tokOwnerA, `{"name":"ci","expires":"-1h"}`, "from 1m to 366d", 400},
		{"words", tokOwnerA, `{"name":"ci","expires":"三个月"}`, "like 90d", 400},
		{"owner names another user", tokOwnerA, `{"name":"ci","user":"laobaigan"}`, "does not exist", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			code, raw := h.do(t, tt.token, "POST", "/api/v1/tokens", tt.body)
			if code != tt.code || !strings.Contains(string(raw), tt.want) {
				t.Errorf("got %d %s, want %d saying %q", code, raw, tt.code, tt.want)
			}
			if len(h.store.tokens) != 0 {
				t.Errorf("a refused request stored a token: %+v", h.store.tokens)
			}
		})
	}
}

func TestAdminCreatesTokenForAnotherUser(t *testing.T) {
	h := newHarness(t, nil)
	h.store.users = []domain.User{userOwnerB}
	code, raw := h.do(t, tokAdmin, "POST", "/api/v1/tokens", `{"name":"衡水老白干 对接","user":"laobaigan"}`)
	var ct createdToken
	if err := decode(raw, &ct); err != nil || code != 201 || ct.Token.UserID != userOwnerB.ID || ct.Token.UserName != "laobaigan" {
		t.Errorf("got %d %s", code, raw)
	}
}

func TestParseLifetime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", defaultTokenLife, true},
		{"90d", 90 * 24 * time.Hour, true},
		{"12h", 12 * time.Hour, true},
		{" 30m ", 30 * time.Minute, true},
		{"366d", 366 * 24 * time.Hour, true},
		{"367d", 0, false},
		{"30s", 0, false},
		{"0d", 0, false},
		{"d", 0, false},
		{"9999999999999d", 0, false},
	}
	for _, tt := range tests {
		got, err := parseLifetime(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseLifetime(%q) = %v, %v", tt.in, got, err)
		}
	}
}
