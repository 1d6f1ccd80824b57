package app

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/httpapi"
	"github.com/markwatch/markwatch/internal/store"
)

// sourcesCLI runs `markwatch sources …` against a real API over a real store
// and scheduler, behind the real access guard, as an operator would against
// the daemon with a token.
type sourcesCLI struct {
	api   string
	token string
	g     *gatedRuns
	db    *store.DB
}

func newSourcesCLI(t *testing.T) *sourcesCLI {
	t.Helper()
	ctl, _, g, db := newTestControl(t, "")
	guard := access.NewGuard(access.NewAuthenticator(db, access.Options{}), access.GuardOptions{})
	guard.MustHandle(httpapi.Routes(httpapi.Deps{Alerts: db, Sources: ctl, Audit: db}, zap.NewNop())...)
	srv := httptest.NewServer(guard)
	t.Cleanup(srv.Close)
	c := &sourcesCLI{api: srv.URL, g: g, db: db}
	c.token = testToken(t, db, "ops", domain.RoleOperator, "")
	return c
}

// testToken creates a user of role in db and returns a bearer token for it.
func testToken(t *testing.T, db *store.DB, name string, role domain.Role, owner string) string {
	t.Helper()
	ctx := context.Background()
	u, err := db.GetUserByName(ctx, name)
	if err != nil {
		hash, herr := access.HashPassword("correct horse battery")
		if herr != nil {
			t.Fatal(herr)
		}
		if u, err = db.CreateUser(ctx, domain.User{Name: name, Role: role, Owner: owner}, hash, domain.SystemActor); err != nil {
			t.Fatal(err)
		}
	}
	secret, hash, shown, err := access.NewSecret(access.TokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateToken(ctx, domain.APIToken{UserID: u.ID, Name: "test", Hash: hash, Prefix: shown}, domain.SystemActor); err != nil {
		t.Fatal(err)
	}
	return secret
}

// run returns the exit code, stdout and stderr of markwatch with args.
func (c *sourcesCLI) run(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errOut, Getenv: func(k string) (string, bool) {
		if k == "MARKWATCH_TOKEN" && c.token != "" {
			return c.token, true
		}
		return "", false
	}}
	full := append([]string{"sources"}, args...)
	if c.api != "" {
		full = append(full, "--api", c.api)
	}
	code := Main(context.Background(), full, env)
	return code, out.String(), errOut.String()
}

func TestSourcesCommand(t *testing.T) {
	c := newSourcesCLI(t)
	steps := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string
		wantErr  string
	}{
		{"list", []string{"list"}, 0, []string{"ID", "NEXT RUN", "demo", "@every 10m", "scheduled", "jd", "0 */2 * * *", "never ran", "2 sources; times in Asia/Shanghai"}, ""},
		{"schedule split by the shell", []string{"schedule", "jd", "*/5", "*", "*", "*", "*"}, 0, []string{`jd: schedule now "*/5 * * * *"; next scheduled run: 20`}, ""},
		{"schedule with seconds", []string{"schedule", "demo", "30 0 8 * * *"}, 0, []string{`demo: schedule now "30 0 8 * * *"`}, ""},
		{"invalid schedule explained", []string{"schedule", "jd", "0 99 * * *"}, 1, nil, `changing schedule of jd: invalid: schedule "0 99 * * *" is not a valid cron spec (want 5 fields`},
		{"old schedule kept", []string{"show", "jd"}, 0, []string{"schedule:", "*/5 * * * *", "state:", "scheduled"}, ""},
		{"pause", []string{"pause", "demo"}, 0, []string{"demo: paused; a run going now finishes; next scheduled run: none while paused"}, ""},
		{"show paused", []string{"show", "demo"}, 0, []string{"state:", "paused", "next run:", "-", "last result:", "never ran"}, ""},
		{"resume", []string{"resume", "demo"}, 0, []string{"demo: resumed; next scheduled run: 20"}, ""},
		{"run now", []string{"run", "jd"}, 0, []string{"jd: run started; `markwatch sources runs jd` shows how it ends"}, ""},
		{"run while running", []string{"run", "jd"}, 1, nil, `source "jd" is already running`},
		{"runs with flag after the id", []string{"runs", "jd", "--limit", "5"}, 0, []string{"RUN", "WHY IT ENDED", "running", "1 runs"}, ""},
		{"unknown source", []string{"show", "jingdong"}, 1, nil, `source "jingdong" is not configured`},
		{"runs limit out of range", []string{"runs", "jd", "--limit", "0"}, 1, nil, `limit="0": must be a whole number from 1 to 500`},
		{"unknown subcommand", []string{"delete", "jd"}, 2, nil, `unknown subcommand "delete"`},
		{"missing id", []string{"pause"}, 2, nil, `wrong number of arguments for "pause"`},
		{"extra argument", []string{"show", "jd", "taobao"}, 2, nil, `wrong number of arguments for "show"`},
	}
	for _, s := range steps {
		code, out, errOut := c.run(s.args...)
		if code != s.wantCode {
			t.Errorf("%s: exit %d, want %d; stdout %q stderr %q", s.name, code, s.wantCode, out, errOut)
			continue
		}
		for _, w := range s.wantOut {
			if !strings.Contains(out, w) {
				t.Errorf("%s: stdout lacks %q:\n%s", s.name, w, out)
			}
		}
		if !strings.Contains(errOut, s.wantErr) {
			t.Errorf("%s: stderr %q lacks %q", s.name, errOut, s.wantErr)
		}
		if s.name == "run now" {
			<-c.g.started
		}
	}

	close(c.g.release)
	waitFor(t, func() bool {
		_, out, _ := c.run("runs", "jd")
		return strings.Contains(out, "succeeded")
	})
	_, out, _ := c.run("show", "jd")
	for _, w := range []string{"succeeded in ", "3 pages, 60 listings, 0 alerts (query plan done)", "errors:", "failed runs in a row:"} {
		if !strings.Contains(out, w) {
			t.Errorf("show after the run lacks %q:\n%s", w, out)
		}
	}
}

