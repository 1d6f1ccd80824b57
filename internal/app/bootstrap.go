package app

import (
	"context"
	"fmt"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// firstAdminName is the administrator serve creates when the store has none.
const firstAdminName = "admin"

// Demo users, created in demo mode so a newcomer sees a supervisor's and a
// brand owner's view within the first minute.
const (
	demoSupervisorName = "jianguan"
	demoOwnerName      = "yangyuan"
	demoOwnerMarkName  = "六个核桃"
)

// login is a name and a password to print once.
type login struct {
	Name, Role, Password, Note string
}

// identityStore is what start-up needs of the store to create users.
type identityStore interface {
	CountUsers(ctx context.Context, role domain.Role) (int, error)
	CreateUser(ctx context.Context, u domain.User, passwordHash string, actor domain.Actor) (domain.User, error)
	GetUserByName(ctx context.Context, name string) (domain.User, error)
	SetPasswordHash(ctx context.Context, userID int64, hash string, mustChange bool, actor domain.Actor) error
	SetUserDisabled(ctx context.Context, name string, disabled bool, actor domain.Actor) (domain.User, error)
}

// ensureAdmin creates the first administrator with a generated one-time
// password when no admin exists. The password is returned to be printed
// once; only its hash is stored, and it must be changed at first sign-in.
func ensureAdmin(ctx context.Context, st identityStore) (*login, error) {
	n, err := st.CountUsers(ctx, domain.RoleAdmin)
	if err != nil {
		return nil, fmt.Errorf("looking for an administrator: %w", err)
	}
	if n > 0 {
		return nil, nil
	}
	name := firstAdminName
	if _, err := st.GetUserByName(ctx, name); err == nil {
		// A user called admin exists but is not one (demoted by hand):
		// pick a name that cannot collide rather than promote it.
		name = "admin-1"
	}
	pw, err := access.GeneratePassword()
	if err != nil {
		return nil, fmt.Errorf("creating the first administrator: %w", err)
	}
	hash, err := access.HashPassword(pw)
	if err != nil {
		return nil, fmt.Errorf("creating the first administrator: %w", err)
	}
	u := domain.User{Name: name, Role: domain.RoleAdmin, MustChangePassword: true}
	if _, err := st.CreateUser(ctx, u, hash, domain.SystemActor); err != nil {
		return nil, fmt.Errorf("creating the first administrator: %w", err)
	}
	return &login{Name: name, Role: "admin 管理员", Password: pw, Note: "one-time: change it at first sign-in"}, nil
}

// ensureDemoUsers creates (or re-enables) the demo supervisor and the
// demo owner of 六个核桃 and gives them fresh passwords at every demo start,
// so `make run` can always print working logins. Outside demo mode they
// are never created.
func ensureDemoUsers(ctx context.Context, st identityStore, marks []domain.Mark) ([]login, error) {
	owner := ""
	for _, m := range marks {
		if m.Name == demoOwnerMarkName {
			owner = m.Owner
		}
	}
	users := []domain.User{{Name: demoSupervisorName, Role: domain.RoleSupervisor}}
	if owner != "" {
		users = append(users, domain.User{Name: demoOwnerName, Role: domain.RoleOwner, Owner: owner})
	}
	var out []login
	for _, u := range users {
		pw, err := access.GeneratePassword()
		if err != nil {
			return nil, fmt.Errorf("creating demo user %s: %w", u.Name, err)
		}
		hash, err := access.HashPassword(pw)
		if err != nil {
			return nil, fmt.Errorf("creating demo user %s: %w", u.Name, err)
		}
		existing, err := st.GetUserByName(ctx, u.Name)
		switch {
		case domain.ErrorCode(err) == domain.ENOTFOUND:
			if _, err := st.CreateUser(ctx, u, hash, domain.SystemActor); err != nil {
				return nil, fmt.Errorf("creating demo user %s: %w", u.Name, err)
			}
		case err != nil:
			return nil, fmt.Errorf("reading demo user %s: %w", u.Name, err)
		default:
			if existing.Role != u.Role || existing.Owner != u.Owner {
				// Someone made this name their own: leave it alone.
				continue
			}
			if existing.Disabled {
				if _, err := st.SetUserDisabled(ctx, u.Name, false, domain.SystemActor); err != nil {
					return nil, fmt.Errorf("enabling demo user %s: %w", u.Name, err)
				}
			}
			if err := st.SetPasswordHash(ctx, existing.ID, hash, false, domain.SystemActor); err != nil {
				return nil, fmt.Errorf("resetting demo user %s: %w", u.Name, err)
			}
		}
		l := login{Name: u.Name, Password: pw}
		if u.Role == domain.RoleOwner {
			l.Role = "owner 权利人"
			l.Note = "sees only " + owner + "'s marks (" + demoOwnerMarkName + " …)"
		} else {
			l.Role = "supervisor 市场监管"
			l.Note = "reviews every alert"
		}
		out = append(out, l)
	}
	return out, nil
}
