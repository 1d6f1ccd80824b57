package app

import (
	"context"
	"errors"
	"time"

	"go.uber.org/zap"
)

// drainLockClass and drainLockKey name the PostgreSQL advisory lock the
// scheduler role holds while it drains: the index outbox, notifications,
// evidence captures, rechecks and the notary (tree heads, timestamps).
// One drainer at a time: two notaries would fork the evidence log, two
// deliverers could send a message twice. River's leader election covers
// only the schedule tick; this lock covers the drains, and a scheduler
// replica without it stands by and takes over when the holder's
// connection ends (it died, or was stopped).
const (
	drainLockClass int32 = 0x6d774452 // "mwDR"
	drainLockKey   int32 = 1
	// drainLockRetry is how often a standby tries the lock, and how often
	// the holder checks its connection still holds it.
	drainLockRetry = 2 * time.Second
)

// startDrainGate opens d.drainGate when this process may drain: at once in
// the embedded mode (nothing else drains), once the lock is held in the
// scheduler role. Roles that do not drain never open it.
func (d *daemon) startDrainGate(bgCtx context.Context) {
	switch {
	case d.role == roleAll:
		close(d.drainGate)
		return
	case !d.parts.drains || d.jobPool == nil:
		return
	}
	d.bg.Add(1)
	go func() {
		defer d.bg.Done()
		d.holdDrainLock(bgCtx)
	}()
}

// holdDrainLock takes the drain lock on a connection of its own, keeps it
// until bgCtx ends, and stops the drains (drainCancel) if the connection
// is lost: another scheduler may then hold it.
func (d *daemon) holdDrainLock(bgCtx context.Context) {
	conn, err := d.jobPool.Acquire(bgCtx)
	if err != nil {
		if bgCtx.Err() == nil {
			d.log.Error("no connection for the drain lock; this scheduler does not drain", zap.Error(err))
		}
		return
	}
	defer conn.Release()
	standing := false
	for {
		var ok bool
		if err := conn.QueryRow(bgCtx, "SELECT pg_try_advisory_lock($1, $2)", drainLockClass, drainLockKey).Scan(&ok); err != nil {
			if bgCtx.Err() == nil {
				d.log.Error("trying the drain lock; this scheduler does not drain", zap.Error(err))
			}
			conn.Hijack().Close(context.Background()) // it may hold the lock: never pooled again
			return
		}
		if ok {
			break
		}
		if !standing {
			d.log.Info("another scheduler drains the queues; standing by")
			standing = true
		}
		if !sleepCtx(bgCtx, drainLockRetry) {
			return
		}
	}
	d.log.Info("draining the index, notification, capture and timestamp queues")
	close(d.drainGate)
	for sleepCtx(bgCtx, drainLockRetry) {
		if err := conn.Ping(bgCtx); err != nil && bgCtx.Err() == nil {
			d.log.Error("lost the drain lock's connection: drains stopped, another scheduler may take them; restart this process", zap.Error(err))
			d.drainCancel()
			conn.Hijack().Close(context.Background())
			return
		}
	}
	// bgCtx ended: the drains have stopped (they run on it); give the lock up
	// with the connection, so a standby takes over at once.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock($1, $2)", drainLockClass, drainLockKey); err != nil {
		conn.Hijack().Close(context.Background())
	}
}

// goDrain runs a drain in a goroutine d.bg owns, once this process may
// drain (startDrainGate), until the drains stop.
func (d *daemon) goDrain(bgCtx context.Context, name string, run func(context.Context) error) {
	d.bg.Add(1)
	go func() {
		defer d.bg.Done()
		select {
		case <-d.drainGate:
		case <-bgCtx.Done():
			return
		}
		if err := run(d.drainCtx); err != nil && !errors.Is(err, context.Canceled) {
			d.log.Error(name+" stopped", zap.Error(err))
		}
	}()
}

// draining reports whether this process drains (the gate is open).
func (d *daemon) draining() bool {
	select {
	case <-d.drainGate:
		return true
	default:
		return false
	}
}

// sleepCtx waits d or until ctx ends; false when ctx ended.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
