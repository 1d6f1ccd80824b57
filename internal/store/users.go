package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// maxNameRunes bounds user names: they appear in audit rows, page headers
// and CLI tables.
const maxNameRunes = 64

// userColumns never includes password_hash: only GetPasswordHash reads it,
// so no other path can leak it into a response or a log line.
const userColumns = `id, name, role, owner, jurisdiction, email, disabled, created_at, must_change_password`

// validateUserName says what to fix in a name. Whitespace, control and
// invisible format characters are refused so two accounts cannot look alike
// in the audit log ("ops" and "ops\u200b").
func validateUserName(name string) error {
	n := utf8.RuneCountInString(name)
	if n == 0 || n > maxNameRunes {
		return domain.Errorf(domain.EINVALID, "user name %q must be 1 to %d characters long", name, maxNameRunes)
	}
	if !utf8.ValidString(name) {
		return domain.Errorf(domain.EINVALID, "user name %q is not valid UTF-8", name)
	}
	for _, r := range name {
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return domain.Errorf(domain.EINVALID,
				"user name %q contains a space, control or invisible character (%U); use letters, digits and punctuation only", name, r)
		}
	}
	return nil
}

func validateUser(u domain.User) error {
	if err := validateUserName(u.Name); err != nil {
		return err
	}
	if !u.Role.Valid() {
		return domain.Errorf(domain.EINVALID, "user %s: role %q must be one of %v", u.Name, u.Role, domain.Roles)
	}
	if u.Role == domain.RoleOwner && strings.TrimSpace(u.Owner) == "" {
		return domain.Errorf(domain.EINVALID,
			"user %s: an owner user needs the registry owner it acts for (e.g. 河北养元智汇饮品股份有限公司)", u.Name)
	}
	return nil
}

// CreateUser adds a user with the given password hash (a PHC string made by
// package access; empty means the user cannot sign in with a password) and
// records user.add. A name taken in any letter case is domain.ECONFLICT.
func (db *DB) CreateUser(ctx context.Context, u domain.User, passwordHash string, actor domain.Actor) (domain.User, error) {
	u.Owner = strings.TrimSpace(u.Owner)
	// Stored normalised so the console shows what LocationWithin compares.
	u.Jurisdiction = strings.Join(strings.Fields(u.Jurisdiction), " ")
	u.Email = strings.TrimSpace(u.Email)
	if err := validateUser(u); err != nil {
		return domain.User{}, err
	}
	u.CreatedAt = db.stamp()
	err := db.inTx(ctx, "creating user "+u.Name, func(tx *sql.Tx) error {
		var taken string
		err := tx.QueryRowContext(ctx, "SELECT name FROM users WHERE name = ?", u.Name).Scan(&taken)
		if err == nil {
			return domain.Errorf(domain.ECONFLICT, "user name %q is taken (by %q); choose another", u.Name, taken)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("checking name: %w", err)
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO users
			(name, role, owner, jurisdiction, email, password_hash, disabled, must_change_password, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			u.Name, string(u.Role), u.Owner, u.Jurisdiction, u.Email, passwordHash, u.Disabled, u.MustChangePassword,
			toMillis(u.CreatedAt)).Scan(&u.ID)
		if err != nil {
			return fmt.Errorf("inserting: %w", err)
		}
		// domain.User carries no credential, so it is safe as the document.
		_, err = db.appendAudit(ctx, tx, domain.AuditEntry{
			Actor: actor, Action: domain.AuditUserAdd, Object: "user:" + u.Name, After: auditDoc(u),
		})
		return err
	})
	if err != nil {
		return domain.User{}, err
	}
	return u, nil
}

// GetUser returns a user by id; a missing id is domain.ENOTFOUND.
func (db *DB) GetUser(ctx context.Context, id int64) (domain.User, error) {
	u, err := scanUser(db.reads.userByID.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.User{}, domain.Errorf(domain.ENOTFOUND, "user %d does not exist", id)
	}
	if err != nil {
		return domain.User{}, fmt.Errorf("reading user %d: %w", id, err)
	}
	return u, nil
}

// GetUserByName returns a user by name in any letter case.
func (db *DB) GetUserByName(ctx context.Context, name string) (domain.User, error) {
	u, err := scanUser(db.sql.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE name = ?", name))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.User{}, domain.Errorf(domain.ENOTFOUND, "user %q does not exist", name)
	}
	if err != nil {
		return domain.User{}, fmt.Errorf("reading user %q: %w", name, err)
	}
	return u, nil
}

// GetPasswordHash returns a user and its password hash, for sign-in only.
func (db *DB) GetPasswordHash(ctx context.Context, name string) (domain.User, string, error) {
	var hash string
	row := db.sql.QueryRowContext(ctx, "SELECT "+userColumns+", password_hash FROM users WHERE name = ?", name)
	u, err := scanUser(row, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.User{}, "", domain.Errorf(domain.ENOTFOUND, "user %q does not exist", name)
	}
	if err != nil {
		return domain.User{}, "", fmt.Errorf("reading credentials of %q: %w", name, err)
	}
	return u, hash, nil
}

// ListUsers returns every user, by name.
func (db *DB) ListUsers(ctx context.Context) ([]domain.User, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT "+userColumns+" FROM users ORDER BY name, id")
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	// scanUser's extra destinations are for joins; a plain list has none.
	out, err := scanAll(rows, func(s scanner) (domain.User, error) { return scanUser(s) })
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	return out, nil
}

// CountUsers counts users of a role, or all users for role "" (the daemon
// creates a first admin when there is none).
func (db *DB) CountUsers(ctx context.Context, role domain.Role) (int, error) {
	q, args := "SELECT count(*) FROM users", []any{}
	if role != "" {
		if !role.Valid() {
			return 0, domain.Errorf(domain.EINVALID, "counting users: role %q must be one of %v", role, domain.Roles)
		}
		q, args = q+" WHERE role = ?", append(args, string(role))
	}
	var n int
	if err := db.sql.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting users: %w", err)
	}
	return n, nil
}

