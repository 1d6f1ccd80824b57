package domain

import "time"

// RunStatus says how a crawl run ended.
type RunStatus string

const (
	RunRunning     RunStatus = "running"
	RunSucceeded   RunStatus = "succeeded"
	RunFailed      RunStatus = "failed"
	RunInterrupted RunStatus = "interrupted" // cut short by shutdown or crash
)

// CrawlRun records one run of one source.
type CrawlRun struct {
	ID         int64          `json:"id"`
	SourceID   string         `json:"source_id"`
	Status     RunStatus      `json:"status"`
	StartedAt  time.Time      `json:"started_at"`
	FinishedAt *time.Time     `json:"finished_at,omitempty"`
	Pages      int            `json:"pages"`
	Listings   int            `json:"listings"`
	Hits       int            `json:"hits"`
	Alerts     int            `json:"alerts"`
	Errors     map[string]int `json:"errors,omitempty"` // by kind: http_429, http_5xx, timeout, parse, robots, ...
	EndReason  string         `json:"end_reason,omitempty"`
	// Degraded marks a succeeded run whose pages no longer read the way the
	// source's recent runs did (see Health.Reasons): a flag beside the
	// status, since a degraded run did finish and its listings are kept.
	Degraded bool `json:"degraded,omitempty"`
	// Health is what extraction reported over the run's pages; nil for runs
	// recorded before it was kept, and for runs that read no page.
	Health *RunHealth `json:"health,omitempty"`
}

// RunHealth is the selector health of one run: how many listings its pages
// gave and which fields and selectors came back empty, so a run can be held
// against the source's recent runs.
type RunHealth struct {
	// Pages is the number of pages extracted (those that failed to parse
	// are errors, not pages).
	Pages int `json:"pages"`
	// PagesAuto counts pages whose listings were found by auto-detection
	// because the source's item selectors found none there.
	PagesAuto int `json:"pages_auto,omitempty"`
	// PagesEmpty counts pages on which neither the selectors nor
	// auto-detection found a listing.
	PagesEmpty int `json:"pages_empty,omitempty"`
	// Listings counts the listings read on those pages, repeats included
	// (a run's Listings counts each listing once).
	Listings        int     `json:"listings"`
	ListingsPerPage float64 `json:"listings_per_page"`
	// EmptyFields counts, per field (title, price, seller, location, url,
	// image), the listings read without it.
	EmptyFields map[string]int `json:"empty_fields,omitempty"`
	// Unmatched are the "field: selector" entries that matched nothing on
	// any page of the run.
	Unmatched []string `json:"unmatched,omitempty"`
	// AutoItems are the blocks auto-detection read as listings
	// (tag.class paths), for writing a new selector.
	AutoItems []string `json:"auto_items,omitempty"`
	// Reasons say why the run is degraded, naming the selectors that
	// stopped matching; empty when it is not.
	Reasons []string `json:"reasons,omitempty"`
}

// HealthFields are the listing fields whose emptiness a run's health counts.
func HealthFields() []string {
	return []string{"title", "price", "seller", "location", "url", "image"}
}
