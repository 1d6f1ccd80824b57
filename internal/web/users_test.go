package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestUsersPage(t *testing.T) {
	h := newHarness(t, nil)
	resp, body := h.get(t, "/users")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"yangyuan", "权利人", "河北养元智汇饮品股份有限公司", "linyi-amr", "山东 临沂", "市场监管",
		`action="/users/ops/disable"`, "cli on ops laptop", "mwt_ab12…", `action="/tokens/7/revoke"`, "已吊销 Revoked",
		`<option value="河北衡水老白干酒业股份有限公司">`, "（您 you）"} {
		if !strings.Contains(body, want) {
			t.Errorf("users page lacks %q", want)
		}
	}
	if strings.Contains(body, `action="/users/admin/disable"`) {
		t.Error("an admin is offered to disable their own account")
	}
	if strings.Contains(body, `action="/tokens/8/revoke"`) {
		t.Error("a revoked token is offered for revoking")
	}
	for _, p := range pagesOf[1:] {
		h.signIn(p.who)
		if resp, _ := h.get(t, "/users"); resp.StatusCode != 403 {
			t.Errorf("%s GET /users: %d, want 403", p.who.User.Name, resp.StatusCode)
		}
		if resp, _ := h.post(t, "/users/ops/disable", nil, nil); resp.StatusCode != 403 || h.users.user("ops").Disabled {
			t.Errorf("%s disabling ops: %d", p.who.User.Name, resp.StatusCode)
		}
	}
}

func TestAddUser(t *testing.T) {
	const pw = "初始密码-hebei-2026"
	tests := []struct {
		name   string
		form   url.Values
		status int
		says   string
		want   *domain.User
	}{
		{"owner of 六个核桃", url.Values{"name": {"yangyuan-legal"}, "role": {"owner"}, "owner": {"河北养元智汇饮品股份有限公司"}, "password": {pw}},
			303, "", &domain.User{Name: "yangyuan-legal", Role: domain.RoleOwner, Owner: "河北养元智汇饮品股份有限公司", MustChangePassword: true}},
		{"supervisor of 石家庄", url.Values{"name": {"sjz-amr"}, "role": {"supervisor"}, "jurisdiction": {" 河北   石家庄 "}, "email": {"amr@sjz.gov.example.cn"}, "password": {pw}},
			303, "", &domain.User{Name: "sjz-amr", Role: domain.RoleSupervisor, Jurisdiction: "河北 石家庄", Email: "amr@sjz.gov.example.cn", MustChangePassword: true}},
		{"owner not in the registry", url.Values{"name": {"x"}, "role": {"owner"}, "owner": {"某某食品有限公司"}, "password": {pw}}, 400, "不在登记册中", nil},
		{"owner without owner", url.Values{"name": {"x"}, "role": {"owner"}, "password": {pw}}, 400, "须选择权利人", nil},
		{"owner field on an admin", url.Values{"name": {"x"}, "role": {"admin"}, "owner": {"河北养元智汇饮品股份有限公司"}, "password": {pw}}, 400, "只有权利人账号", nil},
		{"jurisdiction on an owner", url.Values{"name": {"x"}, "role": {"operator"}, "jurisdiction": {"河北"}, "password": {pw}}, 400, "辖区只适用于", nil},
		{"unknown role", url.Values{"name": {"x"}, "role": {"root"}, "password": {pw}}, 400, "角色", nil},
		{"name with a slash", url.Values{"name": {"../admin"}, "role": {"operator"}, "password": {pw}}, 400, "用户名应为", nil},
		{"Chinese name", url.Values{"name": {"石家庄市监局"}, "role": {"operator"}, "password": {pw}}, 400, "用户名应为", nil},
		{"short password", url.Values{"name": {"x"}, "role": {"operator"}, "password": {"hetao123"}}, 400, "初始密码至少12个字符", nil},
		{"name taken", url.Values{"name": {"ops"}, "role": {"operator"}, "password": {pw}}, 400, "已被使用", nil},
		{"hostile e-mail is escaped", url.Values{"name": {"x"}, "role": {"operator"}, "email": {`"><script>alert(1)</script>@x`}, "password": {"short"}}, 400, "&lt;script&gt;", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			writes := h.users.writeCount()
			resp, body := h.post(t, "/users", tt.form, nil)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.says) {
				t.Fatalf("status %d, want %d saying %q:\n%s", resp.StatusCode, tt.status, tt.says, body)
			}
			if p := tt.form.Get("password"); strings.Contains(body, p) {
				t.Error("the initial password was echoed into the page")
			}
			if strings.Contains(body, "<script>alert") {
				t.Error("hostile input reached the page unescaped")
			}
			if tt.want == nil {
				if h.users.writeCount() != writes {
					t.Error("a refused user was stored")
				}
				return
			}
			got := h.users.user(tt.want.Name)
			got.ID = 0
			if got != *tt.want {
				t.Errorf("stored %+v, want %+v", got, *tt.want)
			}
			if hash := h.users.hashes[tt.want.Name]; hash == "" || strings.Contains(hash, pw) {
				t.Errorf("stored hash %q", hash)
			}
		})
	}
}

