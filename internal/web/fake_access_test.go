package web

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// Principals of the tests. Each has its own CSRF token so a form carrying
// another's would show.
var (
	admin = &access.Principal{User: domain.User{ID: 1, Name: "admin", Role: domain.RoleAdmin},
		Via: access.ViaSession, CSRFToken: "csrf-admin-1f9c", RemoteAddr: "10.0.0.1"}
	operator = &access.Principal{User: domain.User{ID: 2, Name: "ops", Role: domain.RoleOperator},
		Via: access.ViaSession, CSRFToken: "csrf-ops-77aa"}
	// ownerA acts for 河北养元智汇饮品股份有限公司: it sees 六个核桃 only.
	ownerA = &access.Principal{
		User:  domain.User{ID: 10, Name: "yangyuan", Role: domain.RoleOwner, Owner: "河北养元智汇饮品股份有限公司"},
		Scope: domain.Scope{Restricted: true, MarkIDs: []string{"liugehetao"}},
		Via:   access.ViaSession, CSRFToken: "csrf-owner-a-3b21"}
	// ownerB acts for 衡水老白干.
	ownerB = &access.Principal{
		User:  domain.User{ID: 11, Name: "laobaigan", Role: domain.RoleOwner, Owner: "河北衡水老白干酒业股份有限公司"},
		Scope: domain.Scope{Restricted: true, MarkIDs: []string{"hengshui-laobaigan"}},
		Via:   access.ViaSession, CSRFToken: "csrf-owner-b-9d02"}
)

// supervisor is a 市场监管 user limited to jurisdiction ("" sees all).
func supervisor(jurisdiction string) *access.Principal {
	return &access.Principal{
		User:  domain.User{ID: 20, Name: "linyi-amr", Role: domain.RoleSupervisor, Jurisdiction: jurisdiction},
		Scope: domain.Scope{Jurisdiction: jurisdiction},
		Via:   access.ViaSession, CSRFToken: "csrf-supervisor-5e6f"}
}

// fakeAuth knows name → password and principal.
type fakeAuth struct {
	mu        sync.Mutex
	passwords map[string]string
	users     map[string]*access.Principal
	logins    int
	changed   map[string]string // name → new password
}

func newFakeAuth() *fakeAuth {
	return &fakeAuth{
		passwords: map[string]string{"yangyuan": "核桃-correct-horse", "admin": "admin-password-1"},
		users:     map[string]*access.Principal{"yangyuan": ownerA, "admin": admin},
		changed:   map[string]string{},
	}
}

// errBadLogin is access's one message for unknown user and wrong password.
var errBadLogin = domain.Errorf("unauthorized", "用户名或密码错误 wrong user name or password")

func (a *fakeAuth) Login(_ context.Context, name, password, _, _ string) (access.Principal, *http.Cookie, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.logins++
	if name == "throttled" {
		return access.Principal{}, nil, domain.Errorf(codeTooManyRequests, "登录失败次数过多，请 15 分钟后再试 too many failed sign-ins; try again in 15 minutes")
	}
	if pw, ok := a.passwords[name]; !ok || pw != password {
		return access.Principal{}, nil, errBadLogin
	}
	return *a.users[name], &http.Cookie{Name: "markwatch_session", Value: "s3cr3t-" + name, HttpOnly: true, Path: "/"}, nil
}

func (a *fakeAuth) Logout(context.Context, access.Principal) *http.Cookie {
	return &http.Cookie{Name: "markwatch_session", Value: "", MaxAge: -1, Path: "/"}
}

func (a *fakeAuth) ChangePassword(_ context.Context, p access.Principal, old, nw string) (*http.Cookie, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.passwords[p.User.Name] != old {
		return nil, domain.Errorf(domain.EINVALID, "当前密码不正确 the current password is wrong")
	}
	if len([]rune(nw)) < 12 {
		return nil, domain.Errorf(domain.EINVALID, "新密码至少12个字符 the new password needs at least 12 characters")
	}
	a.passwords[p.User.Name] = nw
	a.changed[p.User.Name] = nw
	return &http.Cookie{Name: "markwatch_session", Value: "fresh-" + p.User.Name, Path: "/"}, nil
}

