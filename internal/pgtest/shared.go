package pgtest

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// shared is the per-test-binary cluster. Package state is unavoidable here:
// TestMain offers no other place to keep a value for the binary's lifetime.
var shared struct {
	mu      sync.Mutex
	enabled bool // Main is running the tests
	cluster *Cluster
	err     error // a failed start is not retried by every test
}

// Main runs a package's tests with one shared cluster, started on the first
// Shared, and stops and removes it afterwards:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) {
	shared.mu.Lock()
	shared.enabled = true
	shared.mu.Unlock()
	code := m.Run()
	shared.mu.Lock()
	if shared.cluster != nil {
		if err := shared.cluster.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest: shared cluster:", err)
			if code == 0 {
				code = 1 // a server that crashed under the tests fails them
			}
		}
		shared.cluster = nil
	}
	shared.mu.Unlock()
	os.Exit(code)
}

// Shared returns the binary's shared cluster under Main (do not stop it;
// take databases with NewDatabase), else a cluster of tb's own, as Start.
func Shared(tb testing.TB) *Cluster {
	tb.Helper()
	if c := sharedCluster(tb); c != nil {
		return c
	}
	return Start(tb)
}

// sharedCluster is the shared cluster, started on first use; nil when Main
// is not running the tests.
func sharedCluster(tb testing.TB) *Cluster {
	tb.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.enabled {
		return nil
	}
	if shared.cluster != nil {
		return shared.cluster
	}
	if shared.err != nil {
		tb.Fatalf("pgtest: the shared cluster failed to start earlier: %v", shared.err)
	}
	c, err := start()
	if err != nil {
		shared.err = err
		tb.Fatalf("pgtest: shared cluster: %v", err)
	}
	shared.cluster = c
	return c
}
