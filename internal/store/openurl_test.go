package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/storeurl"
)

// OpenURL takes the forms of docs/DISTRIBUTED.md and refuses the rest,
// never repeating a password, whatever the URL gets wrong.
func TestOpenURLRefusals(t *testing.T) {
	const secret = "衡水老白干-pw-7f3a"
	cases := []struct {
		name, url string
		code      string
	}{
		{"empty", "", domain.EINVALID},
		{"a bare path", "/var/lib/markwatch/markwatch.db", domain.EINVALID},
		{"another database", "mysql://markwatch:" + secret + "@db.internal/markwatch", domain.EINVALID},
		{"sqlite without a path", "sqlite:", domain.EINVALID},
		{"a URL that does not parse", "postgres://markwatch:" + secret + "@db.internal:99999999/x%zz", domain.EINVALID},
		{"nobody listening", "postgres://markwatch:" + secret + "@127.0.0.1:1/markwatch?connect_timeout=5", domain.EUNAVAILABLE},
		{"password as a parameter, nobody listening", "postgres://markwatch@127.0.0.1:1/markwatch?password=" + secret, domain.EUNAVAILABLE},
		{"postgresql scheme, nobody listening", "postgresql://markwatch:" + secret + "@127.0.0.1:1/markwatch", domain.EUNAVAILABLE},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, err := OpenURL(context.Background(), c.url, Options{})
			if err == nil {
				_ = db.Close()
				t.Fatalf("OpenURL(%q) opened a store", c.url)
			}
			if domain.ErrorCode(err) != c.code {
				t.Errorf("code %q, want %q (%v)", domain.ErrorCode(err), c.code, err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error repeats the password: %v", err)
			}
			if c.code == domain.EINVALID && strings.Contains(c.name, "database") && !strings.Contains(err.Error(), acceptedURLs) {
				t.Errorf("the refusal does not name the accepted forms: %v", err)
			}
		})
	}
}

func TestOpenURLDialects(t *testing.T) {
	lite := openURL(t, "sqlite:"+filepath.Join(t.TempDir(), "m.db"), Options{})
	if lite.Dialect() != "sqlite" {
		t.Errorf("sqlite: Dialect() = %q", lite.Dialect())
	}
	if onPostgres() {
		if db := openStore(t, Options{}); db.Dialect() != "postgres" {
			t.Errorf("postgres: Dialect() = %q", db.Dialect())
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://markwatch:s3cr%40t@db:5432/mw?sslmode=require": "postgres://markwatch:[redacted]@db:5432/mw?sslmode=require",
		"postgres://markwatch@db/mw":                               "postgres://markwatch@db/mw",
		"postgres://markwatch@db/mw?password=s3cr3t":               "postgres://markwatch@db/mw?password=[redacted]",
		// libpq's reading: the userinfo runs to the first @, a ? in it is
		// the password's, and net/url would have shown it as a query.
		"postgres://u:s3cr?t@db/mw":                "postgres://u:[redacted]@db/mw",
		"host=db user=u password=s3cr3t dbname=mw": "[redacted]",
	} {
		if got := storeurl.Redact(in); got != want {
			t.Errorf("storeurl.Redact(%q) = %q, want %q", in, got, want)
		}
	}
	for _, tc := range []struct{ msg, url string }{
		{"bad password s3cr@t for s3cr%40t", "postgres://u:s3cr%40t@db/mw"},
		{"bad password s3cr?t", "postgres://u:s3cr?t@db/mw"},
		{"bad password s3cr+t for s3cr%2Bt", "postgres://u@db/mw?password=s3cr%2Bt"},
		{"bad password s3cr3t", "host=db password=s3cr3t"},
	} {
		if got := redactIn(tc.msg, tc.url); strings.Contains(got, "s3cr") {
			t.Errorf("redactIn(%q, %q) left the password: %q", tc.msg, tc.url, got)
		}
	}
}
