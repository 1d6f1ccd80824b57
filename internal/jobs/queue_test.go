package jobs

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestEnqueueOncePerSlot: a slot is one job however often it is enqueued,
// also when given in another time zone or with sub-millisecond noise;
// another slot or source is another job.
func TestEnqueueOncePerSlot(t *testing.T) {
	url := newDB(t)
	q := newQueue(t, url, Options{}) // enqueue-only, as `markwatch sources run`
	ctx := t.Context()
	slot := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	shanghai := time.FixedZone("CST", 8*3600)
	tests := []struct {
		name string
		slot Slot
		want bool
	}{
		{"first", Slot{"taobao/六个核桃", slot}, true},
		{"again", Slot{"taobao/六个核桃", slot}, false},
		{"same instant in Beijing time", Slot{"taobao/六个核桃", slot.In(shanghai)}, false},
		{"same millisecond", Slot{"taobao/六个核桃", slot.Add(300 * time.Microsecond)}, false},
		{"next slot", Slot{"taobao/六个核桃", slot.Add(time.Hour)}, true},
		{"look-alike source", Slot{"taobao/陆个核桃", slot}, true},
		{"other source", Slot{"jd/衡水老白干", slot}, true},
	}
	for _, tt := range tests {
		got, err := q.Enqueue(ctx, tt.slot)
		if err != nil || got != tt.want {
			t.Errorf("%s: Enqueue(%v) = %v, %v; want %v", tt.name, tt.slot, got, err, tt.want)
		}
	}
	if jobs := crawlJobs(t, q.opts.Pool); len(jobs) != 4 {
		t.Errorf("%d crawl jobs, want 4: %v", len(jobs), jobs)
	}
	for _, bad := range []Slot{{"", slot}, {"jd/迁西板栗", time.Time{}}} {
		if _, err := q.Enqueue(ctx, bad); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("Enqueue(%v) = %v, want %s", bad, err, domain.EINVALID)
		}
	}
}

// TestSchedulersEnqueueDueSlotOnce: two scheduling processes whose planner
// says the same slot is due on every tick run it once: only River's leader
// ticks, and the slot's uniqueness outlives the completed run.
func TestSchedulersEnqueueDueSlotOnce(t *testing.T) {
	url := newDB(t)
	slot := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	var ticks, runs atomic.Int64
	planner := plannerFunc(func(context.Context, time.Time) ([]Slot, error) {
		ticks.Add(1)
		return []Slot{{"pdd/迁西板栗", slot}}, nil
	})
	runner := runnerFunc(func(context.Context, string, time.Time) error { runs.Add(1); return nil })
	var qs []*Queue
	for range 2 {
		qs = append(qs, newQueue(t, url, Options{
			Schedule: true, Work: true, Workers: 2, Planner: planner, Runner: runner,
			TickEvery: 150 * time.Millisecond,
		}))
	}
	eventually(t, 15*time.Second, "five ticks and a run", func() bool { return ticks.Load() >= 5 && runs.Load() >= 1 })
	if n := runs.Load(); n != 1 {
		t.Errorf("the slot ran %d times, want once", n)
	}
	jobs := crawlJobs(t, qs[0].opts.Pool)
	if len(jobs) != 1 || jobs[0].State != "completed" {
		t.Errorf("crawl jobs %v, want one completed", jobs)
	}
}

// TestNewRefuses: options that cannot work are refused up front.
func TestNewRefuses(t *testing.T) {
	cfg, err := pgxpool.ParseConfig("postgres://markwatch@127.0.0.1:1/none?sslmode=disable&pool_max_conns=4")
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg) // connects lazily: never here
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	run := runnerFunc(func(context.Context, string, time.Time) error { return nil })
	intr := interrupterFunc(func(context.Context, string) error { return nil })
	plan := plannerFunc(func(context.Context, time.Time) ([]Slot, error) { return nil, nil })
	work := Options{Pool: pool, Work: true, Workers: 2, Runner: run, Interrupter: intr, RescueAfter: time.Minute, StopTimeout: time.Second}
	tests := []struct {
		name string
		edit func(*Options)
	}{
		{"no pool", func(o *Options) { o.Pool = nil }},
		{"no runner", func(o *Options) { o.Runner = nil }},
		{"no interrupter", func(o *Options) { o.Interrupter = nil }},
		{"no workers", func(o *Options) { o.Workers = 0 }},
		{"pool too small for the locks", func(o *Options) { o.Workers = 3 }},
		{"no stop timeout", func(o *Options) { o.StopTimeout = 0 }},
		{"no rescue_after", func(o *Options) { o.RescueAfter = 0 }},
		{"scheduling without a planner", func(o *Options) { o.Schedule = true }},
		{"negative tick", func(o *Options) { o.Schedule, o.Planner, o.TickEvery = true, plan, -time.Second }},
	}
	for _, tt := range tests {
		o := work
		tt.edit(&o)
		if _, err := New(o); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s: New = %v, want %s", tt.name, err, domain.EINVALID)
		}
	}
	if _, err := New(work); err != nil {
		t.Errorf("New(valid) = %v", err)
	}
}
