package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// AlertStore reads alerts from the system of record.
type AlertStore interface {
	// ListAlerts returns one page of alerts and the total matching the filter.
	ListAlerts(ctx context.Context, f domain.AlertFilter) ([]domain.Alert, int, error)
	// GetAlert returns an error with code ENOTFOUND for an unknown id.
	GetAlert(ctx context.Context, id int64) (domain.Alert, error)
}

// HitQuery narrows a hit search.
type HitQuery struct {
	MarkID    string // "" for every mark
	AlertOnly bool   // only hits that raised an alert
	Limit     int
	Offset    int
}

// HitSearcher searches the hit index.
type HitSearcher interface {
	// SearchHits returns one page of hits matching q (may be empty: all hits)
	// and the total. An index outage should carry code EUNAVAILABLE; any
	// error other than EINVALID is answered as unavailable anyway, since
	// search is a derived index and never the system of record.
	SearchHits(ctx context.Context, q string, f HitQuery) ([]domain.Hit, int, error)
}

// Check is one readiness condition, e.g. "store" (SQLite answers) or
// "index" (Meilisearch answers). Fn must return when ctx is done.
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
}

// Deps is what the API serves from.
type Deps struct {
	Alerts AlertStore
	// Hits may be nil while search is not configured; /api/v1/hits then
	// answers 503 and everything else still works.
	Hits   HitSearcher
	Checks []Check
	// Metrics serves /metrics (promhttp over the daemon's registry); nil
	// leaves the route out.
	Metrics http.Handler
	// ReadyTimeout bounds all readiness checks together; 0 means 2s.
	ReadyTimeout time.Duration
}

const defaultReadyTimeout = 2 * time.Second
