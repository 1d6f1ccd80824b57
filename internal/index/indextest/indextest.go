// Package indextest starts real Meilisearch servers for tests: a test that
// touches the index runs against the pinned binary, never a mock.
//
// Use Main from TestMain to share one server per test binary (each test still
// gets its own empty index), or call Start alone for a server per test.
package indextest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/index"
)

// shared is the per-test-binary server. Package state is unavoidable here:
// TestMain offers no other place to keep a value for the binary's lifetime.
var shared struct {
	mu      sync.Mutex
	enabled bool // Main is running the tests
	server  *index.Managed
	dir     string
	err     error // a failed start is not retried by every test
	indexes atomic.Int64
}

// Main runs the tests of a package with one shared server, started on first
// use, and stops it afterwards:
//
//	func TestMain(m *testing.M) { indextest.Main(m) }
func Main(m *testing.M) {
	shared.mu.Lock()
	shared.enabled = true
	shared.mu.Unlock()
	code := m.Run()
	shared.mu.Lock()
	if shared.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := shared.server.Stop(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "indextest: stopping shared Meilisearch:", err)
		}
		cancel()
	}
	if shared.dir != "" {
		_ = os.RemoveAll(shared.dir)
	}
	shared.mu.Unlock()
	os.Exit(code)
}

// Binary returns the Meilisearch binary. When it is missing the test fails
// if the CI variable is set (a missing server must never pass CI silently)
// and is skipped otherwise, with the install hint either way.
func Binary(t testing.TB) string {
	t.Helper()
	bin, err := index.FindBinary()
	if err == nil {
		return bin
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("Meilisearch is required under CI: %v", err)
	}
	t.Skipf("skipping: %v", err)
	return ""
}

// StartServer starts a dedicated server in t.TempDir(), stopped when the test
// ends. Pass an addr to restart on a known port ("" picks one) and a dataDir
// to reopen existing data ("" makes a fresh one).
func StartServer(t testing.TB, dataDir, addr string) *index.Managed {
	t.Helper()
	return StartServerWith(t, index.ManagedOptions{DataDir: dataDir, Addr: addr})
}

// StartServerWith is StartServer with more options (BinPath and an empty
// DataDir are filled in as there).
func StartServerWith(t testing.TB, o index.ManagedOptions) *index.Managed {
	t.Helper()
	o.BinPath = Binary(t)
	if o.DataDir == "" {
		o.DataDir = t.TempDir()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	m, err := index.StartManaged(ctx, o)
	if err != nil {
		t.Fatalf("indextest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := m.Stop(ctx); err != nil {
			t.Errorf("stopping Meilisearch: %v", err)
		}
	})
	return m
}

// Start returns a client on a new, empty index with the hits settings
// applied, and the server it lives on: the shared one under Main (do not stop
// it), else a dedicated one. The index is deleted when the test ends.
func Start(t testing.TB) (*index.Client, *index.Managed) {
	t.Helper()
	server := sharedServer(t)
	if server == nil {
		server = StartServer(t, "", "")
	}
	name := fmt.Sprintf("t%d_%s", shared.indexes.Add(1), indexSafe(t.Name()))
	c := Client(t, server, name)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.ApplySettings(ctx); err != nil {
		t.Fatalf("applying index settings: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.DropIndex(ctx) // best effort: the server's data dir goes anyway
	})
	return c, server
}

// Client returns a client for index name on server.
func Client(t testing.TB, server *index.Managed, name string) *index.Client {
	t.Helper()
	c, err := index.NewClient(server.URL(), server.Key(), index.ClientOptions{IndexName: name, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("creating Meilisearch client: %v", err)
	}
	return c
}

func sharedServer(t testing.TB) *index.Managed {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.enabled {
		return nil
	}
	if shared.server != nil {
		return shared.server
	}
	if shared.err != nil {
		t.Fatalf("shared Meilisearch failed to start earlier: %v", shared.err)
	}
	bin := Binary(t)
	dir, err := os.MkdirTemp("", "markwatch-meili-")
	if err != nil {
		t.Fatalf("creating Meilisearch data dir: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	m, err := index.StartManaged(ctx, index.ManagedOptions{BinPath: bin, DataDir: dir})
	if err != nil {
		_ = os.RemoveAll(dir)
		shared.err = err
		t.Fatalf("indextest: shared server: %v", err)
	}
	shared.server, shared.dir = m, dir
	return m
}

// indexSafe maps a test name to index-uid characters, shortened.
func indexSafe(name string) string {
	s := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, name)
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}
