// Package pgtest starts throwaway PostgreSQL clusters for tests: a test that
// needs PostgreSQL runs against Debian's real server (`make postgres`
// installs it), never a mock, and a test that cannot find one fails, under
// CI or not; it never skips.
//
// Start gives a test a cluster of its own. To share one per test binary,
// run the tests under Main and take Shared; either way NewDatabase gives
// each test an empty database of its own:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
//	func TestSave(t *testing.T) {
//		url := pgtest.Shared(t).NewDatabase(t) // postgres://markwatch@127.0.0.1:…/t1_testsave?sslmode=disable
//		…
//	}
//
// A cluster lives in its own directory in /dev/shm (in the temp dir when
// that is small), listens on a free
// port of 127.0.0.1 only, trusts every local connection, and does not fsync.
// When the tests run as root it runs as nobody (PostgreSQL refuses root).
// It is stopped and its directory removed when the test ends, failed or
// not; if the test binary is killed the kernel kills the server with it and
// the next start sweeps the directory.
package pgtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a running throwaway PostgreSQL server.
type Cluster struct {
	root      string // owned directory: data/, sock/, postgres.log, owner.pid
	port      int
	server    *server
	databases atomic.Int64 // names NewDatabase's databases uniquely
}

// startTimeout bounds a start, template build included, on a busy machine.
const startTimeout = 2 * time.Minute

// Start starts a cluster for tb, stopped and removed when tb ends. It fails
// tb when PostgreSQL is missing, saying what to install.
func Start(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := start()
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(func() {
		if err := c.stop(); err != nil {
			tb.Errorf("pgtest: %v", err)
		}
	})
	return c
}

// URL is the address of the cluster's postgres database, for tests that
// manage databases themselves.
func (c *Cluster) URL() string { return c.databaseURL("postgres") }

func (c *Cluster) databaseURL(db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(superuser),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)),
		Path:     "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// start makes and starts a cluster; on error nothing is left behind.
func start() (*Cluster, error) { return startIn(baseDirs(), freePort) }

// startIn is start with its directories under bases[0] (every base is
// swept) on a port from ports.
func startIn(bases []string, ports func() (int, error)) (_ *Cluster, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	bin, err := findBinaries(lookupFromEnv())
	if err != nil {
		return nil, err
	}
	r, err := currentRunner()
	if err != nil {
		return nil, err
	}
	for _, b := range bases {
		sweepStale(b, r)
	}
	tmpl, err := template(bin, r, bases[0])
	if err != nil {
		return nil, err
	}
	root, err := newOwnedDir(r, bases[0], dirPrefix+"cluster-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(root)
		}
	}()
	// As the runner, so the copy is the runner's; --reflink shares blocks
	// where the file system can.
	data, sock := filepath.Join(root, "data"), filepath.Join(root, "sock")
	if out, err := r.command(root, "cp", "-R", "--preserve=mode", "--reflink=auto", tmpl, data).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("copying the cluster template %s: %w: %s", tmpl, err, bytes.TrimSpace(out))
	}
	if out, err := r.command(root, "mkdir", "-m", "0700", sock).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("making the socket directory: %w: %s", err, bytes.TrimSpace(out))
	}
	logPath := filepath.Join(root, "postgres.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the server log: %w", err)
	}
	// The server holds its own descriptor; ours is not needed once it runs.
	defer logFile.Close()

	// The free port is found by binding and closing, so another process
	// can take it before the server binds; that start is retried on a new
	// port rather than failed.
	const attempts = 5
	for attempt := 1; ; attempt++ {
		port, err := ports()
		if err != nil {
			return nil, err
		}
		cmd := r.command(root, filepath.Join(bin, "postgres"), serverArgs(data, sock, port)...)
		cmd.Stdout, cmd.Stderr = logFile, logFile
		logStart := logSize(logPath)
		s, err := runServer(cmd)
		if err != nil {
			return nil, err
		}
		c := &Cluster{root: root, port: port, server: s}
		err = c.waitReady(ctx)
		if err == nil {
			return c, nil
		}
		_ = s.stop()
		log := logSince(logPath, logStart)
		if attempt < attempts && bytes.Contains(log, []byte("could not bind")) {
			continue
		}
		return nil, fmt.Errorf("starting postgres on 127.0.0.1:%d: %w; its log:\n%s", port, err, log)
	}
}

// serverArgs run the server on data: TCP on 127.0.0.1 only, its socket in
// sock (not /var/run/postgresql, which nobody cannot write), durability
// traded for speed, since the cluster is thrown away.
func serverArgs(data, sock string, port int) []string {
	return []string{
		"-D", data,
		"-k", sock,
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		// Segments as files in data/pg_dynshmem, not /dev/shm/PostgreSQL.*:
		// a killed server's go with its directory instead of staying in memory.
		"-c", "dynamic_shared_memory_type=mmap",
	}
}

// waitReady waits until the server accepts a connection, failing as soon
// as it exits: an attempt is cut short then too, since what answers on a
// port the server could not bind may never reply.
func (c *Cluster) waitReady(ctx context.Context) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		unhook := context.AfterFunc(c.server.done, cancel)
		conn, err := pgx.Connect(attempt, c.URL())
		unhook()
		cancel()
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case <-c.server.exited:
			return fmt.Errorf("postgres exited while starting: %w", c.server.exitErr())
		case <-ctx.Done():
			return fmt.Errorf("waiting for postgres to accept connections: %w (last: %v)", ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// stop stops the server and removes the cluster's directory.
func (c *Cluster) stop() error {
	stopErr := c.server.stop()
	if err := os.RemoveAll(c.root); err != nil {
		return fmt.Errorf("removing the cluster directory: %w", err)
	}
	if stopErr != nil {
		return fmt.Errorf("stopping postgres on 127.0.0.1:%d: %w", c.port, stopErr)
	}
	return nil
}

// freePort returns a port of 127.0.0.1 that nothing listened on a moment
// ago. Every start picks a new one, so a port a killed run still holds is
// never waited for.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	return port, nil
}

func logSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// logSince is the server log written after offset, its last 4 KiB at most.
func logSince(path string, offset int64) []byte {
	b, err := os.ReadFile(path)
	if err != nil || offset > int64(len(b)) {
		return nil
	}
	b = b[offset:]
	if len(b) > 4096 {
		b = b[len(b)-4096:]
	}
	return bytes.TrimSpace(b)
}
