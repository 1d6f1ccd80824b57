package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// SourceStatus is one source as an operator sees it: its stored state, with
// NextRunAt taken from the live scheduler, whether a run is going now, the
// newest run, and until when scheduled runs are held back after failures.
// The daemon fills it from the source lifecycle's one status view, the
// same the console shows.
type SourceStatus struct {
	domain.SourceState
	Running bool
	LastRun *domain.CrawlRun // nil if the source never ran
	// BackoffUntil is set while scheduled runs are skipped because the
	// source keeps failing (an operator's run now still goes).
	BackoffUntil *time.Time
}

// SourceControl lists and tunes the scheduled sources. Every change must be
// persisted and applied to the live scheduler, or neither. Errors carry
// domain codes: ENOTFOUND for an unknown source, EINVALID for a bad cron spec
// (with a message saying what a valid one looks like), ECONFLICT for a run
// requested while one is going.
type SourceControl interface {
	ListSources(ctx context.Context) ([]SourceStatus, error)
	GetSource(ctx context.Context, id string) (SourceStatus, error)
	SetSchedule(ctx context.Context, id, spec string) error
	Pause(ctx context.Context, id string) error
	Resume(ctx context.Context, id string) error
	// Trigger starts a run now and returns without waiting for it.
	Trigger(ctx context.Context, id string) error
	// Runs returns the newest runs of a source, newest first.
	Runs(ctx context.Context, id string, limit int) ([]domain.CrawlRun, error)
}

// defaultRunsLimit is how many runs a history shows unless asked: a day of
// half-hourly runs.
const defaultRunsLimit = 50

// maxScheduleBody bounds the PUT body; a cron spec is a few dozen bytes.
const maxScheduleBody = 4 << 10

// SourceJSON is a source in API answers; the CLI decodes the same type.
// Times are null when unknown rather than left out, so a client can tell
// "never" from a field it does not know.
type SourceJSON struct {
	ID                string     `json:"id"`
	Schedule          string     `json:"schedule"`
	Paused            bool       `json:"paused"`
	Running           bool       `json:"running"`
	NextRun           *time.Time `json:"next_run"`
	LastRun           *time.Time `json:"last_run"`
	ConsecutiveErrors int        `json:"consecutive_errors"`
	// BackoffUntil is null unless scheduled runs are being skipped after
	// repeated failures.
	BackoffUntil *time.Time `json:"backoff_until"`
	LastResult   *RunJSON   `json:"last_result"`
}

// RunJSON is a run in API answers: it adds the duration of a finished run,
// which clients would otherwise each compute from two timestamps.
type RunJSON struct {
	domain.CrawlRun
	DurationSeconds *float64 `json:"duration_seconds"`
}

func toSourceJSON(s SourceStatus) SourceJSON {
	out := SourceJSON{
		ID: s.ID, Schedule: s.Schedule, Paused: s.Paused, Running: s.Running,
		NextRun: s.NextRunAt, LastRun: s.LastRunAt, ConsecutiveErrors: s.ConsecutiveErrors,
		BackoffUntil: s.BackoffUntil,
	}
	if s.LastRun != nil {
		r := toRunJSON(*s.LastRun)
		out.LastResult = &r
	}
	return out
}

func toRunJSON(r domain.CrawlRun) RunJSON {
	out := RunJSON{CrawlRun: r}
	if r.FinishedAt != nil {
		d := r.FinishedAt.Sub(r.StartedAt).Seconds()
		out.DurationSeconds = &d
	}
	return out
}

type sourceList struct {
	Sources []SourceJSON `json:"sources"`
}

type runList struct {
	SourceID string    `json:"source_id"`
	Runs     []RunJSON `json:"runs"`
	Limit    int       `json:"limit"`
}

// listSources serves GET /api/v1/sources.
func (a *api) listSources(w http.ResponseWriter, r *http.Request) {
	srcs, err := a.deps.Sources.ListSources(r.Context())
	if err != nil {
		writeError(w, r, fmt.Errorf("listing sources: %w", err))
		return
	}
	out := sourceList{Sources: make([]SourceJSON, 0, len(srcs))}
	for _, src := range srcs {
		out.Sources = append(out.Sources, toSourceJSON(src))
	}
	writeJSON(w, http.StatusOK, out)
}

// getSource serves GET /api/v1/sources/{id}.
func (a *api) getSource(w http.ResponseWriter, r *http.Request) {
	a.answerSource(w, r, http.StatusOK, r.PathValue("id"))
}

// answerSource writes the current state of source id, after a change or on
// request.
func (a *api) answerSource(w http.ResponseWriter, r *http.Request, status int, id string) {
	src, err := a.deps.Sources.GetSource(r.Context(), id)
	if err != nil {
		writeError(w, r, fmt.Errorf("getting source %s: %w", id, err))
		return
	}
	writeJSON(w, status, toSourceJSON(src))
}

