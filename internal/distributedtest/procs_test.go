package distributedtest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildMarkwatch builds the binary under test once per test binary.
var buildOnce struct {
	sync.Once
	path string
	err  error
}

func markwatchBinary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "markwatch-e2e-")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "markwatch")
		cmd := exec.Command("go", "build", "-o", buildOnce.path, "github.com/markwatch/markwatch/cmd/markwatch")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildOnce.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildOnce.err != nil {
		tb.Fatal(buildOnce.err)
	}
	return buildOnce.path
}

// proc is one markwatch process under test, its JSON log lines kept.
type proc struct {
	name string
	cmd  *exec.Cmd
	mu   sync.Mutex
	logs []map[string]any
	raw  strings.Builder
	done chan struct{}
	err  error
}

// start runs `markwatch serve --role role` with cfg and its own data dir
// under dataDir ("" for a temporary one). The cleanup stops it if the
// test did not (stop), and shows its log when the test failed.
func start(tb testing.TB, bin, cfg, dataDir, name, role string) *proc {
	tb.Helper()
	if dataDir == "" {
		dataDir = tb.TempDir()
	}
	p := &proc{name: name, done: make(chan struct{})}
	p.cmd = exec.Command(bin, "serve", "--config", cfg, "--role", role)
	p.cmd.Env = append(os.Environ(), "MARKWATCH_DATA_DIR="+filepath.Join(dataDir, name))
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	p.cmd.Stdout = io.Discard
	if err := p.cmd.Start(); err != nil {
		tb.Fatalf("starting %s: %v", name, err)
	}
	go p.readLog(stderr)
	tb.Cleanup(func() {
		stop(p, 40*time.Second)
		if tb.Failed() {
			tb.Logf("--- %s's log ---\n%s", p.name, p.log())
		}
	})
	return p
}

// readLog keeps p's JSON log lines until its stderr closes, then reaps it.
func (p *proc) readLog(stderr io.Reader) {
	defer close(p.done)
	sc := bufio.NewScanner(stderr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		var m map[string]any
		p.mu.Lock()
		p.raw.WriteString(line + "\n")
		if json.Unmarshal([]byte(line), &m) == nil {
			p.logs = append(p.logs, m)
		}
		p.mu.Unlock()
	}
	p.err = p.cmd.Wait()
}

// stop asks p to stop (SIGTERM) and waits for it, killing it when it has
// not exited within grace; it says whether it had to.
func stop(p *proc, grace time.Duration) (killed bool) {
	select {
	case <-p.done:
		return false
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return false
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.done
		return true
	}
}

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.raw.String()
}

// field waits for a log entry with message msg and returns its field key.
func (p *proc) field(tb testing.TB, msg, key string, within time.Duration) string {
	tb.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		for _, m := range p.logs {
			if m["msg"] == msg {
				v, _ := m[key].(string)
				p.mu.Unlock()
				return v
			}
		}
		p.mu.Unlock()
		select {
		case <-p.done:
			tb.Fatalf("%s exited (%v) before logging %q:\n%s", p.name, p.err, msg, p.log())
		case <-time.After(50 * time.Millisecond):
		}
	}
	tb.Fatalf("%s did not log %q within %v:\n%s", p.name, msg, within, p.log())
	return ""
}

// waitFor polls cond until it holds or within passes.
func waitFor(tb testing.TB, what string, within time.Duration, cond func(ctx context.Context) (bool, error)) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		ok, err := cond(ctx)
		cancel()
		if err != nil {
			tb.Fatalf("waiting for %s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// operatorToken adds an operator (the first administrator must change
// its password before acting) and creates an API token for it, with the
// CLI on the shared store, as an installer would.
func operatorToken(tb testing.TB, bin, cfg string) string {
	tb.Helper()
	run := func(stdin string, args ...string) string {
		cmd := exec.Command(bin, append(args, "--config", cfg)...)
		cmd.Env = append(os.Environ(), "MARKWATCH_DATA_DIR="+tb.TempDir())
		cmd.Stdin = strings.NewReader(stdin)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			tb.Fatalf("markwatch %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return strings.TrimSpace(string(out))
	}
	run("运维-冀货通-2026\n", "users", "add", "ops", "--role", "operator", "--password-stdin")
	return run("", "tokens", "create", "--user", "ops", "--name", "e2e")
}

// runNow asks the api for a run of source id, as an operator would.
func runNow(tb testing.TB, apiURL, token, id string) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, apiURL+"/api/v1/sources/"+id+"/run", nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		body, _ := io.ReadAll(resp.Body)
		tb.Fatalf("POST run of %s: %s %s", id, resp.Status, body)
	}
}
