package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// Bounds of the add-user form.
const (
	maxUserName        = 64
	maxJurisdiction    = 64
	maxEmail           = 254
	minInitialPassword = 12 // access judges passwords users choose; this is the one an admin hands out
	maxPassword        = 1024
)

type tokenRow struct {
	ID                                       int64
	Name, Prefix, Created, LastUsed, Expires string
	Revoked                                  string // "" while it works
}

type userRow struct {
	// PathName is Name escaped for the action URLs: users made elsewhere
	// (the CLI) may have names the add form would refuse.
	PathName                                        string
	Name, Role, Owner, Jurisdiction, Email, Created string
	Disabled, Self                                  bool
	Tokens                                          []tokenRow
}

type usersView struct {
	page
	Rows      []userRow
	Roles     []option
	Owners    []string
	HasTokens bool
	Error     string
	// The add form's values after a refusal; the password never.
	Name, Owner, Jurisdiction, Email string
}

// users serves GET /users: every user, an add form, and each user's tokens.
func (c *console) users(w http.ResponseWriter, r *http.Request) {
	c.renderUsers(w, r, http.StatusOK, usersView{})
}

func (c *console) renderUsers(w http.ResponseWriter, r *http.Request, status int, v usersView) {
	p, _ := access.FromContext(r.Context())
	us, err := c.deps.Users.ListUsers(r.Context())
	if err != nil {
		c.fail(w, r, fmt.Errorf("listing users: %w", err))
		return
	}
	byUser := map[int64][]tokenRow{}
	if c.deps.Tokens != nil {
		v.HasTokens = true
		ts, err := c.deps.Tokens.ListTokens(r.Context(), 0)
		if err != nil {
			c.fail(w, r, fmt.Errorf("listing every user's tokens: %w", err))
			return
		}
		for _, t := range ts {
			row := tokenRow{ID: t.ID, Name: t.Name, Prefix: t.Prefix, Created: c.when(t.CreatedAt),
				LastUsed: c.whenPtr(t.LastUsedAt), Expires: c.whenPtr(t.ExpiresAt)}
			if t.RevokedAt != nil {
				row.Revoked = c.when(*t.RevokedAt)
			}
			byUser[t.UserID] = append(byUser[t.UserID], row)
		}
	}
	v.page = c.frame(r, "用户 Users")
	for _, u := range us {
		v.Rows = append(v.Rows, userRow{
			PathName: url.PathEscape(u.Name), Name: u.Name, Role: roleLabel(u.Role), Owner: u.Owner, Jurisdiction: u.Jurisdiction, Email: u.Email,
			Created: c.when(u.CreatedAt), Disabled: u.Disabled, Self: u.ID == p.User.ID, Tokens: byUser[u.ID],
		})
	}
	selected := r.PostForm.Get("role")
	for _, role := range domain.Roles {
		v.Roles = append(v.Roles, option{Value: string(role), Label: roleLabel(role) + " " + string(role), Selected: string(role) == selected})
	}
	v.Owners = c.registryOwners()
	c.render(w, r, status, "users.html", v)
}

// addUser serves POST /users (name, role, owner, jurisdiction, email,
// password). The user must change the initial password at first sign-in.
func (c *console) addUser(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r, maxLoginForm); err != nil {
		c.fail(w, r, fmt.Errorf("reading the add-user form: %w", err))
		return
	}
	p, _ := access.FromContext(r.Context())
	f := r.PostForm
	u := domain.User{
		Name: strings.TrimSpace(f.Get("name")), Role: domain.Role(f.Get("role")),
		Owner: strings.TrimSpace(f.Get("owner")), Jurisdiction: strings.Join(strings.Fields(f.Get("jurisdiction")), " "),
		Email: strings.TrimSpace(f.Get("email")), MustChangePassword: true,
	}
	refuse := func(err error) {
		if code := domain.ErrorCode(err); code != domain.EINVALID && code != domain.ECONFLICT {
			c.fail(w, r, err)
			return
		}
		c.renderUsers(w, r, http.StatusBadRequest, usersView{Error: domain.ErrorMessage(err),
			Name: u.Name, Owner: u.Owner, Jurisdiction: u.Jurisdiction, Email: u.Email})
	}
	if err := c.checkNewUser(u, f.Get("password")); err != nil {
		refuse(err)
		return
	}
	hash, err := c.deps.HashPassword(f.Get("password"))
	if err != nil {
		c.fail(w, r, fmt.Errorf("hashing the initial password of %q: %w", u.Name, err))
		return
	}
	created, err := c.deps.Users.CreateUser(r.Context(), u, hash, p.Actor())
	if err != nil {
		refuse(fmt.Errorf("adding user %q: %w", u.Name, err))
		return
	}
	c.log.Info("user added", zap.String("user", created.Name), zap.String("role", string(created.Role)), zap.String("by", p.User.Name))
	http.Redirect(w, r, "/users", http.StatusSeeOther)
}

