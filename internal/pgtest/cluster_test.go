package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connecting to %s: %v", url, err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// TestStartServesPostgres: a cluster of the test's own answers on its URL
// with the settings Start promises, run by a user PostgreSQL accepts.
func TestStartServesPostgres(t *testing.T) {
	c := Start(t)
	if !strings.HasPrefix(c.URL(), "postgres://markwatch@127.0.0.1:") || !strings.HasSuffix(c.URL(), "/postgres?sslmode=disable") {
		t.Errorf("URL() = %s", c.URL())
	}
	conn := connect(t, c.URL())
	ctx := context.Background()
	var version string
	if err := conn.QueryRow(ctx, "SELECT version()").Scan(&version); err != nil {
		t.Fatalf("SELECT version(): %v", err)
	}
	if !strings.HasPrefix(version, "PostgreSQL ") {
		t.Errorf("version() = %q", version)
	}
	t.Log(version)
	for setting, want := range map[string]string{
		"listen_addresses":           "127.0.0.1",
		"server_encoding":            "UTF8",
		"fsync":                      "off",
		"dynamic_shared_memory_type": "mmap",
		"port":                       strconv.Itoa(c.port),
	} {
		var got string
		if err := conn.QueryRow(ctx, "SELECT current_setting($1)", setting).Scan(&got); err != nil {
			t.Fatalf("reading %s: %v", setting, err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", setting, got, want)
		}
	}
	r, err := currentRunner()
	if err != nil {
		t.Fatal(err)
	}
	if uid := processUID(t, c.server.cmd.Process.Pid); uid != r.uid || uid == 0 {
		t.Errorf("postgres runs as uid %d, want %d and not root", uid, r.uid)
	}
}

// processUID is the real uid of a running process.
func processUID(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("reading the status of pid %d: %v", pid, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Uid:"); ok {
			uid, err := strconv.Atoi(strings.Fields(rest)[0])
			if err != nil {
				t.Fatalf("parsing %q: %v", line, err)
			}
			return uid
		}
	}
	t.Fatalf("no Uid line in the status of pid %d", pid)
	return -1
}