func fakeHash(pw string) (string, error) {
	return "$argon2id$fake$" + string(rune('a'+len(pw)%26)), nil
}

// fakeUsers keeps users and their tokens.
type fakeUsers struct {
	mu     sync.Mutex
	users  []domain.User
	hashes map[string]string
	tokens []domain.APIToken
	writes int
}

func newFakeUsers() *fakeUsers {
	return &fakeUsers{
		users: []domain.User{
			admin.User, operator.User, ownerA.User, ownerB.User, supervisor("山东 临沂").User,
		},
		hashes: map[string]string{},
		tokens: []domain.APIToken{
			{ID: 7, UserID: 2, UserName: "ops", Name: "cli on ops laptop", Prefix: "mwt_ab12", CreatedAt: day1},
			{ID: 8, UserID: 10, UserName: "yangyuan", Name: "法务部 script", Prefix: "mwt_cd34", CreatedAt: day1, RevokedAt: &day2},
		},
	}
}

func (f *fakeUsers) CreateUser(_ context.Context, u domain.User, hash string, _ domain.Actor) (domain.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, x := range f.users {
		if x.Name == u.Name {
			return domain.User{}, domain.Errorf(domain.ECONFLICT, "用户名 %q 已被使用 the name is taken", u.Name)
		}
	}
	u.ID = int64(100 + len(f.users))
	f.users = append(f.users, u)
	f.hashes[u.Name] = hash
	f.writes++
	return u, nil
}

func (f *fakeUsers) ListUsers(context.Context) ([]domain.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.users), nil
}

func (f *fakeUsers) SetUserDisabled(_ context.Context, name string, disabled bool, _ domain.Actor) (domain.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, u := range f.users {
		if u.Name == name {
			f.users[i].Disabled = disabled
			f.writes++
			return f.users[i], nil
		}
	}
	return domain.User{}, domain.Errorf(domain.ENOTFOUND, "没有用户 %q", name)
}

func (f *fakeUsers) user(name string) domain.User {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u.Name == name {
			return u
		}
	}
	return domain.User{}
}

func (f *fakeUsers) ListTokens(_ context.Context, userID int64) ([]domain.APIToken, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []domain.APIToken
	for _, t := range f.tokens {
		if userID == 0 || t.UserID == userID {
			out = append(out, t)
		}
	}
	return out, nil
}

func (f *fakeUsers) RevokeToken(_ context.Context, id int64, _ domain.Actor) (domain.APIToken, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, t := range f.tokens {
		if t.ID == id {
			at := printed
			f.tokens[i].RevokedAt = &at
			f.writes++
			return f.tokens[i], nil
		}
	}
	return domain.APIToken{}, domain.Errorf(domain.ENOTFOUND, "no token %d", id)
}

func (f *fakeUsers) writeCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

// fakeAudit applies the scope like the store: a restricted scope sees only
// entries on its marks.
type fakeAudit struct {
	mu      sync.Mutex
	entries []domain.AuditEntry
	filter  domain.AuditFilter
	// ignoreScope is the store bug the console's second check is for.
	ignoreScope bool
}

func (f *fakeAudit) ListAudit(_ context.Context, flt domain.AuditFilter) ([]domain.AuditEntry, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.filter = flt
	var out []domain.AuditEntry
	for _, e := range f.entries {
		if !f.ignoreScope && flt.Scope.Restricted && (e.MarkID == "" || !flt.Scope.AllowsMark(e.MarkID)) {
			continue
		}
		out = append(out, e)
	}
	return out, len(out), nil
}

func testAudit() []domain.AuditEntry {
	status := func(s string) json.RawMessage { return json.RawMessage(`{"status":"` + s + `"}`) }
	return []domain.AuditEntry{
		{ID: 1, At: day2, Actor: domain.Actor{Name: "linyi-amr", Role: domain.RoleSupervisor}, Action: domain.AuditAlertReview,
			Object: "alert:1", MarkID: "liugehetao", Before: status("open"), After: status("confirmed"), Note: "临沂市场监管局已立案 <script>alert(1)</script>"},
		{ID: 2, At: day2, Actor: domain.Actor{Name: "linyi-amr", Role: domain.RoleSupervisor}, Action: domain.AuditAlertReview,
			Object: "alert:2", MarkID: "hengshui-laobaigan", Before: status("open"), After: status("confirmed"), Note: "衡水老白乾 高仿 已移交"},
		{ID: 3, At: day1, Actor: domain.Actor{Name: "admin", Role: domain.RoleAdmin}, Action: domain.AuditUserAdd,
			Object: "user:yangyuan", After: json.RawMessage(`{"name":"yangyuan","role":"owner"}`)},
	}
}

