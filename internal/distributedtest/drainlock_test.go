package distributedtest

import (
	"syscall"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/index/indextest"
	"github.com/markwatch/markwatch/internal/pgtest"
)

const (
	drainingMsg = "draining the index, notification, capture and timestamp queues"
	standbyMsg  = "another scheduler drains the queues; standing by"
)

// TestOneSchedulerDrainsAndAStandbyTakesOver: two scheduler replicas (as
// deploy/k8s runs them) do not both drain — two notaries would fork the
// evidence log, two deliverers send twice; when the draining one is
// killed, the standby takes the drains over.
func TestOneSchedulerDrainsAndAStandbyTakesOver(t *testing.T) {
	bin := markwatchBinary(t)
	dbURL := pgtest.Shared(t).NewDatabase(t)
	meili := indextest.StartServer(t, "", "")
	cfg := writeConfig(t, dbURL, meili.URL(), meili.Key(), "http://127.0.0.1:9")

	began := time.Now()
	first := start(t, bin, cfg, "", "scheduler-1", "scheduler")
	first.field(t, drainingMsg, "msg", 60*time.Second)
	t.Logf("first scheduler draining after %v", time.Since(began).Round(time.Millisecond))
	second := start(t, bin, cfg, "", "scheduler-2", "scheduler")
	second.field(t, standbyMsg, "msg", 60*time.Second)
	time.Sleep(3 * drainRetry) // the standby keeps trying, and keeps failing
	if second.logged(drainingMsg) {
		t.Fatalf("both schedulers drain:\n%s", second.log())
	}

	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.done
	killed := time.Now()
	second.field(t, drainingMsg, "msg", 30*time.Second)
	t.Logf("the standby took the drains over %v after the kill", time.Since(killed).Round(time.Millisecond))
}

// drainRetry is the daemon's drainLockRetry (internal/app).
const drainRetry = 2 * time.Second

// logged reports whether p has logged msg so far.
func (p *proc) logged(msg string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.logs {
		if m["msg"] == msg {
			return true
		}
	}
	return false
}
