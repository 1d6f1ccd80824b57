package evidence

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// NotaryStore is what the Notary needs of the store.
type NotaryStore interface {
	LogSize(ctx context.Context) (int64, error)
	LogLeaves(ctx context.Context, size int64) ([][]byte, error)
	TreeHeads(ctx context.Context) ([]domain.TreeHead, error)
	AddTreeHead(ctx context.Context, h domain.TreeHead) (domain.TreeHead, error)
	PendingStamps(ctx context.Context, limit int) ([]domain.TreeHead, error)
	SetStamp(ctx context.Context, id int64, token []byte, at time.Time) error
}

// Stamper obtains RFC 3161 tokens; *TSAClient is one.
type Stamper interface {
	Stamp(ctx context.Context, data []byte) (token []byte, at time.Time, err error)
}

// NotaryOptions configure a Notary. Zero values mean the defaults.
type NotaryOptions struct {
	Store  NotaryStore
	Signer *Signer
	// TSA stamps tree heads; nil leaves them pending, which is no error:
	// they are stamped once a TSA is configured.
	TSA Stamper
	// HeadInterval is how often the log is looked at; default 1m.
	HeadInterval time.Duration
	// Backoff spaces attempts at a failing TSA; default 30s doubling to 1h.
	Backoff Backoff
	// Batch is how many pending heads one pass stamps; default 20.
	Batch int
	Now   func() time.Time // default time.Now
	Rand  func() float64   // jitter in [0,1); default math/rand/v2
	Log   *zap.Logger
}

// Notary signs tree heads as the evidence log grows and has them stamped
// by the TSA. Heads are stored before they are stamped, so a TSA outage
// delays the stamp but loses no head.
type Notary struct {
	opts NotaryOptions

	// pass serialises Tick: Run's and a test's passes must not sign the
	// same growth twice. It guards the fields below.
	pass     sync.Mutex
	last     *domain.TreeHead // newest head, read from the store once
	failures int              // consecutive TSA failures
	nextTSA  time.Time        // no TSA request before this
}

// NewNotary checks the options and fills defaults.
func NewNotary(opts NotaryOptions) (*Notary, error) {
	if opts.Store == nil {
		return nil, errors.New("creating notary: no store")
	}
	if opts.Signer == nil {
		return nil, errors.New("creating notary: no signing key")
	}
	if opts.HeadInterval <= 0 {
		opts.HeadInterval = time.Minute
	}
	opts.Backoff = opts.Backoff.withDefaults(30*time.Second, time.Hour)
	if opts.Batch <= 0 {
		opts.Batch = 20
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Float64
	}
	if opts.Log == nil {
		opts.Log = zap.NewNop()
	}
	return &Notary{opts: opts}, nil
}

// Run makes a pass every HeadInterval (sooner when a TSA retry is due)
// until ctx ends, then returns nil. It starts no goroutine. A failing pass
// is logged and the next one tries again: nothing is lost meanwhile, the
// log only grows and pending heads wait in the store.
func (n *Notary) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		err := n.Tick(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			n.opts.Log.Warn("evidence notary pass failed; trying again later", zap.Error(err))
		}
		t.Reset(n.wait())
	}
}

// wait is the time to the next pass: the interval, or the TSA retry when
// that is sooner.
func (n *Notary) wait() time.Duration {
	n.pass.Lock()
	defer n.pass.Unlock()
	d := n.opts.HeadInterval
	if n.failures > 0 {
		d = min(d, max(n.nextTSA.Sub(n.opts.Now()), 0))
	}
	return d
}

// Tick makes one pass: a new signed head if the log grew, then tokens for
// pending heads unless the TSA is backing off.
func (n *Notary) Tick(ctx context.Context) error {
	n.pass.Lock()
	defer n.pass.Unlock()
	if err := n.signHead(ctx); err != nil {
		return err
	}
	return n.stamp(ctx)
}

