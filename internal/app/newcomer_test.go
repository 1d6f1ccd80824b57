package app

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/config"
)

// repoFile reads a file at the top of the checkout.
func repoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// cli runs markwatch with args and no environment.
func cli(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = Main(context.Background(), args, Env{Stdout: &out, Stderr: &errOut,
		Getenv: func(string) (string, bool) { return "", false }})
	return code, out.String(), errOut.String()
}

// TestDemoOnlyWhenAskedFor: the embedded defaults crawl nothing (a demo
// that runs in production unasked is a surprise); --demo, which make run
// passes, turns it on.
func TestDemoOnlyWhenAskedFor(t *testing.T) {
	cfg := config.Default()
	if cfg.Sources.Demo.Enabled {
		t.Fatal("sources.demo.enabled defaults to true")
	}
	if srcs, _, err := loadSources(cfg); err != nil || len(srcs) != 0 {
		t.Fatalf("the embedded defaults load %d sources (%v), want none", len(srcs), err)
	}
	if code, _, stderr := cli("crawl", "--plan"); code != 2 || !strings.Contains(stderr, "--demo") {
		t.Fatalf("crawl --plan without sources: exit %d, %q; want 2 naming --demo", code, stderr)
	}
	if code, stdout, stderr := cli("crawl", "--plan", "--demo", "--runs", "1"); code != 0 || !strings.Contains(stdout, "六个核桃") {
		t.Fatalf("crawl --plan --demo: exit %d, %q %q", code, stdout, stderr)
	}
	run := regexp.MustCompile(`(?m)^run:.*\n((?:\t.*\n)+)`).FindStringSubmatch(repoFile(t, "Makefile"))
	if run == nil || !strings.Contains(run[1], "serve --demo") {
		t.Fatalf("make run does not pass --demo: %q", run)
	}
}

// TestBareCrawlPrintsUsage: `markwatch crawl` alone says how to use it and
// exits 2, rather than complaining about a source named "".
func TestBareCrawlPrintsUsage(t *testing.T) {
	code, stdout, stderr := cli("crawl")
	if code != 2 || stdout != "" {
		t.Fatalf("exit %d, stdout %q; want 2 and nothing", code, stdout)
	}
	for _, want := range []string{"usage: markwatch crawl --source ID", "--plan", "-runs", `no source ""`} {
		if strings.Contains(stderr, want) != (want != `no source ""`) {
			t.Errorf("stderr %s %q:\n%s", map[bool]string{true: "lacks", false: "has"}[want != `no source ""`], want, stderr)
		}
	}
}

// TestCrawlPlanTableOrJSON: --plan prints an aligned table of one search a
// line; --json keeps the JSON lines scripts read.
func TestCrawlPlanTableOrJSON(t *testing.T) {
	code, stdout, stderr := cli("crawl", "--plan", "--demo", "--source", "demo", "--runs", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if !strings.HasPrefix(lines[0], "SOURCE") || !strings.Contains(lines[0], "QUERY") || len(lines) < 3 {
		t.Fatalf("not a table:\n%s", stdout)
	}
	col := strings.Index(lines[0], "QUERY")
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "demo ") {
			t.Fatalf("row of another source: %q", l)
		}
		// The query column starts at the same terminal column on every row.
		if q := strings.LastIndex(l, "  ") + 2; displayWidth(l[:q]) != col {
			t.Fatalf("row %q: query at column %d, header at %d", l, displayWidth(l[:q]), col)
		}
	}
	code, stdout, _ = cli("crawl", "--plan", "--demo", "--source", "demo", "--runs", "2", "--json")
	jl := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 0 || len(jl) != 2 {
		t.Fatalf("--json: exit %d, %d lines, want 2 (one a run)", code, len(jl))
	}
	for _, l := range jl {
		var p struct {
			Source  string            `json:"source"`
			Queries []json.RawMessage `json:"queries"`
		}
		if err := json.Unmarshal([]byte(l), &p); err != nil || p.Source != "demo" || len(p.Queries) == 0 {
			t.Fatalf("--json line %q: %v", l, err)
		}
	}
	if code, _, stderr := cli("crawl", "--plan", "--demo", "--source", "jd-typo"); code != 2 || !strings.Contains(stderr, "jd-typo") {
		t.Fatalf("--plan of an unknown source: exit %d %q; want 2 naming it", code, stderr)
	}
}