// SetUserDisabled disables or enables a user and records it. Disabling ends
// the user's sessions at once; its tokens stay but stop working, because
// access refuses tokens of disabled users, so enabling again restores them.
func (db *DB) SetUserDisabled(ctx context.Context, name string, disabled bool, actor domain.Actor) (domain.User, error) {
	action, verb := domain.AuditUserEnable, "enabling"
	if disabled {
		action, verb = domain.AuditUserDisable, "disabling"
	}
	var u domain.User
	err := db.inTx(ctx, verb+" user "+name, func(tx *sql.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE name = ?", name))
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "user %q does not exist", name)
		}
		if err != nil {
			return fmt.Errorf("reading: %w", err)
		}
		before := u.Disabled
		if _, err := tx.ExecContext(ctx, "UPDATE users SET disabled = ? WHERE id = ?", disabled, u.ID); err != nil {
			return fmt.Errorf("updating: %w", err)
		}
		if disabled {
			if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", u.ID); err != nil {
				return fmt.Errorf("ending sessions: %w", err)
			}
		}
		u.Disabled = disabled
		_, err = db.appendAudit(ctx, tx, domain.AuditEntry{
			Actor: actor, Action: action, Object: "user:" + u.Name,
			Before: auditDoc(map[string]bool{"disabled": before}), After: auditDoc(map[string]bool{"disabled": disabled}),
		})
		return err
	})
	if err != nil {
		return domain.User{}, err
	}
	return u, nil
}

// SetPasswordHash replaces a user's password hash and ends all its sessions,
// so a stolen session dies with the old password. The audit row says only
// that the password changed, never the hash.
func (db *DB) SetPasswordHash(ctx context.Context, userID int64, hash string, mustChange bool, actor domain.Actor) error {
	return db.inTx(ctx, fmt.Sprintf("setting password of user %d", userID), func(tx *sql.Tx) error {
		var name string
		var oldMust bool
		err := tx.QueryRowContext(ctx, "SELECT name, must_change_password FROM users WHERE id = ?", userID).Scan(&name, &oldMust)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "user %d does not exist", userID)
		}
		if err != nil {
			return fmt.Errorf("reading: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?",
			hash, mustChange, userID); err != nil {
			return fmt.Errorf("updating: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", userID); err != nil {
			return fmt.Errorf("ending sessions: %w", err)
		}
		_, err = db.appendAudit(ctx, tx, domain.AuditEntry{
			Actor: actor, Action: domain.AuditUserPassword, Object: "user:" + name,
			Before: auditDoc(map[string]bool{"must_change_password": oldMust}),
			After:  auditDoc(map[string]bool{"must_change_password": mustChange, "password_changed": true}),
		})
		return err
	})
}

// userScan holds the destinations of userColumns, so a user can be read
// alone (scanUser) or as part of a wider row (loadSubscribers).
type userScan struct {
	u       domain.User
	role    string
	created int64
}

func (s *userScan) dest() []any {
	return []any{&s.u.ID, &s.u.Name, &s.role, &s.u.Owner, &s.u.Jurisdiction, &s.u.Email, &s.u.Disabled, &s.created,
		&s.u.MustChangePassword}
}

func (s *userScan) user() domain.User {
	u := s.u
	u.Role, u.CreatedAt = domain.Role(s.role), fromMillis(s.created)
	return u
}

// scanUser reads userColumns, then any extra destinations.
func scanUser(s scanner, extra ...any) (domain.User, error) {
	us := &userScan{}
	if err := s.Scan(append(us.dest(), extra...)...); err != nil {
		return domain.User{}, err
	}
	return us.user(), nil
}

// scanFunc adapts a function to scanner, to read a row in parts.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// prefixed qualifies a comma-separated column list with a table alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}
