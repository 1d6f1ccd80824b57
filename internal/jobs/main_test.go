package jobs

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/markwatch/markwatch/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// newDB gives the test an empty database of the shared cluster with the
// job tables migrated, and returns its URL.
func newDB(t *testing.T) string {
	t.Helper()
	url := pgtest.Shared(t).NewDatabase(t)
	if err := Migrate(t.Context(), newPool(t, url, 2)); err != nil {
		t.Fatal(err)
	}
	return url
}

// newPool opens a pool of its own on url, as another process would,
// closed when the test ends.
func newPool(t *testing.T, url string, maxConns int32) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = maxConns
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// newQueue makes a Queue on a pool of its own (one process), starts it if
// it schedules or works, and stops it when the test ends.
func newQueue(t *testing.T, url string, o Options) *Queue {
	t.Helper()
	if o.Pool == nil {
		o.Pool = newPool(t, url, 8)
	}
	if o.Log == nil {
		o.Log = zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	}
	if o.RescueAfter == 0 {
		o.RescueAfter = time.Hour
	}
	if o.StopTimeout == 0 {
		o.StopTimeout = 10 * time.Second
	}
	if o.Work && o.Workers == 0 {
		o.Workers = 1
	}
	if o.Work && o.Interrupter == nil {
		o.Interrupter = interrupterFunc(func(context.Context, string) error { return nil })
	}
	if o.Schedule && o.Planner == nil {
		o.Planner = plannerFunc(func(context.Context, time.Time) ([]Slot, error) { return nil, nil })
	}
	q, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Errorf("stopping a queue: %v", err)
		}
	})
	return q
}

type runnerFunc func(ctx context.Context, sourceID string, slot time.Time) error

func (f runnerFunc) RunSource(ctx context.Context, id string, slot time.Time) error {
	return f(ctx, id, slot)
}

type plannerFunc func(ctx context.Context, now time.Time) ([]Slot, error)

func (f plannerFunc) Due(ctx context.Context, now time.Time) ([]Slot, error) { return f(ctx, now) }

type interrupterFunc func(ctx context.Context, sourceID string) error

func (f interrupterFunc) InterruptRuns(ctx context.Context, id string) error { return f(ctx, id) }

// eventually polls cond until it holds, failing the test after timeout.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// jobRow is what the tests read back of a crawl_run job.
type jobRow struct {
	SourceID string
	State    string
	Attempt  int
	Errors   int
}

func crawlJobs(t *testing.T, pool *pgxpool.Pool) []jobRow {
	t.Helper()
	rows, err := pool.Query(t.Context(), `SELECT args->>'source_id', state::text, attempt, coalesce(array_length(errors, 1), 0)
		FROM river_job WHERE kind = 'crawl_run' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []jobRow
	for rows.Next() {
		var r jobRow
		if err := rows.Scan(&r.SourceID, &r.State, &r.Attempt, &r.Errors); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// counter counts calls and remembers the largest number at once.
type counter struct {
	mu         sync.Mutex
	now, most  int
	total      int
	perSource  map[string]int
	mostPerSrc map[string]int
}

func (c *counter) enter(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.perSource == nil {
		c.perSource, c.mostPerSrc = map[string]int{}, map[string]int{}
	}
	c.now++
	c.most = max(c.most, c.now)
	c.perSource[id]++
	c.mostPerSrc[id] = max(c.mostPerSrc[id], c.perSource[id])
}

func (c *counter) leave(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now--
	c.perSource[id]--
	c.total++
}

func (c *counter) done() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}