// TestMakefileSaysWhatAColdBuildDoes: before each slow step of a first make
// run or make test (module download, the first build, Meilisearch, the
// tests' compilation) a line says what is happening and roughly how long.
func TestMakefileSaysWhatAColdBuildDoes(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatalf("make is what a newcomer runs: %v", err)
	}
	dry := func(target string) string {
		cmd := exec.Command("make", "-n", "-C", filepath.Join("..", ".."), target,
			"BIN="+filepath.Join(t.TempDir(), "markwatch"), "MEILI="+filepath.Join(t.TempDir(), "meilisearch"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make -n %s: %v\n%s", target, err, out)
		}
		return string(out)
	}
	before := func(out, say, step string) {
		t.Helper()
		i, j := strings.Index(out, say), strings.Index(out, step)
		if i < 0 || j < 0 || i > j {
			t.Errorf("no %q before %q:\n%s", say, step, out)
		}
	}
	run := dry("run")
	before(run, "==> downloading Go modules", "\ngo mod download")
	before(run, "==> building", "\ngo build")
	before(run, "minutes", "\ngo build")
	before(run, "==> installing the pinned Meilisearch", "\n./deploy/scripts/install-meilisearch.sh")
	before(run, "==> starting markwatch", "serve --demo")
	before(dry("test"), "==> running every test", "go test")
}

