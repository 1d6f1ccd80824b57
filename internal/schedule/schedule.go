// Package schedule runs each source on its cron schedule. A run never overlaps
// itself, a bad spec is refused without touching the running one, and Stop
// cancels running jobs and waits for them.
package schedule

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// manualKey marks the context of a run started by Trigger.
type manualKey struct{}

// Manual reports whether the run with this context was asked for (Trigger)
// rather than due by its schedule; a run func may skip a backed-off source's
// scheduled runs but should honour an operator's request.
func Manual(ctx context.Context) bool {
	v, _ := ctx.Value(manualKey{}).(bool)
	return v
}

// RunFunc runs one source once. ctx is cancelled when the scheduler stops.
type RunFunc func(ctx context.Context, sourceID string)

// Options configure a Scheduler.
type Options struct {
	Location *time.Location // default Asia/Shanghai, where marketplaces and supervisors live
	Log      *zap.Logger
	// Jitter delays each scheduled run by a random duration up to this bound, so
	// many sources on "0 * * * *" do not hit at once.
	Jitter time.Duration
	Rand   *rand.Rand // injected for deterministic tests; nil = seeded from time
	// MinInterval is the floor under every source's schedule: a spec whose
	// consecutive runs come closer is refused, so one typo ("* * * * * *")
	// cannot crawl a marketplace every second. 0 means DefaultMinInterval.
	MinInterval time.Duration
	// SourceMinInterval sets the floor of single sources by id, above or
	// below MinInterval (a marketplace that asks for a visit a day, a local
	// test source).
	SourceMinInterval map[string]time.Duration
	Now               func() time.Time // default time.Now
}

// DefaultMinInterval is the floor when Options.MinInterval is 0.
const DefaultMinInterval = time.Minute

// Entry describes one scheduled source.
type Entry struct {
	SourceID string    `json:"source_id"`
	Spec     string    `json:"spec"`
	Paused   bool      `json:"paused"`
	Running  bool      `json:"running"`
	Next     time.Time `json:"next,omitempty"`
	Prev     time.Time `json:"prev,omitempty"`
}

type job struct {
	spec    string
	id      cron.EntryID
	paused  bool
	running bool
	// lastDue is when the clock last started a run, for the floor's guard.
	lastDue time.Time
}

// Scheduler owns a robfig/cron instance and the goroutines of the runs it starts.
type Scheduler struct {
	opts   Options
	run    RunFunc
	parser Parser
	cron   *cron.Cron

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	jobs     map[string]*job
	rng      *rand.Rand
	started  bool
	stopping bool // no new runs once Stop began
}

// New returns a scheduler that calls run for each due source.
func New(run RunFunc, opts Options) (*Scheduler, error) {
	if opts.Location == nil {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			return nil, fmt.Errorf("loading time zone Asia/Shanghai: %w", err)
		}
		opts.Location = loc
	}
	if opts.Log == nil {
		opts.Log = zap.NewNop()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MinInterval <= 0 {
		opts.MinInterval = DefaultMinInterval
	}
	opts.SourceMinInterval = maps.Clone(opts.SourceMinInterval)
	rng := opts.Rand
	if rng == nil {
		rng = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x6d61726b))
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{
		opts:   opts,
		run:    run,
		parser: NewParser(),
		cron: cron.New(
			cron.WithLocation(opts.Location),
			cron.WithParser(NewParser()),
			cron.WithLogger(cronLogger{opts.Log}),
		),
		ctx:    ctx,
		cancel: cancel,
		jobs:   map[string]*job{},
		rng:    rng,
	}, nil
}

// Validate reports whether spec is a schedule the scheduler accepts, with an
// error that says what is wrong.
func Validate(spec string) error {
	if _, err := NewParser().Parse(spec); err != nil {
		return domain.Errorf(domain.EINVALID, "schedule %q is not a valid cron spec (want 5 fields \"min hour dom month dow\", 6 with leading seconds, or @every 1h): %v", spec, err)
	}
	return nil
}

// Set adds a source or changes its schedule. An invalid spec, or one whose
// runs come closer than the source's floor, is refused and the old
// schedule, if any, keeps running.
func (s *Scheduler) Set(sourceID, spec string) error {
	sched, err := s.parse(sourceID, spec)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[sourceID]
	if !ok {
		j = &job{}
		s.jobs[sourceID] = j
	}
	if j.id != 0 {
		s.cron.Remove(j.id)
		j.id = 0
	}
	j.spec = spec
	if !j.paused {
		j.id = s.cron.Schedule(sched, cron.FuncJob(func() { s.due(sourceID) }))
	}
	return nil
}

// Pause stops scheduled runs of a source until Resume; a running one finishes.
func (s *Scheduler) Pause(sourceID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[sourceID]
	if !ok {
		return domain.Errorf(domain.ENOTFOUND, "source %q is not scheduled", sourceID)
	}
	if j.id != 0 {
		s.cron.Remove(j.id)
		j.id = 0
	}
	j.paused = true
	return nil
}

