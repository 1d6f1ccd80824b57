package store

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestCreateUserValidates(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	mustUser(t, db, domain.User{Name: "Ops", Role: domain.RoleOperator})
	tests := []struct {
		name string
		u    domain.User
		code string
		says string // part of the message telling what to fix
	}{
		{"owner", domain.User{Name: "yangyuan", Role: domain.RoleOwner, Owner: yangyuan}, "", ""},
		{"chinese name", domain.User{Name: "石家庄市监局-张三", Role: domain.RoleSupervisor, Jurisdiction: " 河北   石家庄 "}, "", ""},
		{"64 runes", domain.User{Name: strings.Repeat("核", 64), Role: domain.RoleAdmin}, "", ""},
		{"taken in another case", domain.User{Name: "ops", Role: domain.RoleOperator}, domain.ECONFLICT, "taken"},
		{"taken upper", domain.User{Name: "OPS", Role: domain.RoleAdmin}, domain.ECONFLICT, "taken"},
		{"empty", domain.User{Name: "", Role: domain.RoleAdmin}, domain.EINVALID, "1 to 64"},
		{"65 runes", domain.User{Name: strings.Repeat("核", 65), Role: domain.RoleAdmin}, domain.EINVALID, "1 to 64"},
		{"space", domain.User{Name: "zhang san", Role: domain.RoleAdmin}, domain.EINVALID, "space"},
		{"ideographic space", domain.User{Name: "张　三", Role: domain.RoleAdmin}, domain.EINVALID, "space"},
		{"newline", domain.User{Name: "ops\nadmin", Role: domain.RoleAdmin}, domain.EINVALID, "control"},
		{"zero width", domain.User{Name: "ops\u200b", Role: domain.RoleAdmin}, domain.EINVALID, "invisible"},
		{"bad role", domain.User{Name: "root", Role: "root"}, domain.EINVALID, "role"},
		{"owner without owner", domain.User{Name: "nobody", Role: domain.RoleOwner}, domain.EINVALID, "registry owner"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := db.CreateUser(ctx, tc.u, argonHash, adminActor)
			if domain.ErrorCode(err) != tc.code {
				t.Fatalf("CreateUser = %v, want code %q", err, tc.code)
			}
			if err != nil {
				if !strings.Contains(domain.ErrorMessage(err), tc.says) {
					t.Errorf("message %q should say %q", domain.ErrorMessage(err), tc.says)
				}
				return
			}
			if u.ID == 0 || u.CreatedAt.IsZero() {
				t.Errorf("CreateUser returned %+v without id or creation time", u)
			}
		})
	}
	// The role CHECK holds even against a writer that skips validation.
	if _, err := db.wr.Exec("INSERT INTO users (name, role, created_at) VALUES ('x', 'root', 0)"); err == nil {
		t.Error("the schema accepted role 'root'")
	}
	u, err := db.GetUserByName(ctx, "石家庄市监局-张三")
	if err != nil || u.Jurisdiction != "河北 石家庄" {
		t.Errorf("jurisdiction stored as %q (%v), want it normalised to \"河北 石家庄\"", u.Jurisdiction, err)
	}
}

func TestUserReads(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openTest(t, clock)
	a := mustUser(t, db, domain.User{Name: admin, Role: domain.RoleAdmin})
	o := ownerUser(t, db)
	mustUser(t, db, domain.User{Name: "zhangsan", Role: domain.RoleSupervisor, Jurisdiction: "河北"})

	if got, err := db.GetUser(ctx, o.ID); err != nil || got != o {
		t.Errorf("GetUser = %+v, %v; want %+v", got, err, o)
	}
	if got, err := db.GetUserByName(ctx, "YangYuan"); err != nil || got.ID != o.ID || got.Owner != yangyuan {
		t.Errorf("GetUserByName in another case = %+v, %v", got, err)
	}
	if _, err := db.GetUser(ctx, 999); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("GetUser(missing) = %v, want ENOTFOUND", err)
	}
	if _, err := db.GetUserByName(ctx, "ghost"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("GetUserByName(missing) = %v, want ENOTFOUND", err)
	}
	u, hash, err := db.GetPasswordHash(ctx, "ADMIN")
	if err != nil || hash != argonHash || u.ID != a.ID {
		t.Errorf("GetPasswordHash = %+v, %q, %v", u, hash, err)
	}
	if _, _, err := db.GetPasswordHash(ctx, "ghost"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("GetPasswordHash(missing) = %v, want ENOTFOUND", err)
	}
	users, err := db.ListUsers(ctx)
	if err != nil || len(users) != 3 || users[0].Name != admin || users[1].Name != "yangyuan" {
		t.Errorf("ListUsers = %+v, %v; want by name", users, err)
	}
	// No read but GetPasswordHash hands the hash out, in any encoding.
	b, _ := json.Marshal(users)
	if strings.Contains(string(b), "argon2") {
		t.Errorf("ListUsers leaks the hash: %s", b)
	}
	for role, want := range map[domain.Role]int{"": 3, domain.RoleAdmin: 1, domain.RoleOwner: 1, domain.RoleOperator: 0} {
		if n, err := db.CountUsers(ctx, role); err != nil || n != want {
			t.Errorf("CountUsers(%q) = %d, %v; want %d", role, n, err, want)
		}
	}
	if _, err := db.CountUsers(ctx, "root"); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("CountUsers(root) = %v, want EINVALID", err)
	}
}

