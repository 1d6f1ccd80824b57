package domain

import "time"

// SourceState is what the system of record keeps about one marketplace
// source between restarts: the schedule an operator set (which outranks the
// configuration file's initial value), whether it is paused, and when it ran
// and runs next.
type SourceState struct {
	ID       string `json:"id"`
	Schedule string `json:"schedule"`
	Paused   bool   `json:"paused"`
	// NextRunAt is nil while paused or before the scheduler first planned it.
	NextRunAt *time.Time `json:"next_run_at,omitempty"`
	// LastRunAt is when the newest run started; nil if it never ran.
	LastRunAt *time.Time `json:"last_run_at,omitempty"`
	// ConsecutiveErrors counts failed runs since the last success.
	ConsecutiveErrors int `json:"consecutive_errors"`
}