func TestDisableEnableAndRevoke(t *testing.T) {
	h := newHarness(t, nil)
	if resp, _ := h.post(t, "/users/yangyuan/disable", nil, nil); resp.StatusCode != 303 || !h.users.user("yangyuan").Disabled {
		t.Errorf("disable: %d", resp.StatusCode)
	}
	if _, body := h.get(t, "/users"); !strings.Contains(body, `action="/users/yangyuan/enable"`) {
		t.Error("a disabled user is not offered enabling")
	}
	if resp, _ := h.post(t, "/users/yangyuan/enable", nil, nil); resp.StatusCode != 303 || h.users.user("yangyuan").Disabled {
		t.Errorf("enable: %d", resp.StatusCode)
	}
	if resp, body := h.post(t, "/users/admin/disable", nil, nil); resp.StatusCode != 400 || !strings.Contains(body, "不能停用自己的账号") || h.users.user("admin").Disabled {
		t.Errorf("self-disable: %d", resp.StatusCode)
	}
	if resp, _ := h.post(t, "/users/nobody/disable", nil, nil); resp.StatusCode != 404 {
		t.Errorf("unknown user: %d", resp.StatusCode)
	}
	if resp, _ := h.post(t, "/tokens/7/revoke", nil, nil); resp.StatusCode != 303 {
		t.Errorf("revoke: %d", resp.StatusCode)
	}
	if _, body := h.get(t, "/users"); strings.Contains(body, `action="/tokens/7/revoke"`) {
		t.Error("a revoked token is still offered for revoking")
	}
	if resp, _ := h.post(t, "/tokens/x/revoke", nil, nil); resp.StatusCode != 404 {
		t.Errorf("bad token id: %d", resp.StatusCode)
	}
}

// A user made outside the console (the CLI) may have a name the add form
// refuses; its buttons must still point at it and only at it.
func TestUserWithAnOddNameMadeElsewhere(t *testing.T) {
	h := newHarness(t, nil)
	h.users.mu.Lock()
	h.users.users = append(h.users.users, domain.User{ID: 50, Name: "石家庄 市监?x=1", Role: domain.RoleSupervisor})
	h.users.mu.Unlock()
	_, body := h.get(t, "/users")
	const action = `action="/users/%E7%9F%B3%E5%AE%B6%E5%BA%84%20%E5%B8%82%E7%9B%91%3Fx=1/disable"`
	if !strings.Contains(body, action) {
		t.Fatalf("users page lacks %s", action)
	}
	if resp, _ := h.post(t, "/users/%E7%9F%B3%E5%AE%B6%E5%BA%84%20%E5%B8%82%E7%9B%91%3Fx=1/disable", nil, nil); resp.StatusCode != 303 {
		t.Errorf("disable: %d", resp.StatusCode)
	}
	if !h.users.user("石家庄 市监?x=1").Disabled || h.users.user("admin").Disabled {
		t.Error("the wrong user was disabled")
	}
}