// Resume restarts scheduled runs of a paused source.
func (s *Scheduler) Resume(sourceID string) error {
	s.mu.Lock()
	j, ok := s.jobs[sourceID]
	if !ok {
		s.mu.Unlock()
		return domain.Errorf(domain.ENOTFOUND, "source %q is not scheduled", sourceID)
	}
	j.paused = false
	spec := j.spec
	s.mu.Unlock()
	return s.Set(sourceID, spec)
}

// Trigger runs a source now, unless it is already running (ECONFLICT).
func (s *Scheduler) Trigger(sourceID string) error {
	s.mu.Lock()
	_, ok := s.jobs[sourceID]
	stopping := s.stopping
	s.mu.Unlock()
	if !ok {
		return domain.Errorf(domain.ENOTFOUND, "source %q is not scheduled", sourceID)
	}
	if stopping {
		return domain.Errorf(domain.EUNAVAILABLE, "the scheduler is shutting down")
	}
	if !s.fire(sourceID, false) {
		return domain.Errorf(domain.ECONFLICT, "source %q is already running", sourceID)
	}
	return nil
}

// due starts a scheduled run unless the previous scheduled one started less
// than the floor ago. Set has refused specs that run closer, but a changed
// schedule's first run can fall just after the old one's last, and a clock
// change in a CRON_TZ= zone can bring two runs together.
func (s *Scheduler) due(sourceID string) {
	now := s.opts.Now()
	floor := s.Floor(sourceID)
	s.mu.Lock()
	j, ok := s.jobs[sourceID]
	if !ok {
		s.mu.Unlock()
		return
	}
	last := j.lastDue
	if last.IsZero() || now.Sub(last) >= floor {
		j.lastDue = now
	}
	s.mu.Unlock()
	if !last.IsZero() && now.Sub(last) < floor {
		s.opts.Log.Info("skipping scheduled run: closer than the floor to the previous one",
			zap.String("source_id", sourceID), zap.Time("previous", last),
			zap.Duration("since", now.Sub(last)), zap.Duration("floor", floor))
		return
	}
	s.fire(sourceID, true)
}

// fire starts a run in a goroutine owned by the scheduler; it returns false
// when the source is already running (runs never overlap) or the scheduler
// is stopping.
func (s *Scheduler) fire(sourceID string, jitter bool) bool {
	s.mu.Lock()
	j, ok := s.jobs[sourceID]
	if !ok || j.running || s.stopping {
		s.mu.Unlock()
		if ok && j.running {
			s.opts.Log.Info("skipping run: previous run still going", zap.String("source_id", sourceID))
		}
		return false
	}
	j.running = true
	var delay time.Duration
	if jitter && s.opts.Jitter > 0 {
		delay = time.Duration(s.rng.Int64N(int64(s.opts.Jitter)))
	}
	s.wg.Add(1)
	s.mu.Unlock()

	go func() {
		defer s.wg.Done()
		defer func() {
			s.mu.Lock()
			j.running = false
			s.mu.Unlock()
		}()
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-s.ctx.Done():
				t.Stop()
				return
			}
		}
		ctx := s.ctx
		if !jitter { // only scheduled runs are jittered; this one was asked for
			ctx = context.WithValue(ctx, manualKey{}, true)
		}
		s.run(ctx, sourceID)
	}()
	return true
}

// Start begins firing scheduled runs.
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		s.started = true
		s.cron.Start()
	}
}

// cancelWait bounds how long Stop waits for runs after cancelling them; a
// crawl answers cancellation within a request timeout.
const cancelWait = 15 * time.Second

// Stop stops the clock and lets running jobs finish until ctx is done (the
// shutdown grace); then it cancels them and waits a bounded time for them to
// return. Either way no job is left running unseen.
func (s *Scheduler) Stop(ctx context.Context) error {
	stopped := s.cron.Stop()
	s.mu.Lock()
	s.stopping = true
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		<-stopped.Done()
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		s.cancel()
		return nil
	case <-ctx.Done():
	}
	s.cancel()
	t := time.NewTimer(cancelWait)
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-t.C:
		return fmt.Errorf("stopping scheduler: runs still going %s after cancellation", cancelWait)
	}
}

// Entries lists the scheduled sources with their next and previous runs.
func (s *Scheduler) Entries() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Entry, 0, len(s.jobs))
	for id, j := range s.jobs {
		e := Entry{SourceID: id, Spec: j.spec, Paused: j.paused, Running: j.running}
		if j.id != 0 {
			ce := s.cron.Entry(j.id)
			e.Next, e.Prev = ce.Next, ce.Prev
			if e.Next.IsZero() && ce.Schedule != nil {
				// cron fills Next only after Start; compute it for display.
				e.Next = ce.Schedule.Next(s.opts.Now().In(s.opts.Location))
			}
		}
		out = append(out, e)
	}
	sortEntries(out)
	return out
}