// fakeSubs keeps subscriptions and implements the unsubscribe token check:
// tokens maps a token to a subscription id.
type fakeSubs struct {
	mu     sync.Mutex
	subs   map[int64]domain.Subscription
	next   int64
	writes int
	tokens map[string]int64
}

func newFakeSubs() *fakeSubs {
	return &fakeSubs{subs: map[int64]domain.Subscription{
		// A's: 六个核桃 by e-mail, and a DingTalk robot that kept failing.
		1: {ID: 1, UserID: 10, Name: "六个核桃 每日摘要", MarkIDs: []string{"liugehetao"}, Channel: domain.ChannelEmail,
			Target: "ipr@yangyuan.example.cn", Mode: domain.DeliverDaily, DigestTime: "09:00", Secret: ""},
		2: {ID: 2, UserID: 10, Name: "法务群机器人", Channel: domain.ChannelDingTalk,
			Target: "https://oapi.dingtalk.com/robot/send?access_token=tok-A-0001", Secret: "SECdingtalk-A-secret",
			Mode: domain.DeliverImmediate, Disabled: true, DisabledReason: "receiver failing since 2026-11-24: HTTP 502"},
		// B's webhook.
		3: {ID: 3, UserID: 11, Name: "老白干 webhook", MarkIDs: []string{"hengshui-laobaigan"}, Channel: domain.ChannelWebhook,
			Target: "https://hooks.laobaigan.example.cn/markwatch", Secret: "whsec-B-secret", Mode: domain.DeliverImmediate},
	}, next: 4, tokens: map[string]int64{"good-token-1": 1}}
}

func (f *fakeSubs) CreateSubscription(_ context.Context, s domain.Subscription, _ domain.Actor) (domain.Subscription, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s.ID = f.next
	f.next++
	f.subs[s.ID] = s
	f.writes++
	return s, nil
}

func (f *fakeSubs) UpdateSubscription(_ context.Context, s domain.Subscription, _ domain.Actor) (domain.Subscription, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	old, ok := f.subs[s.ID]
	if !ok {
		return domain.Subscription{}, domain.Errorf(domain.ENOTFOUND, "no subscription %d", s.ID)
	}
	if s.Secret == "" {
		s.Secret = old.Secret
	}
	f.subs[s.ID] = s
	f.writes++
	return s, nil
}

func (f *fakeSubs) DeleteSubscription(_ context.Context, id int64, _ domain.Actor) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.subs[id]; !ok {
		return domain.Errorf(domain.ENOTFOUND, "no subscription %d", id)
	}
	delete(f.subs, id)
	f.writes++
	return nil
}

func (f *fakeSubs) GetSubscription(_ context.Context, id int64) (domain.Subscription, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.subs[id]
	if !ok {
		return domain.Subscription{}, domain.Errorf(domain.ENOTFOUND, "subscription %d does not exist", id)
	}
	return s, nil
}

func (f *fakeSubs) ListSubscriptions(_ context.Context, userID int64) ([]domain.Subscription, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []domain.Subscription
	for _, id := range slices.Sorted(maps.Keys(f.subs)) {
		if s := f.subs[id]; userID == 0 || s.UserID == userID {
			out = append(out, s)
		}
	}
	return out, nil
}

func (f *fakeSubs) SetSubscriptionDisabled(_ context.Context, id int64, disabled bool, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.subs[id]
	if !ok {
		return domain.Errorf(domain.ENOTFOUND, "no subscription %d", id)
	}
	s.Disabled, s.DisabledReason = disabled, reason
	f.subs[id] = s
	f.writes++
	return nil
}

