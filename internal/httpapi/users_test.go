package httpapi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestCreateUser(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		code      int
		want      string // in the answer
		generated bool
	}{
		{"owner with generated password", `{"name":"yangyuan-ip","role":"owner","owner":"河北养元智汇饮品股份有限公司","email":"ip@yangyuan.example.cn"}`, 201, `"owner":"河北养元智汇饮品股份有限公司"`, true},
		{"supervisor with jurisdiction and password", `{"name":"石家庄市监局","role":"supervisor","jurisdiction":" 河北   石家庄 ","password":"Correct-Horse-电池-9"}`, 201, `"jurisdiction":"河北 石家庄"`, false},
		{"owner without owner", `{"name":"x","role":"owner"}`, 400, "needs owner", false},
		{"operator with owner", `{"name":"x","role":"operator","owner":"某某"}`, 400, "only owner users", false},
		{"owner with jurisdiction", `{"name":"x","role":"owner","owner":"某某","jurisdiction":"河北"}`, 400, "only supervisors", false},
		{"unknown role", `{"name":"x","role":"root"}`, 400, "must be one of [admin operator supervisor owner]", false},
		{"name with slash", `{"name":"../admin","role":"operator"}`, 400, "user name", false},
		{"weak password", `{"name":"ops2","role":"operator","password":"ops2ops2ops2ops2"}`, 400, "at least 12", false},
		{"bad email", `{"name":"ops3","role":"operator","email":"ops at example"}`, 400, "email", false},
		{"name taken", `{"name":"admin","role":"admin"}`, 409, "taken", false},
		{"hash smuggled in", `{"name":"ops4","role":"operator","password_hash":"$argon2id$x"}`, 400, "unknown field", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			code, raw := h.do(t, tokAdmin, "POST", "/api/v1/users", tt.body)
			if code != tt.code || !strings.Contains(string(raw), tt.want) {
				t.Fatalf("got %d %s, want %d with %s", code, raw, tt.code, tt.want)
			}
			if code != 201 {
				return
			}
			var got createdUser
			if err := decode(raw, &got); err != nil {
				t.Fatal(err)
			}
			if (got.Password != "") != tt.generated || got.User.MustChangePassword != tt.generated {
				t.Errorf("password %q must change %v, want generated %v", got.Password, got.User.MustChangePassword, tt.generated)
			}
			hash := h.store.hashes[got.User.Name]
			if hash == "" || strings.Contains(string(raw), hash) || strings.Contains(string(raw), "argon2") {
				t.Errorf("hash %q stored / leaked in %s", hash, raw)
			}
			if tt.generated && hash != mustHash(got.Password) {
				t.Errorf("stored hash is not of the password answered")
			}
		})
	}
}

func mustHash(pw string) string {
	h, _ := (&fakeCreds{}).HashPassword(pw)
	return h
}

func TestUsersNeedManageUsers(t *testing.T) {
	h := newHarness(t, nil)
	for _, tok := range []string{tokOperator, tokSupervisor, tokOwnerA} {
		if code, _ := h.do(t, tok, "POST", "/api/v1/users", `{"name":"evil","role":"admin","password":"Correct-Horse-电池-9"}`); code != 403 {
			t.Errorf("%s creating an admin: %d", tok, code)
		}
		if code, _ := h.do(t, tok, "POST", "/api/v1/users/admin/disable", ""); code != 403 {
			t.Errorf("%s disabling admin: %d", tok, code)
		}
	}
	if len(h.store.users) != 5 || h.store.users[0].Disabled {
		t.Errorf("users changed: %+v", h.store.users)
	}
}

func TestDisableEnableUser(t *testing.T) {
	h := newHarness(t, nil)
	var u domain.User
	code, raw := h.do(t, tokAdmin, "POST", "/api/v1/users/laobaigan/disable", "")
	if err := decode(raw, &u); err != nil || code != 200 || !u.Disabled {
		t.Errorf("disable: %d %s", code, raw)
	}
	code, raw = h.do(t, tokAdmin, "POST", "/api/v1/users/laobaigan/enable", "")
	if err := decode(raw, &u); err != nil || code != 200 || u.Disabled {
		t.Errorf("enable: %d %s", code, raw)
	}
	if code, raw := h.do(t, tokAdmin, "POST", "/api/v1/users/admin/disable", ""); code != 400 || !strings.Contains(string(raw), "your own account") {
		t.Errorf("self-disable: %d %s", code, raw)
	}
	if code, _ := h.do(t, tokAdmin, "POST", "/api/v1/users/nobody/disable", ""); code != 404 {
		t.Errorf("unknown user: %d", code)
	}
}

// TestSecretsNeverAnswered drives every route that touches a credential
// and scans every answer for the password hash and the webhook secret.
func TestSecretsNeverAnswered(t *testing.T) {
	h := newHarness(t, nil)
	const pw = "Correct-Horse-电池-9"
	if code, raw := h.do(t, tokAdmin, "POST", "/api/v1/users", `{"name":"auditor","role":"operator","password":"`+pw+`"}`); code != 201 {
		t.Fatalf("create user: %d %s", code, raw)
	}
	sub := seedSubscription(t, h)
	path := fmt.Sprintf("/api/v1/subscriptions/%d", sub.ID)
	for _, req := range []struct{ tok, method, path, body string }{
		{tokAdmin, "GET", "/api/v1/users", ""},
		{tokAdmin, "POST", "/api/v1/users/auditor/disable", ""},
		{tokAdmin, "POST", "/api/v1/users/auditor/enable", ""},
		{tokAdmin, "GET", "/api/v1/audit", ""},
		{tokOwnerB, "GET", "/api/v1/subscriptions", ""},
		{tokOwnerB, "GET", path, ""},
		{tokOwnerB, "GET", path + "/deliveries", ""},
		{tokOwnerB, "PUT", path, `{"name":"改名","channel":"webhook","target":"https://hooks.example.cn/mw","mode":"immediate"}`},
		{tokOwnerB, "PUT", path, `{"name":"换密钥","channel":"webhook","target":"https://hooks.example.cn/mw","secret":"` + webhookSecret + `-2","mode":"immediate"}`},
		{tokOwnerB, "GET", "/api/v1/me", ""},
	} {
		if code, raw := h.do(t, req.tok, req.method, req.path, req.body); code >= 300 {
			t.Errorf("%s %s: %d %s", req.method, req.path, code, raw)
		}
	}
	for _, secret := range []string{mustHash(pw), pw, webhookSecret, "argon2id", `"secret"`} {
		if n := h.guard.countInBodies(secret); n != 0 {
			t.Errorf("%q appeared %d times in answers", secret, n)
		}
	}
	if n := h.guard.countInBodies(`"has_secret":true`); n < 4 {
		t.Errorf(`"has_secret":true appeared %d times, want in every subscription answer`, n)
	}
}