// checkNewUser refuses what the store would store but nobody could use: an
// owner without a registry owner, an owner field on another role.
func (c *console) checkNewUser(u domain.User, password string) error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if !validUserName(u.Name) {
		bad("用户名应为1–%d个字母、数字或 . _ - user names are 1 to %d letters, digits, '.', '_' or '-'", maxUserName, maxUserName)
	}
	if !u.Role.Valid() {
		bad("角色 %q 无效 role must be admin, operator, supervisor or owner", u.Role)
	}
	switch {
	case u.Role == domain.RoleOwner && u.Owner == "":
		bad("权利人账号须选择权利人 an owner account needs a registry owner")
	case u.Role == domain.RoleOwner && len(c.deps.Marks) > 0 && !slices.Contains(c.registryOwners(), u.Owner):
		bad("权利人 %q 不在登记册中 is not an owner in the registry", u.Owner)
	case u.Role != domain.RoleOwner && u.Owner != "":
		bad("只有权利人账号可填写权利人 only owner accounts have a registry owner")
	}
	if u.Jurisdiction != "" && (u.Role != domain.RoleSupervisor || utf8.RuneCountInString(u.Jurisdiction) > maxJurisdiction) {
		bad("辖区只适用于市场监管账号，最多%d字 a jurisdiction is for supervisors only, at most %d characters", maxJurisdiction, maxJurisdiction)
	}
	if len(u.Email) > maxEmail || (u.Email != "" && !strings.Contains(u.Email, "@")) {
		bad("电子邮件地址无效 the e-mail address is not valid")
	}
	if n := utf8.RuneCountInString(password); n < minInitialPassword || len(password) > maxPassword {
		bad("初始密码至少%d个字符 the initial password needs at least %d characters", minInitialPassword, minInitialPassword)
	}
	if len(errs) > 0 {
		return domain.Errorf(domain.EINVALID, "%s", strings.Join(errs, "；"))
	}
	return nil
}

// setUserDisabled serves POST /users/{name}/disable and /enable. An admin
// cannot disable their own account: that would lock out the last admin.
func (c *console) setUserDisabled(disabled bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, _ := access.FromContext(r.Context())
		name := r.PathValue("name")
		if name == "" || len(name) > 4*maxUserName {
			c.fail(w, r, domain.Errorf(domain.ENOTFOUND, "没有这个用户 No such user"))
			return
		}
		if disabled && name == p.User.Name {
			c.fail(w, r, domain.Errorf(domain.EINVALID, "不能停用自己的账号 you cannot disable your own account"))
			return
		}
		u, err := c.deps.Users.SetUserDisabled(r.Context(), name, disabled, p.Actor())
		if err != nil {
			c.fail(w, r, fmt.Errorf("setting user %q disabled=%t: %w", name, disabled, err))
			return
		}
		c.log.Info("user disabled changed", zap.String("user", u.Name), zap.Bool("disabled", u.Disabled), zap.String("by", p.User.Name))
		http.Redirect(w, r, "/users", http.StatusSeeOther)
	}
}

// revokeToken serves POST /tokens/{id}/revoke.
func (c *console) revokeToken(w http.ResponseWriter, r *http.Request) {
	p, _ := access.FromContext(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		c.fail(w, r, domain.Errorf(domain.ENOTFOUND, "没有这个令牌 No such token"))
		return
	}
	t, err := c.deps.Tokens.RevokeToken(r.Context(), id, p.Actor())
	if err != nil {
		c.fail(w, r, fmt.Errorf("revoking token %d: %w", id, err))
		return
	}
	c.log.Info("token revoked", zap.Int64("token_id", t.ID), zap.Int64("user_id", t.UserID), zap.String("by", p.User.Name))
	http.Redirect(w, r, "/users", http.StatusSeeOther)
}

// registryOwners are the registry's distinct owners, in registry order, for
// the owner field of the add-user form.
func (c *console) registryOwners() []string {
	var out []string
	for _, m := range c.deps.Marks {
		if m.Owner != "" && !slices.Contains(out, m.Owner) {
			out = append(out, m.Owner)
		}
	}
	return out
}

// validUserName keeps names to what fits a path segment unescaped.
func validUserName(s string) bool {
	if s == "" || len(s) > maxUserName {
		return false
	}
	for _, r := range s {
		ok := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '.' || r == '_' || r == '-'
		if !ok {
			return false
		}
	}
	return s != "." && s != ".."
}
