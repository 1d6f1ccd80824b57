package index_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/index/indextest"
)

func TestManagedKeepsKeyAndDataAcrossRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	m := indextest.StartServer(t, dir, "")
	st, err := os.Stat(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("master.key mode %v, want 0600", st.Mode().Perm())
	}
	if len(m.Key()) < 32 {
		t.Errorf("master key %d characters, want at least 32", len(m.Key()))
	}
	c := indextest.Client(t, m, "hits")
	if err := c.ApplySettings(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Upsert(ctx, []domain.Hit{hit(1, "m", "临城核桃", true)}); err != nil {
		t.Fatal(err)
	}
	// Without the key the server refuses: it really is protected.
	anon, err := index.NewClient(m.URL(), "", index.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := anon.Search(ctx, "核桃", index.SearchFilter{}); err == nil {
		t.Error("search without the master key succeeded")
	}

	stopCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := m.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	if err := m.Stop(stopCtx); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	select {
	case <-m.Exited():
	default:
		t.Error("Exited not closed after Stop")
	}

	again := indextest.StartServer(t, dir, m.Addr())
	if again.Key() != m.Key() {
		t.Error("restart generated a new master key instead of reusing master.key")
	}
	res, err := indextest.Client(t, again, "hits").Search(ctx, "核桃", index.SearchFilter{})
	if err != nil || len(res.Hits) != 1 {
		t.Errorf("after restart: %+v, %v; want the hit indexed before", res, err)
	}
}

func TestStartManagedRefusesTakenPort(t *testing.T) {
	bin := indextest.Binary(t)
	busy := indextest.StartServer(t, "", "")
	// The health check would be answered by the other server.
	_, err := index.StartManaged(context.Background(), index.ManagedOptions{
		BinPath: bin, DataDir: t.TempDir(), Addr: busy.Addr(),
	})
	if domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("StartManaged on a taken port = %v, want ECONFLICT", err)
	}
}

func TestStartManagedReportsEarlyExit(t *testing.T) {
	bin := indextest.Binary(t)
	start := time.Now()
	_, err := index.StartManaged(context.Background(), index.ManagedOptions{
		BinPath: bin, DataDir: t.TempDir(), MaxIndexingMemory: "plenty", StartTimeout: 30 * time.Second,
	})
	if err == nil {
		t.Fatal("a server with an invalid flag started")
	}
	if time.Since(start) > 20*time.Second {
		t.Errorf("took %v to notice the exit", time.Since(start))
	}
	if !strings.Contains(err.Error(), "exited before it was ready") || !strings.Contains(err.Error(), "plenty") {
		t.Errorf("error %q should say the process exited and show its complaint", err)
	}
}

func TestFindBinaryHonoursEnv(t *testing.T) {
	t.Setenv(index.BinaryEnv, filepath.Join(t.TempDir(), "missing"))
	if _, err := index.FindBinary(); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("FindBinary with a missing %s = %v, want EINVALID", index.BinaryEnv, err)
	}
}

// A second start on a data dir whose server's markwatch still runs is
// refused; the running server is left alone.
func TestStartManagedRefusesDataDirInUse(t *testing.T) {
	dir := t.TempDir()
	first := indextest.StartServer(t, dir, "")
	_, err := index.StartManaged(context.Background(), index.ManagedOptions{BinPath: indextest.Binary(t), DataDir: dir})
	if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(err.Error(), "already serving") {
		t.Fatalf("second start on a data dir in use = %v, want ECONFLICT", err)
	}
	if err := indextest.Client(t, first, "hits").Healthy(context.Background()); err != nil {
		t.Errorf("the running server was disturbed: %v", err)
	}
}

// After markwatch itself is killed its server lives on (own process group);
// the next start on the same data dir must stop it, not run a second server
// on the same files.
func TestStartManagedStopsOrphanOnSameDataDir(t *testing.T) {
	dir := t.TempDir()
	orphan := indextest.StartServer(t, dir, "")
	// Make the pid file name an owner that has died, as after a crash.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	record := fmt.Sprintf("%d %d\n", orphan.PID(), dead.Process.Pid)
	if err := os.WriteFile(filepath.Join(dir, "meilisearch.pid"), []byte(record), 0o600); err != nil {
		t.Fatal(err)
	}
	next := indextest.StartServer(t, dir, "")
	select {
	case <-orphan.Exited():
	case <-time.After(10 * time.Second):
		t.Fatal("the orphaned server on the same data dir is still running")
	}
	if err := indextest.Client(t, next, "hits").Healthy(context.Background()); err != nil {
		t.Errorf("new server: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "meilisearch.pid"))
	if want := fmt.Sprintf("%d %d", next.PID(), os.Getpid()); err != nil || strings.TrimSpace(string(b)) != want {
		t.Errorf("pid file = %q, %v; want %q", b, err, want)
	}
}
