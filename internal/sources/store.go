package sources

import (
	"context"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// Store is what a source's lifecycle keeps in the system of record, so that
// an operator's schedule and pause, the next run and the failure count
// outlive the process. internal/store's *DB satisfies it.
type Store interface {
	// InitSource registers a configured source and returns its stored
	// state; a schedule already stored wins over spec.
	InitSource(ctx context.Context, id, spec string) (domain.SourceState, error)
	SetSourceSchedule(ctx context.Context, id, spec string) error
	SetSourcePaused(ctx context.Context, id string, paused bool) error
	// SetSourceNextRun stores the next run; the zero time clears it.
	SetSourceNextRun(ctx context.Context, id string, next time.Time) error
	// GetSource is domain.ENOTFOUND for a source never registered.
	GetSource(ctx context.Context, id string) (domain.SourceState, error)
	ListSources(ctx context.Context) ([]domain.SourceState, error)
	// ListRuns returns a source's newest runs, newest first.
	ListRuns(ctx context.Context, sourceID string, limit int) ([]domain.CrawlRun, error)
	// FinishedRuns counts a source's ended runs: where its query rotation
	// stands.
	FinishedRuns(ctx context.Context, sourceID string) (int, error)
}