func TestSetUserDisabledEndsSessionsOnly(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openTest(t, clock)
	o := ownerUser(t, db)
	now := clock.Now()
	mustSession(t, db, o.ID, "sess-1", now)
	tok, err := db.CreateToken(ctx, domain.APIToken{UserID: o.ID, Name: "export", Hash: "tokhash-1", Prefix: "mwt_ab"}, adminActor)
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.SetUserDisabled(ctx, "YANGYUAN", true, adminActor)
	if err != nil || !u.Disabled {
		t.Fatalf("SetUserDisabled = %+v, %v", u, err)
	}
	if _, err := db.GetSession(ctx, "sess-1"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("session survived disabling: %v", err)
	}
	if got, err := db.GetTokenByHash(ctx, "tokhash-1"); err != nil || got.ID != tok.ID || got.RevokedAt != nil {
		t.Errorf("token after disabling = %+v, %v; want it kept, not revoked", got, err)
	}
	if u, err := db.SetUserDisabled(ctx, "yangyuan", false, adminActor); err != nil || u.Disabled {
		t.Errorf("enabling = %+v, %v", u, err)
	}
	if _, err := db.SetUserDisabled(ctx, "ghost", true, adminActor); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("SetUserDisabled(missing) = %v, want ENOTFOUND", err)
	}
	entries, _, err := db.ListAudit(ctx, domain.AuditFilter{Object: "user:yangyuan"})
	if err != nil || len(entries) != 3 || entries[0].Action != domain.AuditUserEnable || entries[1].Action != domain.AuditUserDisable {
		t.Fatalf("audit = %+v, %v; want enable, disable, add", entries, err)
	}
	if string(entries[1].Before) != `{"disabled":false}` || string(entries[1].After) != `{"disabled":true}` {
		t.Errorf("disable audit before/after = %s / %s", entries[1].Before, entries[1].After)
	}
	if entries[1].Actor != adminActor {
		t.Errorf("audit actor = %+v, want %+v", entries[1].Actor, adminActor)
	}
}

func TestSetPasswordHash(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openTest(t, clock)
	o := ownerUser(t, db)
	mustSession(t, db, o.ID, "sess-a", clock.Now())
	mustSession(t, db, o.ID, "sess-b", clock.Now())
	if err := db.SetPasswordHash(ctx, o.ID, argonHashNext, true, adminActor); err != nil {
		t.Fatal(err)
	}
	u, hash, err := db.GetPasswordHash(ctx, o.Name)
	if err != nil || hash != argonHashNext || !u.MustChangePassword {
		t.Errorf("after SetPasswordHash: %+v %q %v", u, hash, err)
	}
	var n int
	_ = db.sql.QueryRow("SELECT count(*) FROM sessions WHERE user_id = ?", o.ID).Scan(&n)
	if n != 0 {
		t.Errorf("%d sessions left after a password change, want 0", n)
	}
	if err := db.SetPasswordHash(ctx, 999, argonHashNext, false, adminActor); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("SetPasswordHash(missing) = %v, want ENOTFOUND", err)
	}
	entries, _, _ := db.ListAudit(ctx, domain.AuditFilter{Action: domain.AuditUserPassword})
	if len(entries) != 1 || entries[0].Object != "user:yangyuan" {
		t.Errorf("password audit = %+v", entries)
	}
}

func mustSession(t testing.TB, db *DB, userID int64, hash string, now time.Time) {
	t.Helper()
	err := db.CreateSession(context.Background(), domain.Session{
		TokenHash: hash, UserID: userID, CSRFToken: "csrf-" + hash, CreatedAt: now, LastSeen: now,
		ExpiresAt: now.Add(12 * time.Hour), RemoteAddr: "198.51.100.7", UserAgent: "Mozilla/5.0",
	})
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
}