type scheduleBody struct {
	Schedule *string `json:"schedule"`
}

// setSchedule serves PUT /api/v1/sources/{id}/schedule {"schedule":"*/5 * * * *"}.
// A spec the scheduler refuses is answered 400 with its explanation, and the
// old schedule keeps running. The audit entry holds the old and new spec.
func (a *api) setSchedule(w http.ResponseWriter, r *http.Request) {
	p, ok := principal(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	spec, err := readSchedule(w, r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	before, err := a.deps.Sources.GetSource(r.Context(), id)
	if err != nil {
		writeError(w, r, fmt.Errorf("getting source %s: %w", id, err))
		return
	}
	if err := a.deps.Sources.SetSchedule(r.Context(), id, spec); err != nil {
		writeError(w, r, fmt.Errorf("setting schedule of source %s: %w", id, err))
		return
	}
	e := sourceAudit(p, domain.AuditSourceSchedule, id)
	e.Before = mustJSON(map[string]string{"schedule": before.Schedule})
	e.After = mustJSON(map[string]string{"schedule": spec})
	if !a.audit(w, r, e) {
		return
	}
	a.answerSource(w, r, http.StatusOK, id)
}

const scheduleExample = `{"schedule":"*/30 * * * *"}`

func readSchedule(w http.ResponseWriter, r *http.Request) (string, error) {
	var body scheduleBody
	if err := decodeBody(w, r, &body, maxScheduleBody, scheduleExample); err != nil {
		return "", err
	}
	if body.Schedule == nil || strings.TrimSpace(*body.Schedule) == "" {
		return "", domain.Errorf(domain.EINVALID, "request body has no schedule; send %s", scheduleExample)
	}
	return strings.TrimSpace(*body.Schedule), nil
}

// pauseSource serves POST /api/v1/sources/{id}/pause; a run going now
// finishes.
func (a *api) pauseSource(w http.ResponseWriter, r *http.Request) {
	a.setPaused(w, r, true)
}

// resumeSource serves POST /api/v1/sources/{id}/resume.
func (a *api) resumeSource(w http.ResponseWriter, r *http.Request) {
	a.setPaused(w, r, false)
}

func (a *api) setPaused(w http.ResponseWriter, r *http.Request, paused bool) {
	p, ok := principal(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	before, err := a.deps.Sources.GetSource(r.Context(), id)
	if err != nil {
		writeError(w, r, fmt.Errorf("getting source %s: %w", id, err))
		return
	}
	action, change, verb := domain.AuditSourceResume, a.deps.Sources.Resume, "resuming"
	if paused {
		action, change, verb = domain.AuditSourcePause, a.deps.Sources.Pause, "pausing"
	}
	if err := change(r.Context(), id); err != nil {
		writeError(w, r, fmt.Errorf("%s source %s: %w", verb, id, err))
		return
	}
	e := sourceAudit(p, action, id)
	e.Before = mustJSON(map[string]bool{"paused": before.Paused})
	e.After = mustJSON(map[string]bool{"paused": paused})
	if !a.audit(w, r, e) {
		return
	}
	a.answerSource(w, r, http.StatusOK, id)
}

// triggerSource serves POST /api/v1/sources/{id}/run: 202 once the run has
// started (its outcome is read from /runs), 409 while one is going.
func (a *api) triggerSource(w http.ResponseWriter, r *http.Request) {
	p, ok := principal(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	if err := a.deps.Sources.Trigger(r.Context(), id); err != nil {
		writeError(w, r, fmt.Errorf("starting a run of source %s: %w", id, err))
		return
	}
	if !a.audit(w, r, sourceAudit(p, domain.AuditSourceRun, id)) {
		return
	}
	a.answerSource(w, r, http.StatusAccepted, id)
}

// sourceRuns serves GET /api/v1/sources/{id}/runs?limit=, newest first.
func (a *api) sourceRuns(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	limit, err := intParam(r.URL.Query(), "limit", defaultRunsLimit, 1, maxLimit)
	if err != nil {
		writeError(w, r, err)
		return
	}
	runs, err := a.deps.Sources.Runs(r.Context(), id, limit)
	if err != nil {
		writeError(w, r, fmt.Errorf("listing runs of source %s: %w", id, err))
		return
	}
	out := runList{SourceID: id, Runs: make([]RunJSON, 0, len(runs)), Limit: limit}
	for _, run := range runs {
		out.Runs = append(out.Runs, toRunJSON(run))
	}
	writeJSON(w, http.StatusOK, out)
}

func sourceAudit(p access.Principal, action, id string) domain.AuditEntry {
	return domain.AuditEntry{Actor: p.Actor(), Action: action, Object: "source:" + id}
}
