package app

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/httpapi"
)

// sourcesCLI runs `markwatch sources …` against a real API over a real store
// and scheduler, as an operator would against the daemon.
type sourcesCLI struct {
	api string
	g   *gatedRuns
}

func newSourcesCLI(t *testing.T) *sourcesCLI {
	t.Helper()
	ctl, _, g, db := newTestControl(t, "")
	srv := httptest.NewServer(httpapi.WithSources(httpapi.New(httpapi.Deps{Alerts: db}, zap.NewNop()), ctl, zap.NewNop()))
	t.Cleanup(srv.Close)
	return &sourcesCLI{api: srv.URL, g: g}
}

// run returns the exit code, stdout and stderr of markwatch with args.
func (c *sourcesCLI) run(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errOut, Getenv: func(string) (string, bool) { return "", false }}
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

func TestSourcesCommandDaemonDown(t *testing.T) {
	c := &sourcesCLI{api: "http://127.0.0.1:1"}
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
