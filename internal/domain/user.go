package domain

import (
	"strings"
	"time"
)

// Role is what a user may do. The rules that give each role its rights live
// in package access; here is only the vocabulary.
type Role string

const (
	// RoleAdmin manages users, tokens, sources and schedules; sees everything.
	RoleAdmin Role = "admin"
	// RoleOperator tunes what is crawled and when (sources, schedules,
	// run-now) and reads alerts; it reviews nothing and manages no users.
	RoleOperator Role = "operator"
	// RoleSupervisor (市场监管) reviews alerts, optionally limited to a
	// jurisdiction of seller locations.
	RoleSupervisor Role = "supervisor"
	// RoleOwner is a rights holder bound to one registry owner: it sees only
	// that owner's marks.
	RoleOwner Role = "owner"
)

// Roles lists every role, for messages that say which are valid.
var Roles = []Role{RoleAdmin, RoleOperator, RoleSupervisor, RoleOwner}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, v := range Roles {
		if r == v {
			return true
		}
	}
	return false
}

// User is a person or system that signs in. Credentials are never part of
// it: the password hash and token hashes travel separately, so a User can be
// logged, rendered and encoded without leaking them.
type User struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role"`
	// Owner is the registry owner (权利人名称) an owner user acts for; its
	// marks are the ones the user may see. Empty for other roles.
	Owner string `json:"owner,omitempty"`
	// Jurisdiction limits a supervisor to alerts whose seller location
	// starts with it ("河北", "河北 石家庄"); empty sees every location.
	Jurisdiction string    `json:"jurisdiction,omitempty"`
	Email        string    `json:"email,omitempty"`
	Disabled     bool      `json:"disabled"`
	CreatedAt    time.Time `json:"created_at"`
	// MustChangePassword is set for generated first-start passwords.
	MustChangePassword bool `json:"must_change_password,omitempty"`
}

// Session is a console sign-in kept in the store. The cookie carries a
// random secret; the store keeps only its SHA-256 (TokenHash), so a copy
// of the database does not let anyone sign in.
type Session struct {
	TokenHash string    `json:"-"`
	UserID    int64     `json:"user_id"`
	CSRFToken string    `json:"-"` // per session; echoed by console forms
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	// ExpiresAt is the absolute expiry; idle expiry is LastSeen + the idle
	// timeout, judged by package access.
	ExpiresAt  time.Time `json:"expires_at"`
	RemoteAddr string    `json:"remote_addr,omitempty"`
	UserAgent  string    `json:"user_agent,omitempty"`
}

// APIToken is a bearer token for the API and CLI. Only its SHA-256 is
// stored (Hash); the secret is shown once when created.
type APIToken struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	UserName   string     `json:"user_name,omitempty"`
	Name       string     `json:"name"`
	Hash       string     `json:"-"`
	Prefix     string     `json:"prefix"` // the first characters, to tell tokens apart in lists
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Actor is who made a change, as the audit log records it. A zero Actor is
// the system itself (the daemon at start, a migration).
type Actor struct {
	UserID     int64  `json:"user_id,omitempty"`
	Name       string `json:"name"`
	Role       Role   `json:"role,omitempty"`
	Via        string `json:"via,omitempty"` // session, token, cli, system
	RemoteAddr string `json:"remote_addr,omitempty"`
}

// SystemActor is the daemon acting on its own.
var SystemActor = Actor{Name: "system", Via: "system"}

// Scope is what a principal may see of alerts, hits, evidence and cases. It
// is computed once per request by package access and applied by every
// reader (store, index, console), so a reader cannot forget a rule.
type Scope struct {
	// Restricted is false for principals who see every mark.
	Restricted bool `json:"restricted"`
	// MarkIDs are the marks a restricted principal sees; a restricted
	// scope with none sees nothing.
	MarkIDs []string `json:"mark_ids,omitempty"`
	// Jurisdiction, when set, keeps only alerts whose seller location
	// starts with it (see LocationWithin).
	Jurisdiction string `json:"jurisdiction,omitempty"`
}

// Unrestricted sees everything.
var Unrestricted = Scope{}

// AllowsMark reports whether marks of id are visible.
func (s Scope) AllowsMark(id string) bool {
	if !s.Restricted {
		return true
	}
	for _, m := range s.MarkIDs {
		if m == id {
			return true
		}
	}
	return false
}

// Allows reports whether an alert or hit on mark id with seller location
// loc is visible.
func (s Scope) Allows(markID, loc string) bool {
	return s.AllowsMark(markID) && LocationWithin(loc, s.Jurisdiction)
}

// LocationWithin reports whether a marketplace seller location ("河北 石家庄")
// lies in jurisdiction ("河北" or "河北 石家庄"): the jurisdiction's words are
// the location's first words. Spacing is normalised; an empty jurisdiction
// contains everything.
func LocationWithin(loc, jurisdiction string) bool {
	j := strings.Fields(jurisdiction)
	if len(j) == 0 {
		return true
	}
	l := strings.Fields(loc)
	if len(l) < len(j) {
		return false
	}
	for i := range j {
		if l[i] != j[i] {
			return false
		}
	}
	return true
}

// CommonJurisdiction is the leading location words every alert shares,
// split as LocationWithin splits them ("河北 石家庄 长安" and "河北 石家庄 桥西"
// → "河北 石家庄"): the widest jurisdiction that holds all their sellers, so
// every one of them lies within it. An alert without a location, or no
// word in common, gives "".
func CommonJurisdiction(alerts []Alert) string {
	var common []string
	for i, a := range alerts {
		words := strings.Fields(a.Location)
		if i == 0 {
			common = words
			continue
		}
		n := 0
		for n < len(common) && n < len(words) && common[n] == words[n] {
			n++
		}
		common = common[:n]
	}
	return strings.Join(common, " ")
}

// LocationPrefixes lists the jurisdictions a location lies in, from the
// widest: "河北 石家庄" → ["河北", "河北 石家庄"]. The search index stores
// them so a jurisdiction filter is an equality test.
func LocationPrefixes(loc string) []string {
	words := strings.Fields(loc)
	out := make([]string, 0, len(words))
	for i := range words {
		out = append(out, strings.Join(words[:i+1], " "))
	}
	return out
}
