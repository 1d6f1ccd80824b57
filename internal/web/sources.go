package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// sourceRow is one marketplace source as the console shows it.
type sourceRow struct {
	domain.SourceState
	State   string
	NextRun string
	LastRun string
	Errors  string
	// Degraded is the latest succeeded run when it was degraded: its
	// selectors stopped matching, for the banner.
	Degraded *domain.CrawlRun
	// Explained is the schedule in words; NextRuns its next five times.
	Explained string
	NextRuns  []string
}

type sourcesView struct {
	page
	Rows []sourceRow
	// Degraded are the rows whose latest succeeded run was degraded.
	Degraded []sourceRow
	// Operate shows the operator's controls (pause, resume, run now, the
	// schedule form), served through the API.
	Operate bool
}

// SourceStatus is a source as the daemon's source lifecycle reports it:
// the stored state with the live schedule, pause and next run, whether a
// run is going now, and until when scheduled runs are held back after
// failures. It is the view the API answers, so the page and the API agree.
type SourceStatus struct {
	domain.SourceState
	Running      bool
	BackoffUntil *time.Time
}

// sourceStatuses is the lifecycle's status view. When Deps.Sources has it,
// the page shows it in place of the stored rows (which lag the scheduler
// and still list sources since removed from the configuration).
type sourceStatuses interface {
	SourceStatuses(ctx context.Context) ([]SourceStatus, error)
}

// statuses reads the sources the page shows: the lifecycle's view when the
// lister has it, else the stored rows.
func (c *console) statuses(ctx context.Context) ([]SourceStatus, error) {
	if v, ok := c.deps.Sources.(sourceStatuses); ok {
		return v.SourceStatuses(ctx)
	}
	srcs, err := c.deps.Sources.ListSources(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]SourceStatus, len(srcs))
	for i, s := range srcs {
		out[i] = SourceStatus{SourceState: s}
	}
	return out, nil
}

// runLister is the store's list of a source's runs. The sources page reads
// it, when the SourceLister has it, to warn that a source's selectors
// stopped matching; without it the page shows no banner.
type runLister interface {
	ListRuns(ctx context.Context, sourceID string, limit int) ([]domain.CrawlRun, error)
}

// degradedRunsLooked bounds how far back the sources page looks for a
// source's latest succeeded run (past failed and running ones).
const degradedRunsLooked = 10

// latestDegraded returns the source's latest succeeded run if it was
// degraded: a later healthy run means the definition reads the pages again.
func latestDegraded(ctx context.Context, runs runLister, sourceID string) (*domain.CrawlRun, error) {
	rs, err := runs.ListRuns(ctx, sourceID, degradedRunsLooked)
	if err != nil {
		return nil, fmt.Errorf("listing runs of %s: %w", sourceID, err)
	}
	for _, r := range rs {
		if r.Status != domain.RunSucceeded {
			continue
		}
		if r.Degraded {
			return &r, nil
		}
		return nil, nil
	}
	return nil, nil
}

// sources serves GET /sources: which marketplaces are watched and how their
// crawls go, so a supervisor knows how fresh the queue is.
func (c *console) sources(w http.ResponseWriter, r *http.Request) {
	srcs, err := c.statuses(r.Context())
	if err != nil {
		c.fail(w, r, fmt.Errorf("listing sources for the console: %w", err))
		return
	}
	v := sourcesView{page: c.frame(r, "来源 Sources")}
	if p, _ := access.FromContext(r.Context()); c.deps.API != nil && p.Can(access.OperateSources) {
		v.Operate = true
	}
	for _, s := range srcs {
		row := sourceRow{SourceState: s.SourceState, State: "运行中 Active", NextRun: "—", LastRun: "—", Errors: strconv.Itoa(s.ConsecutiveErrors),
			Explained: describeCron(s.Schedule)}
		for _, t := range nextRuns(s.Schedule, c.deps.Now(), c.deps.Location, 5) {
			row.NextRuns = append(row.NextRuns, c.when(t))
		}
		switch {
		case s.Paused:
			row.State = "已暂停 Paused"
		case s.Running:
			row.State = "抓取中 Crawling now"
		case s.BackoffUntil != nil:
			// Scheduled runs are skipped until then; saying so tells a
			// supervisor why the next run shown will not happen.
			row.State = "失败退避 Backing off until " + c.when(*s.BackoffUntil)
		}
		if s.NextRunAt != nil {
			row.NextRun = c.when(*s.NextRunAt)
		}
		if s.LastRunAt != nil {
			row.LastRun = c.when(*s.LastRunAt)
		}
		if runs, ok := c.deps.Sources.(runLister); ok {
			d, err := latestDegraded(r.Context(), runs, s.ID)
			if err != nil {
				// The list is still worth showing; the banner is what is lost.
				c.log.Warn("reading selector health for the sources page", zap.String("source_id", s.ID), zap.Error(err))
			}
			if d != nil {
				row.Degraded = d
				v.Degraded = append(v.Degraded, row)
			}
		}
		v.Rows = append(v.Rows, row)
	}
	c.render(w, r, http.StatusOK, "sources.html", v)
}
