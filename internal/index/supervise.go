package index

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
	"go.uber.org/zap"
)

// SuperviseOptions tune a Supervisor. The zero value is ready to use.
type SuperviseOptions struct {
	// InitialBackoff is the wait before the first restart; default 500ms.
	// Each failed restart waits longer, up to MaxBackoff (default 30s).
	InitialBackoff, MaxBackoff time.Duration
	// StableAfter is how long a server must have run for its death to
	// count as new rather than part of a crash loop, resetting the
	// backoff; default one minute.
	StableAfter time.Duration
	// Now is the clock uptimes are measured by; default time.Now.
	Now func() time.Time
	// Log receives the exits and restarts; default the server's own log.
	Log *zap.Logger
}

// Supervisor keeps a managed Meilisearch running: when the child dies of
// anything but Stop it logs how, and starts it again on the same address
// and data dir (same master key, same indexes) with backoff, so clients
// holding URL and Key carry on once it answers. Its goroutine is stopped
// and waited for by Stop.
type Supervisor struct {
	opts     SuperviseOptions
	log      *zap.Logger
	restarts atomic.Int64

	mu  sync.Mutex
	cur *Managed

	quit     chan struct{}
	cancel   context.CancelFunc // ends a restart in progress
	done     chan struct{}      // closed when the watching goroutine returns
	stopOnce sync.Once
	stopErr  error
}

// Supervise takes ownership of m and watches it until Stop.
func Supervise(m *Managed, o SuperviseOptions) *Supervisor {
	if o.InitialBackoff <= 0 {
		o.InitialBackoff = 500 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
	if o.StableAfter <= 0 {
		o.StableAfter = time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = m.log
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Supervisor{opts: o, log: o.Log, cur: m, quit: make(chan struct{}), cancel: cancel, done: make(chan struct{})}
	go s.watch(ctx, m)
	return s
}

// URL is the server's base URL; it does not change across restarts.
func (s *Supervisor) URL() string { return s.current().URL() }

// Key is the master key; it does not change across restarts.
func (s *Supervisor) Key() string { return s.current().Key() }

// PID is the current child's process id.
func (s *Supervisor) PID() int { return s.current().PID() }

// Restarts counts the times the server was started again after dying.
func (s *Supervisor) Restarts() int64 { return s.restarts.Load() }

func (s *Supervisor) current() *Managed {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

// Stop ends supervision (a restart under way is abandoned) and then stops
// the current server as Managed.Stop does. Safe to call more than once.
func (s *Supervisor) Stop(ctx context.Context) error {
	s.stopOnce.Do(func() {
		close(s.quit)
		s.cancel()
		<-s.done
		s.stopErr = s.current().Stop(ctx)
	})
	return s.stopErr
}

// watch waits for the child to die and restarts it, until quit.
func (s *Supervisor) watch(ctx context.Context, m *Managed) {
	defer close(s.done)
	b := &backoff.ExponentialBackOff{
		InitialInterval:     s.opts.InitialBackoff,
		RandomizationFactor: backoff.DefaultRandomizationFactor,
		Multiplier:          2,
		MaxInterval:         s.opts.MaxBackoff,
	}
	b.Reset()
	started := s.opts.Now()
	for {
		select {
		case <-s.quit:
			return
		case <-m.Exited():
		}
		select {
		case <-s.quit: // Stop raced the exit: it was not a death
			return
		default:
		}
		if s.opts.Now().Sub(started) >= s.opts.StableAfter {
			b.Reset()
		}
		next, ok := s.restart(ctx, m, b)
		if !ok {
			return
		}
		m, started = next, s.opts.Now()
		s.mu.Lock()
		s.cur = m
		s.mu.Unlock()
		s.restarts.Add(1)
		s.log.Warn("meilisearch restarted", zap.Int("pid", m.PID()), zap.Int64("restarts", s.restarts.Load()))
	}
}

// restart starts dead's server again, waiting with backoff before each
// attempt; ok is false when quit came first.
func (s *Supervisor) restart(ctx context.Context, dead *Managed, b *backoff.ExponentialBackOff) (m *Managed, ok bool) {
	wait := b.NextBackOff()
	s.log.Warn("meilisearch exited unexpectedly; restarting",
		zap.Int("pid", dead.PID()), zap.String("exit_status", exitStatus(dead.ExitErr())),
		zap.String("last_output", dead.out.tail()), zap.Duration("restart_in", wait))
	for {
		t := time.NewTimer(wait)
		select {
		case <-s.quit:
			t.Stop()
			return nil, false
		case <-t.C:
		}
		m, err := StartManaged(ctx, dead.opts)
		if err == nil {
			return m, true
		}
		if errors.Is(err, context.Canceled) || ctx.Err() != nil {
			return nil, false
		}
		wait = b.NextBackOff()
		s.log.Warn("restarting meilisearch failed; trying again", zap.Error(err), zap.Duration("restart_in", wait))
	}
}

func exitStatus(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}
