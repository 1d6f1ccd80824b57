package crawltest

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serverPackage is the marketplace command ProcessServer builds and runs.
const serverPackage = "github.com/markwatch/markwatch/internal/crawl/crawltest/benchserver"

// ProcessServer runs Handler's marketplace in a process of its own, as a
// real marketplace is, and returns its base URL and the queries it answers.
// In the benchmark's process the server's page writing and the test's HTTP
// server goroutines share the crawler's scheduler and garbage collector,
// which delays the goroutines that handle responses and makes a crawl look
// slower against raw colly than it is (measured: crawl/raw at 20 ms
// 0.80–0.92 in-process, 0.93–0.97 with the server outside). The process is
// killed and waited for when tb ends.
func ProcessServer(tb testing.TB, titles []string, latency time.Duration) (string, []string) {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "benchserver")
	build := exec.Command("go", "build", "-o", bin, serverPackage)
	if out, err := build.CombinedOutput(); err != nil {
		tb.Fatalf("building the benchmark marketplace: %v\n%s", err, out)
	}
	arg, err := json.Marshal(titles)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-latency", latency.String(), "-titles", string(arg))
	cmd.Stderr = os.Stderr
	if _, err := cmd.StdinPipe(); err != nil { // closed when this process ends: benchserver exits
		cancel()
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		tb.Fatalf("starting the benchmark marketplace: %v", err)
	}
	tb.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		tb.Fatalf("reading the benchmark marketplace's address: %v", err)
	}
	base := strings.TrimSpace(line)
	if !strings.HasPrefix(base, "http://") {
		tb.Fatalf("benchmark marketplace said %q, not its address", line)
	}
	return base, Queries()
}
