package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// UserStore reads and changes accounts. Writes take the actor and write
// their audit row in the same transaction. Errors: ENOTFOUND for an unknown
// user, ECONFLICT for a name taken.
type UserStore interface {
	CreateUser(ctx context.Context, u domain.User, passwordHash string, actor domain.Actor) (domain.User, error)
	GetUserByName(ctx context.Context, name string) (domain.User, error)
	ListUsers(ctx context.Context) ([]domain.User, error)
	SetUserDisabled(ctx context.Context, name string, disabled bool, actor domain.Actor) (domain.User, error)
}

// maxUserBody bounds POST /api/v1/users; the fields are a few short names.
const maxUserBody = 4 << 10

const userExample = `{"name":"hengshui-ops","role":"owner","owner":"河北衡水老白干酒业股份有限公司","email":"ip@example.cn"}`

// userNamePattern is what a sign-in name may be: letters (Chinese too),
// digits, dot, dash and underscore, so it is one path segment of
// /api/v1/users/{name} and reads the same in the audit log.
func userNamePattern() *regexp.Regexp {
	return regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}._-]{0,63}$`)
}

type userBody struct {
	Name         string      `json:"name"`
	Role         domain.Role `json:"role"`
	Owner        string      `json:"owner"`
	Jurisdiction string      `json:"jurisdiction"`
	Email        string      `json:"email"`
	// Password is optional: without one a strong one is generated and
	// answered once, and the user must change it at first sign-in.
	Password *string `json:"password"`
}

// createdUser answers POST /api/v1/users. Password is set only when it was
// generated, and this is the only time it is ever shown.
type createdUser struct {
	User     domain.User `json:"user"`
	Password string      `json:"password,omitempty"`
}

type userList struct {
	Users []domain.User `json:"users"`
}

// listUsers serves GET /api/v1/users.
func (a *api) listUsers(w http.ResponseWriter, r *http.Request) {
	users, err := a.deps.Users.ListUsers(r.Context())
	if err != nil {
		writeError(w, r, fmt.Errorf("listing users: %w", err))
		return
	}
	if users == nil {
		users = []domain.User{}
	}
	writeJSON(w, http.StatusOK, userList{Users: users})
}

// createUser serves POST /api/v1/users and answers 201.
func (a *api) createUser(w http.ResponseWriter, r *http.Request) {
	p, body, ok := principalBody[userBody](w, r, maxUserBody, userExample)
	if !ok {
		return
	}
	u, err := newUser(body)
	if err != nil {
		writeError(w, r, err)
		return
	}
	var password, generated string
	if body.Password != nil {
		password = *body.Password
		if err := a.deps.Credentials.CheckPassword(password, u.Name); err != nil {
			writeError(w, r, fmt.Errorf("checking the password of user %s: %w", u.Name, err))
			return
		}
	} else {
		if password, err = a.deps.Credentials.GeneratePassword(); err != nil {
			writeError(w, r, fmt.Errorf("generating a password for user %s: %w", u.Name, err))
			return
		}
		generated = password
		u.MustChangePassword = true
	}
	hash, err := a.deps.Credentials.HashPassword(password)
	if err != nil {
		writeError(w, r, fmt.Errorf("hashing the password of user %s: %w", u.Name, err))
		return
	}
	u.CreatedAt = a.deps.Now()
	created, err := a.deps.Users.CreateUser(r.Context(), u, hash, p.Actor())
	if err != nil {
		writeError(w, r, fmt.Errorf("creating user %s: %w", u.Name, err))
		return
	}
	writeJSON(w, http.StatusCreated, createdUser{User: created, Password: generated})
}

// newUser checks the body's fields against each other: an owner user acts
// for exactly one registry owner, only supervisors have a jurisdiction.
func newUser(b userBody) (domain.User, error) {
	u := domain.User{
		Name: strings.TrimSpace(b.Name), Role: b.Role, Owner: strings.TrimSpace(b.Owner),
		Jurisdiction: strings.Join(strings.Fields(b.Jurisdiction), " "), Email: strings.TrimSpace(b.Email),
	}
	if !userNamePattern().MatchString(u.Name) {
		return domain.User{}, domain.Errorf(domain.EINVALID, "user name %q: use 1 to 64 letters, digits, '.', '-' or '_', starting with a letter or digit", b.Name)
	}
	if !u.Role.Valid() {
		return domain.User{}, domain.Errorf(domain.EINVALID, "role %q: must be one of %v", b.Role, domain.Roles)
	}
	switch {
	case u.Role == domain.RoleOwner && u.Owner == "":
		return domain.User{}, domain.Errorf(domain.EINVALID, "an owner user needs owner: the registry owner (权利人名称) whose marks it sees")
	case u.Role != domain.RoleOwner && u.Owner != "":
		return domain.User{}, domain.Errorf(domain.EINVALID, "only owner users have an owner; a %s sees every mark", u.Role)
	case u.Role != domain.RoleSupervisor && u.Jurisdiction != "":
		return domain.User{}, domain.Errorf(domain.EINVALID, "only supervisors have a jurisdiction (a seller location prefix like 河北 石家庄)")
	case utf8.RuneCountInString(u.Owner) > 200 || utf8.RuneCountInString(u.Jurisdiction) > 100:
		return domain.User{}, domain.Errorf(domain.EINVALID, "owner or jurisdiction is too long")
	case u.Email != "" && (len(u.Email) > 254 || !strings.Contains(u.Email, "@") || strings.ContainsAny(u.Email, " \r\n<>,")):
		return domain.User{}, domain.Errorf(domain.EINVALID, "email %q is not an address like ip@example.cn", b.Email)
	}
	return u, nil
}

// disableUser serves POST /api/v1/users/{name}/disable: the user's sessions
// end and its tokens stop working.
func (a *api) disableUser(w http.ResponseWriter, r *http.Request) { a.setDisabled(w, r, true) }

// enableUser serves POST /api/v1/users/{name}/enable.
func (a *api) enableUser(w http.ResponseWriter, r *http.Request) { a.setDisabled(w, r, false) }

func (a *api) setDisabled(w http.ResponseWriter, r *http.Request, disabled bool) {
	p, ok := principal(w, r)
	if !ok {
		return
	}
	name := r.PathValue("name")
	verb := "enabling"
	if disabled {
		verb = "disabling"
		// An admin locking itself out leaves nobody to undo it.
		if name == p.User.Name {
			writeError(w, r, domain.Errorf(domain.EINVALID, "you cannot disable your own account; ask another admin"))
			return
		}
	}
	u, err := a.deps.Users.SetUserDisabled(r.Context(), name, disabled, p.Actor())
	if err != nil {
		writeError(w, r, fmt.Errorf("%s user %s: %w", verb, name, err))
		return
	}
	writeJSON(w, http.StatusOK, u)
}
