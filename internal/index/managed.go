package index

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// ManagedOptions configure a Meilisearch child process.
type ManagedOptions struct {
	// BinPath is the server binary; "" means FindBinary.
	BinPath string
	// DataDir holds the index (data.ms), dumps, snapshots and master.key.
	DataDir string
	// Addr is host:port to listen on; "" picks a free loopback port.
	Addr string
	// MaxIndexingMemory caps indexing RAM; default "256MiB" (measured: RSS
	// 0.3–0.46 GB instead of 1–3 GB at the same bulk speed).
	MaxIndexingMemory string
	// PayloadLimit caps one request body, as Meilisearch's
	// --http-payload-size-limit ("100MB", its default, when empty).
	PayloadLimit string
	// Env is "production" (default: a master key is always set) or "development".
	Env string
	// StartTimeout bounds the wait for /health; default 60s.
	StartTimeout time.Duration
	// StopTimeout is how long Stop waits after SIGTERM before SIGKILL; default 10s.
	StopTimeout time.Duration
	// Log receives the server's output at debug level; nil discards it.
	Log *zap.Logger
}

// Managed is a Meilisearch server run as a child process.
type Managed struct {
	cmd         *exec.Cmd
	url, key    string
	addr        string
	log         *zap.Logger
	out         *logWriter
	stopTimeout time.Duration
	// opts are the options it was started with, defaults filled in and the
	// address fixed, so a Supervisor can start it again the same way.
	opts ManagedOptions

	done    chan struct{} // closed when the process has been reaped
	waitErr error         // set before done is closed

	stopOnce sync.Once
	stopErr  error
}

// StartManaged starts the server and returns once it answers /health. The
// master key is read from DataDir/master.key, or generated there (mode 0600),
// and handed over in the environment rather than on the command line, where
// any local user could read it.
func StartManaged(ctx context.Context, o ManagedOptions) (*Managed, error) {
	o, err := managedDefaults(o)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("starting Meilisearch: creating data dir: %w", err)
	}
	key, err := loadOrCreateMasterKey(o.DataDir)
	if err != nil {
		return nil, fmt.Errorf("starting Meilisearch: %w", err)
	}
	dbPath := filepath.Join(o.DataDir, "data.ms")
	if err := stopOrphan(o.DataDir, dbPath, o.StopTimeout, o.Log); err != nil {
		return nil, fmt.Errorf("starting Meilisearch: %w", err)
	}
	if err := checkAddrFree(o.Addr); err != nil {
		return nil, err
	}
	m := &Managed{
		url: "http://" + o.Addr, key: key, addr: o.Addr, log: o.Log,
		out: newLogWriter(o.Log), stopTimeout: o.StopTimeout, opts: o, done: make(chan struct{}),
	}
	m.cmd = exec.Command(o.BinPath,
		"--db-path", dbPath,
		"--dump-dir", filepath.Join(o.DataDir, "dumps"),
		"--snapshot-dir", filepath.Join(o.DataDir, "snapshots"),
		"--http-addr", o.Addr,
		"--env", o.Env,
		"--max-indexing-memory", o.MaxIndexingMemory,
		"--log-level", "WARN", // INFO logs every request
		"--no-analytics",
	)
	if o.PayloadLimit != "" {
		m.cmd.Args = append(m.cmd.Args, "--http-payload-size-limit", o.PayloadLimit)
	}
	// The data dir as working directory keeps a stray ./config.toml from
	// being read; MEILI_* from our environment would override our flags.
	m.cmd.Dir = o.DataDir
	m.cmd.Env = append(withoutMeiliEnv(os.Environ()), "MEILI_MASTER_KEY="+key)
	m.cmd.Stdout, m.cmd.Stderr = m.out, m.out
	m.cmd.SysProcAttr = childProcAttr()
	if err := m.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting Meilisearch %s: %w", o.BinPath, err)
	}
	if err := writePidFile(o.DataDir, m.cmd.Process.Pid); err != nil {
		m.log.Warn("meilisearch: cannot record pid; a crash of markwatch may leave it running", zap.Error(err))
	}
	// Owned by m: it ends when the process does, and Stop waits on done.
	go func() {
		m.waitErr = m.cmd.Wait()
		removePidFile(o.DataDir, m.cmd.Process.Pid)
		close(m.done)
	}()
	m.log.Info("meilisearch starting", zap.Int("pid", m.cmd.Process.Pid), zap.String("addr", o.Addr),
		zap.String("data_dir", o.DataDir))
	if err := m.waitHealthy(ctx, o.StartTimeout); err != nil {
		stopCtx, cancel := context.WithTimeout(context.Background(), o.StopTimeout)
		defer cancel()
		_ = m.Stop(stopCtx)
		return nil, fmt.Errorf("starting Meilisearch on %s: %w", o.Addr, err)
	}
	return m, nil
}

