package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

const usersUsage = `usage:
  markwatch users add NAME --role admin|operator|supervisor|owner [--owner "权利人名称"] [--jurisdiction "河北 石家庄"] [--email ADDR] [--password-stdin]
  markwatch users list [--json]
  markwatch users disable NAME
  markwatch users enable NAME
  markwatch users passwd NAME [--password-stdin]

Users live in the store under data_dir; these commands work on it directly, so
whoever runs them with access to the data directory acts as an administrator.
Without --password-stdin a password is generated, printed once, and must be
changed at first sign-in.`

// runUsers manages console and API users in the store.
func runUsers(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return usagef("%s", usersUsage)
	}
	sub := args[0]
	fs := newFlags("users "+sub, env)
	cfgPath := configFlag(fs)
	var (
		role, owner, jurisdiction, email *string
		pwStdin, asJSON                  *bool
	)
	switch sub {
	case "add":
		role = fs.String("role", "", "admin, operator, supervisor or owner")
		owner = fs.String("owner", "", "for owners: the rights holder as the registry names it (权利人名称)")
		jurisdiction = fs.String("jurisdiction", "", `for supervisors: seller locations they review, e.g. "河北" or "河北 石家庄"`)
		email = fs.String("email", "", "e-mail address (for subscriptions)")
		pwStdin = fs.Bool("password-stdin", false, "read the password from the first line of stdin instead of generating one")
	case "passwd":
		pwStdin = fs.Bool("password-stdin", false, "read the new password from the first line of stdin instead of generating one")
	case "list":
		asJSON = fs.Bool("json", false, "print JSON lines instead of a table")
	case "disable", "enable":
	default:
		return usagef("unknown subcommand %q\n%s", sub, usersUsage)
	}
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	want := 1
	if sub == "list" {
		want = 0
	}
	if len(pos) != want {
		return usagef("wrong number of arguments for %q\n%s", sub, usersUsage)
	}
	cfg, err := loadConfig(*cfgPath, env)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, sub == "add")
	if err != nil {
		return err
	}
	defer db.Close()
	actor := cliActor(env)

	switch sub {
	case "add":
		marks, err := loadRegistry(cfg.Registry.Path)
		if err != nil {
			return err
		}
		u := domain.User{Name: pos[0], Role: domain.Role(*role), Owner: strings.TrimSpace(*owner),
			Jurisdiction: strings.Join(strings.Fields(*jurisdiction), " "), Email: strings.TrimSpace(*email)}
		if *role == "" {
			return usagef("users add needs --role (%s)\n%s", rolesText(), usersUsage)
		}
		if err := checkUserFields(u, marks); err != nil {
			return fmt.Errorf("adding user %s: %w", u.Name, err)
		}
		pw, generated, err := newPassword(env, *pwStdin, u.Name)
		if err != nil {
			return fmt.Errorf("adding user %s: %w", u.Name, err)
		}
		hash, err := access.HashPassword(pw)
		if err != nil {
			return fmt.Errorf("adding user %s: %w", u.Name, err)
		}
		u.MustChangePassword = generated
		created, err := db.CreateUser(ctx, u, hash, actor)
		if err != nil {
			return fmt.Errorf("adding user %s: %w", u.Name, err)
		}
		fmt.Fprintf(env.Stderr, "user %s added (role %s%s)\n", created.Name, created.Role, bindingText(created))
		if generated {
			fmt.Fprintf(env.Stderr, "one-time password (shown only now; it must be changed at first sign-in):\n")
			fmt.Fprintln(env.Stdout, pw)
		}
		return nil
	case "passwd":
		u, err := db.GetUserByName(ctx, pos[0])
		if err != nil {
			return fmt.Errorf("changing password of %s: %w", pos[0], err)
		}
		pw, generated, err := newPassword(env, *pwStdin, u.Name)
		if err != nil {
			return fmt.Errorf("changing password of %s: %w", u.Name, err)
		}
		hash, err := access.HashPassword(pw)
		if err != nil {
			return fmt.Errorf("changing password of %s: %w", u.Name, err)
		}
		if err := db.SetPasswordHash(ctx, u.ID, hash, generated, actor); err != nil {
			return fmt.Errorf("changing password of %s: %w", u.Name, err)
		}
		fmt.Fprintf(env.Stderr, "password of %s changed; its console sessions are signed out\n", u.Name)
		if generated {
			fmt.Fprintf(env.Stderr, "one-time password (shown only now; it must be changed at first sign-in):\n")
			fmt.Fprintln(env.Stdout, pw)
		}
		return nil
	case "disable", "enable":
		u, err := db.SetUserDisabled(ctx, pos[0], sub == "disable", actor)
		if err != nil {
			return fmt.Errorf("%s user %s: %w", strings.TrimSuffix(sub, "e")+"ing", pos[0], err)
		}
		state := "enabled"
		if u.Disabled {
			state = "disabled: its sessions are signed out and its tokens refused"
		}
		fmt.Fprintf(env.Stdout, "user %s %s\n", u.Name, state)
		return nil
	case "list":
		users, err := db.ListUsers(ctx)
		if err != nil {
			return fmt.Errorf("listing users: %w", err)
		}
		return printUsers(env.Stdout, users, *asJSON)
	}
	return nil
}

// newPassword reads the password from stdin's first line, or generates one.
func newPassword(env Env, fromStdin bool, name string) (pw string, generated bool, err error) {
	if !fromStdin {
		pw, err := access.GeneratePassword()
		return pw, true, err
	}
	line, err := bufio.NewReader(io.LimitReader(env.Stdin, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", false, fmt.Errorf("reading the password from stdin: %w", err)
	}
	pw = strings.TrimRight(line, "\r\n")
	if err := access.CheckPassword(pw, name); err != nil {
		return "", false, err
	}
	return pw, false, nil
}

func bindingText(u domain.User) string {
	switch {
	case u.Owner != "":
		return ", owner " + u.Owner
	case u.Jurisdiction != "":
		return ", jurisdiction " + u.Jurisdiction
	}
	return ""
}

func printUsers(w io.Writer, users []domain.User, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, u := range users {
			if err := enc.Encode(u); err != nil {
				return fmt.Errorf("writing users: %w", err)
			}
		}
		return nil
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "NAME\tROLE\tOWNER / JURISDICTION\tEMAIL\tSTATE\tCREATED")
	for _, u := range users {
		state := "active"
		if u.Disabled {
			state = "disabled"
		} else if u.MustChangePassword {
			state = "must change password"
		}
		binding := u.Owner
		if binding == "" {
			binding = u.Jurisdiction
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, orDash(binding), orDash(u.Email), state,
			u.CreatedAt.Format(timeLayout))
	}
	return tw.Flush()
}
