package web

import (
	"context"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// AlertStore reads alerts and records reviews. Errors carry domain codes:
// ENOTFOUND for an unknown id, EINVALID for a filter or status it refuses,
// EUNAVAILABLE when it cannot answer now.
type AlertStore interface {
	// ListAlerts returns one page of alerts, newest first, and the total
	// matching the filter.
	ListAlerts(ctx context.Context, f domain.AlertFilter) ([]domain.Alert, int, error)
	GetAlert(ctx context.Context, id int64) (domain.Alert, error)
	SetAlertStatus(ctx context.Context, id int64, status domain.AlertStatus) (domain.Alert, error)
}

// SourceLister lists the marketplace sources and their crawl state.
type SourceLister interface {
	ListSources(ctx context.Context) ([]domain.SourceState, error)
}

// HitGetter reads the hit behind an alert, which carries the listing's
// price (alerts do not).
type HitGetter interface {
	GetHit(ctx context.Context, id int64) (domain.Hit, error)
}

// Deps is what the console serves from. Only Alerts is required.
type Deps struct {
	Alerts AlertStore
	// Marks is the registry; it gives names, kinds, owners and registration
	// details. Without it the console shows mark ids only.
	Marks []domain.Mark
	// Sources, when set, adds a page listing the crawled sources.
	Sources SourceLister
	// Hits, when set, lets the evidence page show the listing's price.
	Hits HitGetter
	// Now stamps printed evidence; nil means time.Now.
	Now func() time.Time
	// Location is the zone times are shown in; nil means China Standard
	// Time.
	Location *time.Location
	// PageSize is how many alerts the queue shows per page; 0 means 50.
	PageSize int
}

const defaultPageSize = 50

// maxPageSize keeps one page from reading the whole store.
const maxPageSize = 500

// chinaTime is UTC+8 as a fixed zone: China has had no daylight saving since
// 1991, and a fixed zone needs no tzdata in a distroless image.
func chinaTime() *time.Location { return time.FixedZone("CST", 8*60*60) }