func (f *fakeSubs) verify(ctx context.Context, token string) (domain.Subscription, error) {
	f.mu.Lock()
	id, ok := f.tokens[token]
	f.mu.Unlock()
	if !ok {
		// notify's verifier answers a plain error, not a domain one.
		return domain.Subscription{}, errors.New("parsing unsubscribe token: unsubscribe token is not valid")
	}
	return f.GetSubscription(ctx, id)
}

// snapshot is the whole state, to prove a refused request changed nothing.
func (f *fakeSubs) snapshot() (map[int64]domain.Subscription, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.subs), f.writes
}

func (f *fakeSubs) get(id int64) domain.Subscription {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.subs[id]
}

// fakeValidate stands in for subscribe's validation: a DingTalk robot must
// be on DingTalk's host, an e-mail target must be an address.
func fakeValidate(s domain.Subscription, _ domain.User, scope domain.Scope) error {
	for _, m := range s.MarkIDs {
		if !scope.AllowsMark(m) {
			return domain.Errorf(domain.EINVALID, "mark %s is outside the scope", m)
		}
	}
	switch s.Channel {
	case domain.ChannelDingTalk:
		if !strings.HasPrefix(s.Target, "https://oapi.dingtalk.com/robot/send?") {
			return domain.Errorf(domain.EINVALID, "钉钉机器人地址须为 https://oapi.dingtalk.com/robot/send?access_token=…")
		}
	case domain.ChannelEmail:
		if !strings.Contains(s.Target, "@") {
			return domain.Errorf(domain.EINVALID, "电子邮件地址无效 not an e-mail address")
		}
	}
	return nil
}

type fakeNotifications struct {
	mu   sync.Mutex
	rows map[int64][]domain.Notification
}

func (f *fakeNotifications) ListNotifications(_ context.Context, id int64, limit int) ([]domain.Notification, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rows := f.rows[id]
	return rows[:min(limit, len(rows))], nil
}

// fakeSellers applies the scope to claims like the store.
type fakeSellers struct {
	mu     sync.Mutex
	claims []domain.SellerClaim
	writes int
}

func testClaims() []domain.SellerClaim {
	return []domain.SellerClaim{
		{ID: 1, MarkID: "liugehetao", Seller: "某某食品专营店", Note: "授权书 2026-2027 <script>alert(1)</script>", Status: domain.ClaimPending,
			ClaimedBy: domain.Actor{Name: "yangyuan", Role: domain.RoleOwner}, CreatedAt: day1},
		{ID: 2, MarkID: "hengshui-laobaigan", Seller: `<img src=x onerror=alert(1)>酒水专营店`, Status: domain.ClaimPending,
			ClaimedBy: domain.Actor{Name: "laobaigan", Role: domain.RoleOwner}, CreatedAt: day1},
		{ID: 3, MarkID: "liugehetao", Seller: "六个核桃官方旗舰店", Status: domain.ClaimAccepted,
			ClaimedBy: domain.Actor{Name: "yangyuan", Role: domain.RoleOwner}, CreatedAt: day1},
	}
}

func (f *fakeSellers) CreateSellerClaim(_ context.Context, c domain.SellerClaim) (domain.SellerClaim, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c.ID = int64(len(f.claims) + 1)
	f.claims = append(f.claims, c)
	f.writes++
	return c, nil
}

func (f *fakeSellers) DecideSellerClaim(_ context.Context, id int64, accept bool, actor domain.Actor) (domain.SellerClaim, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, c := range f.claims {
		if c.ID == id {
			f.claims[i].Status = domain.ClaimRejected
			if accept {
				f.claims[i].Status = domain.ClaimAccepted
			}
			at := printed
			f.claims[i].DecidedBy, f.claims[i].DecidedAt = &actor, &at
			f.writes++
			return f.claims[i], nil
		}
	}
	return domain.SellerClaim{}, domain.Errorf(domain.ENOTFOUND, "no claim %d", id)
}

func (f *fakeSellers) ListSellerClaims(_ context.Context, scope domain.Scope, status domain.SellerClaimStatus) ([]domain.SellerClaim, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []domain.SellerClaim
	for _, c := range f.claims {
		if scope.AllowsMark(c.MarkID) && (status == "" || c.Status == status) {
			out = append(out, c)
		}
	}
	return out, nil
}

func (f *fakeSellers) snapshot() ([]domain.SellerClaim, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.claims), f.writes
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
