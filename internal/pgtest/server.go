package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

// server is a running postmaster, a child of this process.
type server struct {
	cmd    *exec.Cmd
	done   context.Context // cancelled once the process is reaped
	exited <-chan struct{} // done.Done()
	err    error           // Wait's result, set before done is cancelled
}

// runServer starts cmd with the kernel's promise to SIGKILL it when this
// process dies, however it dies: a test binary killed by a timeout or by
// hand must not leave a server holding its port and memory. That is why the
// server is not started with `pg_ctl start`, which detaches it.
//
// The promise (PR_SET_PDEATHSIG) is kept when the *thread* that started the
// child exits, and Go ends a thread whose goroutine exits while locked to
// it; the goroutine here stays locked to the thread that started the server
// until it has reaped it, so that thread outlives the server. It is the
// server's owner: stop signals it and waits for it.
func runServer(cmd *exec.Cmd) (*server, error) {
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	done, reaped := context.WithCancel(context.Background())
	s := &server{cmd: cmd, done: done, exited: done.Done()}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		defer reaped()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		s.err = cmd.Wait()
	}()
	if err := <-started; err != nil {
		<-s.exited
		return nil, fmt.Errorf("starting postgres: %w", err)
	}
	return s, nil
}

// stopGrace is how long an immediate shutdown may take before SIGKILL.
const stopGrace = 10 * time.Second

// stop shuts the server down the way `pg_ctl stop -m immediate` does
// (SIGQUIT: no checkpoint, the data is thrown away anyway) and waits for
// it; SIGKILL if it has not gone within stopGrace. A server that had
// already exited is reported: a crash must not pass as a clean test.
func (s *server) stop() error {
	select {
	case <-s.exited:
		return fmt.Errorf("postgres exited before it was stopped: %w", s.exitErr())
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGQUIT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("signalling postgres to stop: %w", err)
	}
	timer := time.NewTimer(stopGrace)
	defer timer.Stop()
	select {
	case <-s.exited:
		return nil
	case <-timer.C:
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	return fmt.Errorf("postgres did not stop within %v of SIGQUIT and was killed", stopGrace)
}

// exitErr is why the server exited; call only after exited is closed.
func (s *server) exitErr() error {
	if s.err == nil {
		return errors.New("exit status 0")
	}
	return s.err
}