// TestDatabasesAreSeparate: two databases of one cluster keep their own
// tables and rows, Chinese text intact.
func TestDatabasesAreSeparate(t *testing.T) {
	c := Shared(t)
	if c != Shared(t) {
		t.Fatal("Shared under Main returned two clusters")
	}
	urlA, urlB := c.NewDatabase(t), c.NewDatabase(t)
	if urlA == urlB {
		t.Fatalf("NewDatabase returned %s twice", urlA)
	}
	a, b := connect(t, urlA), connect(t, urlB)
	ctx := context.Background()
	const table = `CREATE TABLE 商标 (名称 text PRIMARY KEY, 产地 text NOT NULL)`
	if _, err := a.Exec(ctx, table); err != nil {
		t.Fatalf("creating the table in A: %v", err)
	}
	marks := []struct{ name, origin string }{
		{"衡水老白干", "河北 衡水"},
		{"君乐宝", "河北 石家庄"},
		{"承德露露", "河北 承德"},
		{"长城汽车", "河北 保定"},
	}
	for _, m := range marks {
		if _, err := a.Exec(ctx, `INSERT INTO 商标 VALUES ($1, $2)`, m.name, m.origin); err != nil {
			t.Fatalf("inserting %s into A: %v", m.name, err)
		}
	}

	var seen *string
	if err := b.QueryRow(ctx, `SELECT to_regclass('商标')::text`).Scan(&seen); err != nil {
		t.Fatalf("looking for A's table from B: %v", err)
	}
	if seen != nil {
		t.Fatalf("B sees A's table %s", *seen)
	}
	if _, err := b.Exec(ctx, table); err != nil {
		t.Fatalf("creating the same table in B: %v", err)
	}
	if _, err := b.Exec(ctx, `INSERT INTO 商标 VALUES ('金星啤酒', '河南 郑州')`); err != nil {
		t.Fatalf("inserting into B: %v", err)
	}

	for _, m := range marks {
		t.Run(m.name, func(t *testing.T) {
			var origin string
			if err := a.QueryRow(ctx, `SELECT 产地 FROM 商标 WHERE 名称 = $1`, m.name).Scan(&origin); err != nil {
				t.Fatalf("reading %s back from A: %v", m.name, err)
			}
			if origin != m.origin {
				t.Errorf("A: %s's 产地 = %q, want %q", m.name, origin, m.origin)
			}
			err := b.QueryRow(ctx, `SELECT 产地 FROM 商标 WHERE 名称 = $1`, m.name).Scan(&origin)
			if !errors.Is(err, pgx.ErrNoRows) {
				t.Errorf("B: %s = %q, %v; want no rows", m.name, origin, err)
			}
		})
	}
	var n int
	if err := a.QueryRow(ctx, `SELECT count(*) FROM 商标 WHERE 名称 = '金星啤酒'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("A sees B's row: count %d, %v", n, err)
	}
}

// TestNewDatabaseDropsOnCleanup: a test's database is gone after it, even
// with a connection the test never closed.
func TestNewDatabaseDropsOnCleanup(t *testing.T) {
	c := Shared(t)
	var name string
	t.Run("leaves a connection open", func(t *testing.T) {
		url := c.NewDatabase(t)
		name = url[strings.LastIndex(url, "/")+1 : strings.Index(url, "?")]
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		_ = conn // deliberately not closed: the drop must terminate it
	})
	conn := connect(t, c.URL())
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("database %s is still there after its test", name)
	}
}

// TestCleanupStopsAndRemoves: when the test that started a cluster ends,
// the server has been reaped, its port is free, its directory gone, and no
// goroutine of it is left.
func TestCleanupStopsAndRemoves(t *testing.T) {
	goroutines := runtime.NumGoroutine()
	var c *Cluster
	t.Run("cluster", func(t *testing.T) {
		c = Start(t)
		if _, err := os.Stat(c.root); err != nil {
			t.Fatalf("the cluster's directory: %v", err)
		}
	})
	select {
	case <-c.server.exited:
	default:
		t.Error("the server process has not been reaped")
	}
	if _, err := os.Stat(c.root); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stat %s after cleanup: %v, want it gone", c.root, err)
	}
	if conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)), time.Second); err == nil {
		conn.Close()
		t.Errorf("port %d still accepts connections", c.port)
	}
	if err := syscall.Kill(c.server.cmd.Process.Pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("pid %d still exists: %v", c.server.cmd.Process.Pid, err)
	}
	// The subtest's own goroutine may take a moment to finish exiting.
	for deadline := time.Now().Add(2 * time.Second); runtime.NumGoroutine() > goroutines; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines after the cluster's test, %d before:\n%s", runtime.NumGoroutine(), goroutines, buf[:runtime.Stack(buf, true)])
		}
	}
}

// TestStartRetriesTakenPort: a port taken between freePort and the server's
// bind costs a retry on another port, not the test.
func TestStartRetriesTakenPort(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	takenPort := taken.Addr().(*net.TCPAddr).Port
	var offered []int
	ports := func() (int, error) {
		if len(offered) == 0 {
			offered = append(offered, takenPort)
			return takenPort, nil
		}
		p, err := freePort()
		offered = append(offered, p)
		return p, err
	}
	c, err := startIn(baseDirs(), ports)
	if err != nil {
		t.Fatalf("start with port %d taken: %v", takenPort, err)
	}
	t.Cleanup(func() {
		if err := c.stop(); err != nil {
			t.Error(err)
		}
	})
	if len(offered) != 2 || c.port != offered[1] {
		t.Errorf("ports offered %v, cluster on %d; want the taken one, then the cluster on a second", offered, c.port)
	}
	connect(t, c.URL())
}
