package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// readmeCLIEnv makes this test binary act as bin/markwatch: the quick-start
// test runs README.md's commands in a shell, and they call bin/markwatch.
// Re-running the test binary (built with the race detector under make test)
// runs the same Main as cmd/markwatch, without a second build. The name is
// outside MARKWATCH_, which markwatch checks for misspelt settings.
const readmeCLIEnv = "README_TEST_AS_MARKWATCH"

func init() {
	if os.Getenv(readmeCLIEnv) != "1" {
		return
	}
	os.Exit(Main(context.Background(), os.Args[1:], Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.LookupEnv, Environ: os.Environ,
	}))
}

// quickstartMarker precedes the fenced block of commands TestREADMEQuickStart runs.
const quickstartMarker = "<!-- quickstart:"

// readmeBlock returns the fenced block after marker in README.md.
func readmeBlock(t *testing.T, marker string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	i := strings.Index(s, marker)
	if i < 0 {
		t.Fatalf("README.md has no %q marker before its quick-start block", marker)
	}
	m := regexp.MustCompile("(?s)```sh\n(.*?)```").FindStringSubmatch(s[i:])
	if m == nil {
		t.Fatalf("no ```sh block after %q in README.md", marker)
	}
	return m[1]
}

// TestREADMEQuickStart runs README.md's quick-start commands, as a newcomer
// pastes them into a second terminal, against a daemon started with the
// demo: bin/markwatch is this binary, the address the daemon's free port,
// and xdg-open a stand-in that fails unless the console answers. Any
// command failing (curl -f on an HTTP error included) fails the test, so
// the README cannot drift from the product.
func TestREADMEQuickStart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the daemon and Meilisearch")
	}
	block := readmeBlock(t, quickstartMarker)
	for _, tool := range []string{"bash", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the quick start needs %s (README.md lists it): %v", tool, err)
		}
	}
	cfg := testConfig(t, needMeilisearch(t))
	runs := make(chan domain.CrawlRun, 2)
	d, err := startDaemon(context.Background(), cfg, zap.NewNop(), func(r domain.CrawlRun) { runs <- r })
	if err != nil {
		t.Fatal(err)
	}
	defer d.stop(context.Background())
	within(t, runs, 90*time.Second, "the demo's first crawl run")

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := func(path, body string) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	script(filepath.Join(dir, "bin", "markwatch"), fmt.Sprintf("%s=1 exec %q \"$@\"", readmeCLIEnv, self))
	opened := filepath.Join(dir, "opened")
	script(filepath.Join(dir, "stubs", "xdg-open"), fmt.Sprintf(`curl -fsS -o /dev/null "$1" && echo "$1" >> %q`, opened))

	addr := d.ln.Addr().String()
	cmds := strings.NewReplacer("127.0.0.1:8080", addr, "localhost:8080", addr).Replace(block)
	sh := exec.Command("bash", "-c", "set -euo pipefail\n"+cmds)
	sh.Dir = dir
	sh.Env = append(os.Environ(),
		"PATH="+filepath.Join(dir, "stubs")+string(os.PathListSeparator)+os.Getenv("PATH"),
		"MARKWATCH_DATA_DIR="+cfg.DataDir,
		"MARKWATCH_HTTP_LISTEN="+addr,
		"MARKWATCH_TOKEN=", "MARKWATCH_TOKEN_FILE=", "MARKWATCH_CONFIG=",
	)
	var out, errOut bytes.Buffer
	sh.Stdout, sh.Stderr = &out, &errOut
	if err := sh.Run(); err != nil {
		t.Fatalf("README.md's quick start failed: %v\ncommands:\n%s\nstdout:\n%s\nstderr:\n%s", err, cmds, out.String(), errOut.String())
	}
	got := out.String()
	for _, want := range []string{`"alerts"`, `"hits"`, "核桃", "sources; times in", "ID  MARK"} {
		if !strings.Contains(got, want) {
			t.Errorf("the quick start's output lacks %q:\n%s\nstderr:\n%s", want, got, errOut.String())
		}
	}
	if b, _ := os.ReadFile(opened); !strings.Contains(string(b), addr+"/login") {
		t.Errorf("xdg-open was not given the console's login page: %q", b)
	}
}