func (n *Notary) signHead(ctx context.Context) error {
	if n.last == nil {
		heads, err := n.opts.Store.TreeHeads(ctx)
		if err != nil {
			return fmt.Errorf("reading tree heads: %w", err)
		}
		n.last = &domain.TreeHead{} // no head yet: size 0
		for _, h := range heads {
			if h.Size >= n.last.Size {
				n.last = &h
			}
		}
	}
	size, err := n.opts.Store.LogSize(ctx)
	if err != nil {
		return fmt.Errorf("reading the evidence log's size: %w", err)
	}
	if size < n.last.Size {
		return domain.Errorf(domain.ECONFLICT, "evidence log holds %d leaves, tree head %d signed %d: leaves were removed", size, n.last.ID, n.last.Size)
	}
	if size == n.last.Size {
		return nil
	}
	raw, err := n.opts.Store.LogLeaves(ctx, size)
	if err != nil {
		return fmt.Errorf("reading the evidence log: %w", err)
	}
	if int64(len(raw)) != size {
		return fmt.Errorf("reading the evidence log: %d leaves for a log of %d", len(raw), size)
	}
	leaves, err := leafData(raw)
	if err != nil {
		return fmt.Errorf("reading the evidence log: %w", err)
	}
	// A new head vouches for every leaf below it, so the old part of the
	// log must still be what the previous head signed: the notary will
	// not put its signature on a rewritten history.
	if n.last.ID != 0 {
		if old := hex.EncodeToString(Root(leaves[:n.last.Size])); old != n.last.RootHash {
			return domain.Errorf(domain.ECONFLICT,
				"evidence log no longer matches tree head %d: its first %d leaves hash to %s, the head signed %s; not signing over it",
				n.last.ID, n.last.Size, old, n.last.RootHash)
		}
	}
	h := n.opts.Signer.Sign(domain.TreeHead{
		Size:      size,
		RootHash:  hex.EncodeToString(Root(leaves)),
		CreatedAt: n.opts.Now().UTC(),
	})
	stored, err := n.opts.Store.AddTreeHead(ctx, h)
	if err != nil {
		return fmt.Errorf("storing tree head of size %d: %w", size, err)
	}
	n.last = &stored
	n.opts.Log.Info("evidence tree head signed",
		zap.Int64("tree_head_id", stored.ID), zap.Int64("size", size), zap.String("root_hash", stored.RootHash))
	return nil
}

func (n *Notary) stamp(ctx context.Context) error {
	if n.opts.TSA == nil {
		return nil
	}
	now := n.opts.Now()
	if n.failures > 0 && now.Before(n.nextTSA) {
		return nil
	}
	pending, err := n.opts.Store.PendingStamps(ctx, n.opts.Batch)
	if err != nil {
		return fmt.Errorf("reading tree heads to stamp: %w", err)
	}
	for _, h := range pending {
		token, at, err := n.opts.TSA.Stamp(ctx, headTextOf(h))
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			n.failures++
			wait := n.opts.Backoff.Delay(n.failures, n.opts.Rand())
			n.nextTSA = now.Add(wait)
			return fmt.Errorf("stamping tree head %d (attempt %d, next in %v): %w", h.ID, n.failures, wait.Round(time.Second), err)
		}
		n.failures = 0
		if err := n.opts.Store.SetStamp(ctx, h.ID, token, at); err != nil {
			return fmt.Errorf("storing the stamp of tree head %d: %w", h.ID, err)
		}
		n.opts.Log.Info("evidence tree head stamped",
			zap.Int64("tree_head_id", h.ID), zap.Time("stamped_at", at))
	}
	return nil
}

// leafData reads the store's leaves as record hash bytes.
func leafData(raw [][]byte) ([][]byte, error) {
	out := make([][]byte, len(raw))
	for i, r := range raw {
		l, err := LeafData(r)
		if err != nil {
			return nil, fmt.Errorf("leaf %d: %w", i, err)
		}
		out[i] = l
	}
	return out, nil
}
