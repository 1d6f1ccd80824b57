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
}
