package config

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

func TestStoreURLFromEnvironment(t *testing.T) {
	env := map[string]string{"MARKWATCH_STORE_URL": "postgres://markwatch:s3cret@db.hebei.local:5432/markwatch?sslmode=require"}
	c, err := Load("", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if !c.Store.Postgres() || c.Store.URL != env["MARKWATCH_STORE_URL"] {
		t.Fatalf("store = %q (postgres %v), want the variable's URL", c.Store.URL, c.Store.Postgres())
	}
}

func TestStoreURLFormsAreCheckedWithoutEchoingThePassword(t *testing.T) {
	for _, tc := range []struct {
		url, want string // want "" accepts
	}{
		{"", ""},
		{"sqlite:/var/lib/markwatch/markwatch.db", ""},
		{"postgres://markwatch@localhost/markwatch", ""},
		{"postgresql://markwatch:pw@10.0.0.5:5432/markwatch", ""},
		{"sqlite:", "needs a path"},
		{"sqlite:  ", "needs a path"},
		{"mysql://root:hunter2@localhost/markwatch", "is not a store"},
		{"/var/lib/markwatch.db", "is not a store"},
		{"postgres://u:hunter2@/markwatch", "is not a PostgreSQL URL"},
		// An operator pastes libpq's keyword/value form: refused without
		// printing it (it was printed whole).
		{"host=db.hebei.local user=markwatch password=hunter2 dbname=markwatch", "write it as a URL"},
		// A password with an unencoded ? or #, which pgx reads as libpq
		// does, is accepted as pgx will connect with it (net/url read the
		// first as a port and refused it).
		{"postgres://markwatch:hunter2?1@db:5432/markwatch", ""},
		{"postgres://markwatch:hunter2#1@db:5432/markwatch", ""},
		{"postgres://markwatch:hunter2@:5432/markwatch", "is not a PostgreSQL URL"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			env := map[string]string{"MARKWATCH_STORE_URL": tc.url}
			_, err := Load("", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "MARKWATCH_STORE_URL") {
				t.Fatalf("err = %v, want %q naming MARKWATCH_STORE_URL", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("the error repeats the password: %v", err)
			}
		})
	}
}

// Every way the configuration is shown hides the store's password, in the
// userinfo and in a password= parameter.
func TestStoreURLPasswordIsRedacted(t *testing.T) {
	c := Default()
	for _, raw := range []string{
		"postgres://markwatch:hunter2@db:5432/markwatch",
		"postgres://markwatch@db:5432/markwatch?password=hunter2&sslmode=disable",
		// libpq's reading, which pgx follows: the userinfo ends at the
		// first @, and ? or # in it are the password's (net/url reads
		// "hunter2" as the host's port and the rest as a query).
		"postgres://markwatch:pw?hunter2@db:5432/markwatch",
		"postgres://markwatch@db:5432/markwatch?sslpassword=x&password=hunter2%3F",
	} {
		c.Store.URL = raw
		core, logs := observer.New(zap.InfoLevel)
		zap.New(core).Info("config", zap.Object("config", c), zap.Any("redacted", c.Redacted()), zap.Any("store", c.Store))
		js, _ := json.Marshal(c)
		shown := []string{fmt.Sprintf("%v", c.Store), fmt.Sprintf("%#v", c.Store), fmt.Sprintf("%+v", c.Redacted()), string(js)}
		for _, e := range logs.All() {
			shown = append(shown, fmt.Sprint(e.ContextMap()))
		}
		for i, s := range shown {
			if strings.Contains(s, "hunter2") {
				t.Errorf("form %d shows the password: %s", i, s)
			}
			if !strings.Contains(s, "db:5432") {
				t.Errorf("form %d hides the host too: %s", i, s)
			}
		}
	}
	if got := c.Store.URL; !strings.Contains(got, "hunter2") {
		t.Fatalf("redacting changed the configuration itself: %q", got)
	}
}

func TestJobsSettingsAreChecked(t *testing.T) {
	env := map[string]string{"MARKWATCH_JOBS_WORKERS": "0", "MARKWATCH_JOBS_RESCUE_AFTER": "500ms", "MARKWATCH_JOBS_STOP_TIMEOUT": "0s"}
	_, err := Load("", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	for _, want := range []string{"jobs.workers", "jobs.rescue_after", "jobs.stop_timeout"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to name %s", err, want)
		}
	}
}
