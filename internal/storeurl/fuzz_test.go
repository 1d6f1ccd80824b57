package storeurl

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// passwordLike is what the fuzz test takes for a password: the characters
// passwords are made of, none of a URL's punctuation, since such a text
// could be read out of the URL's own structure ("@", "?pa" of
// "?password=") and tell nothing.
var passwordLike = regexp.MustCompile(`^[A-Za-z0-9!$*_.~-]{4,}$`)

// FuzzRedactHidesWhatPgxReadsAsThePassword checks the reading against
// pgx's own (pgconn.ParseConfig, which the store connects with): whatever
// pgx reads as the password — from a URL's userinfo, its password=
// parameter, or a keyword/value connection string an operator may paste —
// Redact does not show, and Passwords lists it, so a driver's error that
// repeats it can be cleaned.
func FuzzRedactHidesWhatPgxReadsAsThePassword(f *testing.F) {
	for _, seed := range []string{
		"postgres://markwatch:s3cret-pw@db.hebei.local:5432/markwatch?sslmode=require",
		"postgresql://markwatch@db/markwatch?password=s3cret-pw",
		"postgres://markwatch:s3cret%40pw@db/markwatch",
		"postgres://markwatch:s3cret@pw@db/markwatch",
		"postgres://markwatch:s3cr?et#pw@db/markwatch",
		"postgres://markwatch@db/markwatch?password=s3cr+et%20pw&sslmode=disable",
		"host=db.hebei.local user=markwatch password=s3cret-pw dbname=markwatch",
		"Postgres://markwatch:s3cret-pw@db/markwatch",
		"postgres://markwatch:s3cret-pw@db1:5432,db2:5433/markwatch",
		"sqlite:/var/lib/markwatch/markwatch.db",
	} {
		f.Add(seed)
	}
	// pgx also takes a password from the environment or ~/.pgpass; then
	// the one it reads need not be in the URL.
	home, _ := os.UserHomeDir()
	ambient := os.Getenv("PGPASSWORD") != "" || os.Getenv("PGPASSFILE") != "" || fileExists(filepath.Join(home, ".pgpass"))
	f.Fuzz(func(t *testing.T, raw string) {
		cfg, err := pgconn.ParseConfig(raw)
		if err != nil || cfg.Password == "" {
			return
		}
		pw := cfg.Password
		if !ambient && IsURL(raw) && !slices.Contains(Passwords(raw), pw) {
			t.Fatalf("pgx reads %q's password as %q; Passwords lists %q", raw, pw, Passwords(raw))
		}
		// A password that is also the host, user, database or a parameter
		// cannot be told apart from them in the text shown, nor one made
		// of the letters of percent-escapes and \x escapes only.
		if !passwordLike.MatchString(pw) || len(strings.Trim(pw, "0123456789ABCDEFabcdefxXuU")) < 2 {
			return
		}
		visible := []string{cfg.Host, cfg.User, cfg.Database, strconv.Itoa(int(cfg.Port)), "postgresql", "?password=", "&sslpassword=", Hidden}
		for _, fb := range cfg.Fallbacks {
			visible = append(visible, fb.Host, strconv.Itoa(int(fb.Port)))
		}
		// Other parameters' values are shown; one may hold the same text.
		if _, query, ok := strings.Cut(raw, "?"); ok {
			for _, param := range strings.Split(query, "&") {
				if k, v, _ := strings.Cut(param, "="); k != "password" && k != "sslpassword" {
					visible = append(visible, v)
				}
			}
		}
		for k, v := range cfg.RuntimeParams {
			visible = append(visible, k, v)
		}
		for _, v := range visible {
			if strings.Contains(v, pw) || strings.Contains(strconv.Quote(v), pw) {
				return
			}
		}
		if shown := Redact(raw); strings.Contains(shown, pw) {
			t.Fatalf("%q redacts to %q, which holds the password %q", raw, shown, pw)
		}
	})
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