// TestMeilisearchInstallerNamesSupportedPlatforms: on anything but
// linux/amd64 the installer says what the pinned build supports and what to
// do instead, before fetching anything; a server of one's own needs nothing.
func TestMeilisearchInstallerNamesSupportedPlatforms(t *testing.T) {
	script, err := filepath.Abs(filepath.Join("..", "..", "deploy", "scripts", "install-meilisearch.sh"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, os, arch string
		env            []string
		wantCode       int
		want           string
	}{
		{"macOS on Apple silicon", "Darwin", "arm64", nil, 1, "linux/amd64"},
		{"Linux on ARM", "Linux", "aarch64", nil, 1, "MARKWATCH_MEILISEARCH_URL"},
		{"an external server", "Darwin", "arm64", []string{"MARKWATCH_MEILISEARCH_URL=http://meili:7700"}, 0, "nothing to install"},
	} {
		t.Run(c.name, func(t *testing.T) {
			stubs := t.TempDir()
			npmCalled := filepath.Join(stubs, "npm-called")
			write := func(name, body string) {
				if err := os.WriteFile(filepath.Join(stubs, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			write("uname", `case "$1" in -s) echo `+c.os+`;; -m) echo `+c.arch+`;; esac`)
			write("npm", `touch `+npmCalled+`; exit 1`)
			cmd := exec.Command("bash", script)
			cmd.Env = append([]string{"PATH=" + stubs + ":/usr/bin:/bin", "MEILISEARCH_INSTALL_DIR=" + t.TempDir()}, c.env...)
			out, _ := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); code != c.wantCode || !strings.Contains(string(out), c.want) {
				t.Fatalf("exit %d, want %d with %q:\n%s", code, c.wantCode, c.want, out)
			}
			if _, err := os.Stat(npmCalled); err == nil {
				t.Fatal("fetched from npm on a platform the package cannot run on")
			}
		})
	}
}

// TestDockerfileHasAChromiumVariant: the default image stays distroless
// (and is what a plain docker build makes, the last stage); a chromium
// target adds Debian's chromium for render: chromium, as the same non-root
// user, with the sandbox flag a container needs.
func TestDockerfileHasAChromiumVariant(t *testing.T) {
	df := repoFile(t, "Dockerfile")
	stages := regexp.MustCompile(`(?m)^FROM\s+(\S+)(?:\s+AS\s+(\S+))?`).FindAllStringSubmatchIndex(df, -1)
	if len(stages) < 3 {
		t.Fatalf("%d stages, want build, chromium and the default", len(stages))
	}
	body := func(i int) string {
		end := len(df)
		if i+1 < len(stages) {
			end = stages[i+1][0]
		}
		return df[stages[i][0]:end]
	}
	last := body(len(stages) - 1)
	if !strings.Contains(last, "distroless") || !strings.Contains(last, "USER nonroot") {
		t.Fatalf("the last (default) stage is not the distroless non-root image:\n%s", last)
	}
	var chromium string
	for i, s := range stages {
		if s[4] >= 0 && df[s[4]:s[5]] == "chromium" {
			chromium = body(i)
		}
	}
	for _, want := range []string{"apt-get install", " chromium ", "fonts-noto-cjk", "USER nonroot", "--no-sandbox", "/etc/chromium.d/",
		"COPY --from=build /out/markwatch", "ENTRYPOINT", "MARKWATCH_DATA_DIR=/var/lib/markwatch"} {
		if !strings.Contains(chromium, want) {
			t.Errorf("the chromium stage lacks %q:\n%s", want, chromium)
		}
	}
	if readme := repoFile(t, "README.md"); !strings.Contains(readme, "--target chromium") {
		t.Error("README.md does not say how to build the chromium image")
	}
}

// TestLicenseNamedInREADME: the Apache License 2.0, whole, and the README
// says so.
func TestLicenseNamedInREADME(t *testing.T) {
	lic := repoFile(t, "LICENSE")
	for _, want := range []string{"Apache License", "Version 2.0, January 2004", "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION",
		"9. Accepting Warranty or Additional Liability.", "END OF TERMS AND CONDITIONS"} {
		if !strings.Contains(lic, want) {
			t.Errorf("LICENSE lacks %q", want)
		}
	}
	if readme := repoFile(t, "README.md"); !strings.Contains(readme, "Apache License 2.0 (`LICENSE`)") {
		t.Error("README.md does not name the licence")
	}
}

// TestREADMECommandsRunOnLinux: the commands a newcomer copies use Linux's
// xdg-open, not macOS's open, and every program they call is among the
// prerequisites the README lists.
func TestREADMECommandsRunOnLinux(t *testing.T) {
	readme := repoFile(t, "README.md")
	var prereq string
	for _, p := range strings.Split(readme, "\n\n") {
		if strings.Contains(p, "You need") {
			prereq = p
		}
	}
	if prereq == "" {
		t.Fatal("README.md lists no prerequisites (a paragraph saying \"You need\")")
	}
	builtin := map[string]bool{"export": true, "cd": true, "bin/markwatch": true, "markwatch": true, "make": true, "sha256sum": true, "openssl": true, "docker": true}
	program := regexp.MustCompile(`(?:^|\$\(|\|\s*)\s*([a-z][\w./-]*)`)
	for _, block := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(readme, -1) {
		for _, line := range strings.Split(block[1], "\n") {
			cmd, _, _ := strings.Cut(line, "#")
			if f := strings.Fields(cmd); len(f) > 0 && (f[0] == "markwatch" || f[0] == "bin/markwatch") {
				cmd = f[0] // its | separates subcommands to choose from, not a pipe
			}
			for _, m := range program.FindAllStringSubmatch(cmd, -1) {
				p := m[1]
				if p == "open" {
					t.Errorf("macOS open in %q; Linux has xdg-open", line)
				}
				if !builtin[p] && !strings.Contains(prereq, "`"+p+"`") {
					t.Errorf("%q calls %s, which the prerequisites do not list", line, p)
				}
			}
		}
	}
}
