package jobs

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// childEnv makes TestDeadWorkerChild, run in a copy of this test binary,
// work the queue of the database it names with a run that never ends, and
// print "running" when it has begun; the parent then kills it.
const childEnv = "MARKWATCH_JOBS_CHILD_DB"

// TestDeadWorkerChild is the worker TestDeadWorkerRescued kills; run alone
// it does nothing.
func TestDeadWorkerChild(t *testing.T) {
	url := os.Getenv(childEnv)
	if url == "" {
		return
	}
	runner := runnerFunc(func(_ context.Context, id string, _ time.Time) error {
		fmt.Println("running", id)
		time.Sleep(time.Minute) // ignores ctx: it is killed long before
		return nil
	})
	newQueue(t, url, Options{Work: true, Runner: runner})
	time.Sleep(time.Minute)
	t.Fatal("not killed within a minute")
}

// TestDeadWorkerRescued: a worker killed mid-run leaves its job running and
// drops its source lock with its connection; the leader rescues the job
// after RescueAfter, and another worker retries it, first marking the dead
// run interrupted.
func TestDeadWorkerRescued(t *testing.T) {
	url := newDB(t)
	const source = "pdd/迁西板栗"
	slot := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	enq := newQueue(t, url, Options{})
	if _, err := enq.Enqueue(t.Context(), Slot{source, slot}); err != nil {
		t.Fatal(err)
	}

	child := exec.Command(os.Args[0], "-test.run=^TestDeadWorkerChild$")
	child.Env = append(os.Environ(), childEnv+"="+url)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	running := make(chan string, 1)
	go func() { // ends with the child's stdout
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if id, ok := strings.CutPrefix(sc.Text(), "running "); ok {
				running <- id
			}
		}
	}()
	if id := waitFor(t, running, "run in the child"); id != source {
		t.Fatalf("the child ran %q, want %q", id, source)
	}
	begun := time.Now()
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait() // killed: its error says so
	if jobs := crawlJobs(t, enq.opts.Pool); len(jobs) != 1 || jobs[0].State != "running" || jobs[0].Attempt != 1 {
		t.Fatalf("after the kill: jobs %v, want one left running at attempt 1", jobs)
	}

	const rescueAfter = time.Second
	time.Sleep(rescueAfter) // River's rescuer looks once at start, then every 30 s
	var mu sync.Mutex
	var interrupted, ran []string
	newQueue(t, url, Options{
		Schedule: true, Work: true, RescueAfter: rescueAfter,
		Interrupter: interrupterFunc(func(_ context.Context, id string) error {
			mu.Lock()
			defer mu.Unlock()
			interrupted = append(interrupted, id)
			return nil
		}),
		Runner: runnerFunc(func(_ context.Context, id string, s time.Time) error {
			mu.Lock()
			defer mu.Unlock()
			if len(interrupted) == 0 {
				return fmt.Errorf("ran %s before its dead run was marked interrupted", id)
			}
			ran = append(ran, id+" "+s.Format(time.RFC3339))
			return nil
		}),
	})
	eventually(t, 20*time.Second, "the rescued job completed", func() bool {
		jobs := crawlJobs(t, enq.opts.Pool)
		return len(jobs) == 1 && jobs[0].State == "completed"
	})
	t.Logf("from the kill to the retried run's completion: %s", time.Since(begun))
	mu.Lock()
	defer mu.Unlock()
	if len(interrupted) != 1 || interrupted[0] != source {
		t.Errorf("InterruptRuns called for %v, want once for %s", interrupted, source)
	}
	if want := source + " 2025-03-01T08:00:00Z"; len(ran) != 1 || ran[0] != want {
		t.Errorf("runs %v, want one: %s", ran, want)
	}
	if jobs := crawlJobs(t, enq.opts.Pool); jobs[0].Attempt != 2 {
		t.Errorf("completed at attempt %d, want 2", jobs[0].Attempt)
	}
}