func managedDefaults(o ManagedOptions) (ManagedOptions, error) {
	if o.DataDir == "" {
		return o, domain.Errorf(domain.EINVALID, "starting Meilisearch: data dir is empty")
	}
	if o.BinPath == "" {
		p, err := FindBinary()
		if err != nil {
			return o, err
		}
		o.BinPath = p
	}
	if o.Addr == "" {
		addr, err := freeLoopbackAddr()
		if err != nil {
			return o, err
		}
		o.Addr = addr
	}
	if o.MaxIndexingMemory == "" {
		o.MaxIndexingMemory = "256MiB"
	}
	switch o.Env {
	case "":
		o.Env = "production"
	case "production", "development":
	default:
		return o, domain.Errorf(domain.EINVALID, "starting Meilisearch: env %q must be production or development", o.Env)
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 60 * time.Second
	}
	if o.StopTimeout <= 0 {
		o.StopTimeout = 10 * time.Second
	}
	if o.Log == nil {
		o.Log = zap.NewNop()
	}
	return o, nil
}

// waitHealthy polls /health until it answers, the process exits, or the
// timeout passes.
func (m *Managed) waitHealthy(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hc := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableCompression: true}}
	defer hc.CloseIdleConnections()
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.url+"/health", nil)
		if err != nil {
			return fmt.Errorf("building health request: %w", err)
		}
		if resp, err := hc.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return m.checkOwnKey(ctx, hc)
			}
		}
		select {
		case <-m.done:
			return fmt.Errorf("process exited before it was ready (%v); last output: %s", m.waitErr, m.out.tail())
		case <-ctx.Done():
			return fmt.Errorf("not healthy after %s: %w; last output: %s", timeout, ctx.Err(), m.out.tail())
		case <-tick.C:
		}
	}
}

// checkOwnKey makes sure the server that answered is ours: another process
// on the port would not accept our master key.
func (m *Managed) checkOwnKey(ctx context.Context, hc *http.Client) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.url+"/version", nil)
	if err != nil {
		return fmt.Errorf("building version request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+m.key)
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("checking the master key: %w", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the server on %s refuses this data dir's master key (HTTP %d): another process answers on that port", m.addr, resp.StatusCode)
	}
	return nil
}

// URL is the server's base URL.
func (m *Managed) URL() string { return m.url }

// Addr is the host:port the server listens on, to restart on the same one.
func (m *Managed) Addr() string { return m.addr }

// Key is the master key.
func (m *Managed) Key() string { return m.key }

// PID is the child's process id.
func (m *Managed) PID() int { return m.cmd.Process.Pid }

// Exited is closed when the process has ended, for whatever reason.
func (m *Managed) Exited() <-chan struct{} { return m.done }

// ExitErr is how the process ended ("signal: killed", "exit status 1"), nil
// for a clean exit or while it runs.
func (m *Managed) ExitErr() error {
	select {
	case <-m.done:
		return m.waitErr
	default:
		return nil
	}
}

// Stop sends SIGTERM, escalates to SIGKILL after StopTimeout or when ctx
// ends, and returns once the process has been reaped. Safe to call more than
// once and after the process died on its own.
func (m *Managed) Stop(ctx context.Context) error {
	m.stopOnce.Do(func() { m.stopErr = m.stop(ctx) })
	return m.stopErr
}

func (m *Managed) stop(ctx context.Context) error {
	select {
	case <-m.done:
		return nil
	default:
	}
	if err := m.cmd.Process.Signal(terminateSignal); err != nil && !errors.Is(err, os.ErrProcessDone) {
		m.log.Warn("meilisearch: sending SIGTERM failed, killing", zap.Error(err))
	}
	bound := time.NewTimer(m.stopTimeout)
	defer bound.Stop()
	select {
	case <-m.done:
		m.log.Info("meilisearch stopped")
		return nil
	case <-bound.C:
	case <-ctx.Done():
	}
	m.log.Warn("meilisearch did not stop in time, killing", zap.Duration("stop_timeout", m.stopTimeout))
	if err := m.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stopping Meilisearch: killing pid %d: %w", m.PID(), err)
	}
	<-m.done // SIGKILL cannot be ignored; reaping follows promptly
	return nil
}

func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free loopback port: %w", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		return "", fmt.Errorf("finding a free loopback port: %w", err)
	}
	return addr, nil
}

// checkAddrFree fails when something already listens on addr: otherwise
// the health check would be answered by that process (typically a server
// left over from a crash) and the child's failure to bind would go unseen.
func checkAddrFree(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return domain.Errorf(domain.ECONFLICT,
			"starting Meilisearch: address %s is in use (another Meilisearch still running?): %v", addr, err)
	}
	if err := l.Close(); err != nil {
		return fmt.Errorf("starting Meilisearch: probing %s: %w", addr, err)
	}
	return nil
}

func withoutMeiliEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "MEILI_") {
			out = append(out, kv)
		}
	}
	return out
}
