package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

const tokensUsage = `usage:
  markwatch tokens create --user NAME [--name LABEL] [--expires 90d]
  markwatch tokens list [--user NAME] [--json]
  markwatch tokens revoke ID

create prints the new token alone on stdout, once; only its hash is stored.
Give it to the CLI as MARKWATCH_TOKEN (or a mode-0600 file named by
MARKWATCH_TOKEN_FILE / --token-file), or to scripts as
"Authorization: Bearer <token>". --expires takes days (90d), hours (12h) or
0 for a token that does not expire.`

// defaultTokenExpiry is a quarter: long enough for a script, short enough
// that a forgotten token dies.
// tokenPrefix marks markwatch API tokens, so secret scanners and people
// can tell one from other strings.
const tokenPrefix = "mwt_"

// runTokens manages API tokens in the store.
func runTokens(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return usagef("%s", tokensUsage)
	}
	sub := args[0]
	fs := newFlags("tokens "+sub, env)
	cfgPath := configFlag(fs)
	var userName, label, expires *string
	var asJSON *bool
	switch sub {
	case "create":
		userName = fs.String("user", "", "the user the token acts as")
		label = fs.String("name", "", "a label to tell tokens apart, e.g. ci or 巡查脚本")
		expires = fs.String("expires", "90d", "lifetime: days (90d), hours (12h), or 0 for none")
	case "list":
		userName = fs.String("user", "", "only this user's tokens")
		asJSON = fs.Bool("json", false, "print JSON lines instead of a table")
	case "revoke":
	default:
		return usagef("unknown subcommand %q\n%s", sub, tokensUsage)
	}
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	if want := map[string]int{"create": 0, "list": 0, "revoke": 1}[sub]; len(pos) != want {
		return usagef("wrong number of arguments for %q\n%s", sub, tokensUsage)
	}
	cfg, err := loadConfig(*cfgPath, env)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer db.Close()
	actor := cliActor(env)

	switch sub {
	case "create":
		if *userName == "" {
			return usagef("tokens create needs --user NAME\n%s", tokensUsage)
		}
		life, err := parseLifetime(*expires)
		if err != nil {
			return usagef("--expires %q: %v", *expires, err)
		}
		u, err := db.GetUserByName(ctx, *userName)
		if err != nil {
			return fmt.Errorf("creating token for %s: %w", *userName, err)
		}
		if u.Disabled {
			return fmt.Errorf("creating token for %s: %w", u.Name, domain.Errorf(domain.EINVALID, "user %s is disabled; enable it first (markwatch users enable %s)", u.Name, u.Name))
		}
		secret, hash, shown, err := access.NewSecret(tokenPrefix)
		if err != nil {
			return fmt.Errorf("creating token for %s: %w", u.Name, err)
		}
		t := domain.APIToken{UserID: u.ID, Name: *label, Hash: hash, Prefix: shown}
		if life > 0 {
			at := time.Now().Add(life).UTC()
			t.ExpiresAt = &at
		}
		created, err := db.CreateToken(ctx, t, actor)
		if err != nil {
			return fmt.Errorf("creating token for %s: %w", u.Name, err)
		}
		until := "never expires"
		if created.ExpiresAt != nil {
			until = "expires " + created.ExpiresAt.Local().Format(timeLayout)
		}
		fmt.Fprintf(env.Stderr, "token %d for %s (%s); it is shown only now:\n", created.ID, u.Name, until)
		fmt.Fprintln(env.Stdout, secret)
		return nil
	case "revoke":
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil || id <= 0 {
			return usagef("token id %q: give the number `markwatch tokens list` shows", pos[0])
		}
		t, err := db.RevokeToken(ctx, id, actor)
		if err != nil {
			return fmt.Errorf("revoking token %d: %w", id, err)
		}
		fmt.Fprintf(env.Stdout, "token %d (%s, %s) revoked\n", t.ID, orDash(t.Name), t.Prefix)
		return nil
	case "list":
		var uid int64
		if *userName != "" {
			u, err := db.GetUserByName(ctx, *userName)
			if err != nil {
				return fmt.Errorf("listing tokens of %s: %w", *userName, err)
			}
			uid = u.ID
		}
		tokens, err := db.ListTokens(ctx, uid)
		if err != nil {
			return fmt.Errorf("listing tokens: %w", err)
		}
		return printTokens(env.Stdout, tokens, *asJSON)
	}
	return nil
}

// parseLifetime reads 90d, 12h, 30m or 0. Days are what people think in
// for tokens; Go durations stop at hours.
func parseLifetime(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" || s == "" {
		return 0, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 || days > 3650 {
			return 0, fmt.Errorf("write a whole number of days from 1 to 3650, e.g. 90d")
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("write days (90d), hours (12h) or 0 for no expiry")
	}
	return d, nil
}

func printTokens(w io.Writer, tokens []domain.APIToken, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, t := range tokens {
			if err := enc.Encode(t); err != nil {
				return fmt.Errorf("writing tokens: %w", err)
			}
		}
		return nil
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "ID\tUSER\tNAME\tPREFIX\tCREATED\tEXPIRES\tLAST USED\tSTATE")
	for _, t := range tokens {
		state := "active"
		if t.RevokedAt != nil {
			state = "revoked"
		} else if t.ExpiresAt != nil && t.ExpiresAt.Before(time.Now()) {
			state = "expired"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.UserName, orDash(t.Name), t.Prefix,
			t.CreatedAt.Local().Format(timeLayout), optTime(t.ExpiresAt), optTime(t.LastUsedAt), state)
	}
	return tw.Flush()
}

func optTime(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.Local().Format(timeLayout)
}