func TestSourcesCommandJSON(t *testing.T) {
	c := newSourcesCLI(t)
	code, out, errOut := c.run("list", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Sources []struct {
			ID       string `json:"id"`
			Schedule string `json:"schedule"`
		} `json:"sources"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Sources) != 2 || got.Sources[1].Schedule != "0 */2 * * *" {
		t.Errorf("list --json = %q (%v)", out, err)
	}
}

// TestSourcesCommandNeedsTheRightToken tries the daemon commands as people
// who may not: without a token, with a token the daemon never issued, and as
// an owner, who may not even read sources. Nothing changes.
func TestSourcesCommandNeedsTheRightToken(t *testing.T) {
	c := newSourcesCLI(t)
	owner := testToken(t, c.db, "yangyuan", domain.RoleOwner, "河北养元智汇饮品股份有限公司")
	tests := []struct {
		name, token string
		args        []string
		wantErr     string
	}{
		{"no token", "", []string{"pause", "jd"}, "no API token: set MARKWATCH_TOKEN"},
		{"forged token", "mwt_" + strings.Repeat("A", 43), []string{"pause", "jd"}, "unauthorized"},
		{"owner pauses", owner, []string{"pause", "jd"}, "forbidden"},
		{"owner lists", owner, []string{"list"}, "forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.token = tt.token
			code, out, errOut := c.run(tt.args...)
			if code != 1 || !strings.Contains(errOut, tt.wantErr) || strings.Contains(out, "paused") {
				t.Errorf("exit %d, stdout %q, stderr %q; want refusal %q", code, out, errOut, tt.wantErr)
			}
		})
	}
	st, err := c.db.ListSources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.Paused {
			t.Errorf("source %s paused by a refused request", s.ID)
		}
	}
}

func TestSourcesCommandDaemonDown(t *testing.T) {
	c := &sourcesCLI{api: "http://127.0.0.1:1", token: "mwt_x"}
	code, _, errOut := c.run("list")
	if code != 1 || !strings.Contains(errOut, "cannot reach the markwatch daemon at http://127.0.0.1:1 (is `markwatch serve` running?") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestAPIURL(t *testing.T) {
	for listen, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080",
		":8080":          "http://127.0.0.1:8080",
		"0.0.0.0:9000":   "http://127.0.0.1:9000",
		"[::]:9000":      "http://127.0.0.1:9000",
		"markwatch:8080": "http://markwatch:8080",
		"[::1]:8080":     "http://[::1]:8080",
	} {
		if got := apiURL(listen); got != want {
			t.Errorf("apiURL(%q) = %q, want %q", listen, got, want)
		}
	}
}

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args      []string
		wantPos   string
		wantLimit int
	}{
		{[]string{"jd", "--limit", "5"}, "[jd]", 5},
		{[]string{"--limit", "5", "jd"}, "[jd]", 5},
		{[]string{"jd", "*/5", "*", "--limit=7", "*"}, "[jd */5 * *]", 7},
		{[]string{"jd", "--", "--limit", "5"}, "[jd --limit 5]", 1},
	}
	for _, tt := range tests {
		fs := newFlags("test", Env{Stderr: &bytes.Buffer{}})
		limit := fs.Int("limit", 1, "")
		pos, err := parseInterspersed(fs, tt.args)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(pos, " "); "["+got+"]" != tt.wantPos || *limit != tt.wantLimit {
			t.Errorf("parseInterspersed(%q) = %q limit %d, want %s limit %d", tt.args, pos, *limit, tt.wantPos, tt.wantLimit)
		}
	}
}
