//go:build unix

package index_test

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/index/indextest"
)

// A supervised server SIGKILLed twice is restarted each time on the same
// address with its data: the exit is logged as a warning with its status,
// the restarts are counted, and search answers again. Stop then ends it for
// good, with no restart.
func TestSupervisorRestartsKilledServer(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts a server")
	}
	ctx := context.Background()
	bin := indextest.Binary(t)
	core, logs := observer.New(zap.InfoLevel)
	startCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	m, err := index.StartManaged(startCtx, index.ManagedOptions{BinPath: bin, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	sup := index.Supervise(m, index.SuperviseOptions{InitialBackoff: 20 * time.Millisecond, Log: zap.New(core)})
	stopped := false
	defer func() {
		if !stopped {
			_ = sup.Stop(ctx)
		}
	}()
	c, err := index.NewClient(sup.URL(), sup.Key(), index.ClientOptions{IndexName: "hits"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ApplySettings(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Upsert(ctx, []domain.Hit{hit(1, "lincheng-walnut", "临城薄皮核桃 2025新货", true), hit(2, "laoganma", "老干妈风味豆豉", false)}); err != nil {
		t.Fatal(err)
	}

	for round := int64(1); round <= 2; round++ {
		pid := sup.PID()
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for {
			res, err := c.Search(ctx, "临城核桃", index.SearchFilter{})
			if sup.Restarts() == round && err == nil && res.Total == 1 && c.Healthy(ctx) == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: %d restarts, search %+v %v within 60s of killing pid %d", round, sup.Restarts(), res, err, pid)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if sup.PID() == pid {
			t.Errorf("round %d: still pid %d", round, pid)
		}
	}
	exits := logs.FilterMessage("meilisearch exited unexpectedly; restarting").All()
	if len(exits) != 2 || exits[0].Level != zap.WarnLevel {
		t.Fatalf("exit warnings = %+v, want 2", exits)
	}
	if st, _ := exits[0].ContextMap()["exit_status"].(string); !strings.Contains(st, "killed") {
		t.Errorf("exit_status %q does not say the server was killed", st)
	}

	last := sup.PID()
	if err := sup.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	stopped = true
	if syscall.Kill(last, 0) == nil {
		t.Errorf("pid %d still runs after Stop", last)
	}
	if sup.Restarts() != 2 {
		t.Errorf("%d restarts after Stop, want 2", sup.Restarts())
	}
	if err := sup.Stop(ctx); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}
