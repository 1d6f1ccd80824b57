package pgtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// childEnv makes TestChildCluster, in a copy of this test binary, start a
// cluster, print it, and then fail ("fail") or wait to be killed ("wait").
const childEnv = "MARKWATCH_PGTEST_CHILD"

// TestChildCluster is the child of the tests below; run alone it does
// nothing.
func TestChildCluster(t *testing.T) {
	mode := os.Getenv(childEnv)
	if mode == "" {
		return
	}
	c := Start(t)
	fmt.Printf("cluster %d %s %d\n", c.port, c.root, c.server.cmd.Process.Pid)
	switch mode {
	case "fail":
		t.Fatal("failing on purpose, with the cluster running")
	case "wait":
		time.Sleep(time.Minute) // the parent kills this process long before
		t.Fatal("not killed within a minute")
	}
}

// child is a started TestChildCluster and the cluster it printed.
type child struct {
	cmd  *exec.Cmd
	port int
	root string
	pid  int // the postmaster's
}

func startChild(t *testing.T, mode string) *child {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestChildCluster$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+mode)
	// A pipe of our own, not StdoutPipe: no copying goroutine. What the
	// child writes after its cluster line (its test verdict) is far less
	// than the pipe's buffer, so it never blocks for want of a reader.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	cmd.Stdout, cmd.Stderr = w, w
	err = cmd.Start()
	_ = w.Close() // the child has its copy; EOF comes when it exits
	if err != nil {
		t.Fatalf("starting the child test: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	c := &child{cmd: cmd}
	var before []string
	lines := bufio.NewScanner(r)
	for lines.Scan() {
		if _, err := fmt.Sscanf(lines.Text(), "cluster %d %s %d", &c.port, &c.root, &c.pid); err == nil {
			return c
		}
		before = append(before, lines.Text())
	}
	t.Fatalf("the child test printed no cluster (%v):\n%s", lines.Err(), strings.Join(before, "\n"))
	return nil
}

// waitGone waits until nothing listens on port and pid is gone.
func waitGone(t *testing.T, port, pid int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		conn, dialErr := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
		if dialErr == nil {
			conn.Close()
		}
		killErr := syscall.Kill(pid, 0)
		if dialErr != nil && (errors.Is(killErr, syscall.ESRCH) || zombie(pid)) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("within %v: port %d still accepts connections (dial: %v) or postmaster %d still runs (kill 0: %v)", within, port, dialErr, pid, killErr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// zombie says whether pid has exited and waits to be reaped, which is up to
// init once its parent died: it holds no port or memory any more.
func zombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// pid (comm) state …: comm may hold spaces, so read after its ')'.
	i := strings.LastIndexByte(string(b), ')')
	return i >= 0 && strings.HasPrefix(string(b[i+1:]), " Z")
}

// TestFailedTestStopsItsCluster: a test that fails with a cluster running
// still stops it and removes its directory.
func TestFailedTestStopsItsCluster(t *testing.T) {
	c := startChild(t, "fail")
	err := c.cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("the child test ended with %v, want it to fail (exit status 1)", err)
	}
	waitGone(t, c.port, c.pid, 0) // its cleanup waited for the server
	if _, err := os.Stat(c.root); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stat %s: %v, want the directory gone", c.root, err)
	}
}

// TestKilledTestLeavesNoServer: SIGKILL gives a test no cleanup, yet its
// server dies with it, so its port is free; the next start picks a port of
// its own and sweeps the directory the killed test left.
func TestKilledTestLeavesNoServer(t *testing.T) {
	c := startChild(t, "wait")
	conn := connect(t, fmt.Sprintf("postgres://%s@127.0.0.1:%d/postgres?sslmode=disable", superuser, c.port))
	_ = conn.Close(context.Background())
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
	killed := time.Now()
	waitGone(t, c.port, c.pid, 10*time.Second)
	t.Logf("the killed test's server was gone %v after it", time.Since(killed))
	if _, err := os.Stat(c.root); err != nil {
		t.Fatalf("stat %s: %v; a killed test cannot have removed it", c.root, err)
	}
	_, key, id := postmasterPID(filepath.Join(c.root, "data"))
	var ds unix.SysvShmDesc
	if _, err := unix.SysvShmCtl(id, unix.IPC_STAT, &ds); err != nil || int(ds.Perm.Key) != key {
		t.Fatalf("the killed server's System V segment %d (key %d): %v, key %d; want it left behind", id, key, err, ds.Perm.Key)
	}

	next := Start(t)
	if _, err := os.Stat(c.root); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stat %s after the next start: %v, want it swept", c.root, err)
	}
	if _, err := unix.SysvShmCtl(id, unix.IPC_STAT, &ds); err == nil && int(ds.Perm.Key) == key {
		t.Errorf("the killed server's System V segment %d (key %d) is still there after the next start", id, key)
	}
	if filepath.Dir(next.root) != filepath.Dir(c.root) {
		t.Logf("the next cluster went to %s, the killed one was in %s", filepath.Dir(next.root), filepath.Dir(c.root))
	}
	connect(t, next.URL())
	if strings.Contains(next.URL(), fmt.Sprintf(":%d/", c.port)) {
		t.Logf("the next start happened to get the same, freed, port %d", c.port)
	}
}
