package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/markwatch/markwatch/internal/domain"
)

// sourceRow is one marketplace source as the console shows it.
type sourceRow struct {
	domain.SourceState
	State   string
	NextRun string
	LastRun string
	Errors  string
}

type sourcesView struct {
	page
	Rows []sourceRow
}

// sources serves GET /sources: which marketplaces are watched and how their
// crawls go, so a supervisor knows how fresh the queue is.
func (c *console) sources(w http.ResponseWriter, r *http.Request) {
	srcs, err := c.deps.Sources.ListSources(r.Context())
	if err != nil {
		c.fail(w, r, fmt.Errorf("listing sources for the console: %w", err))
		return
	}
	v := sourcesView{page: c.frame(r, "来源 Sources")}
	for _, s := range srcs {
		row := sourceRow{SourceState: s, State: "运行中 Active", NextRun: "—", LastRun: "—", Errors: strconv.Itoa(s.ConsecutiveErrors)}
		if s.Paused {
			row.State = "已暂停 Paused"
		}
		if s.NextRunAt != nil {
			row.NextRun = c.when(*s.NextRunAt)
		}
		if s.LastRunAt != nil {
			row.LastRun = c.when(*s.LastRunAt)
		}
		v.Rows = append(v.Rows, row)
	}
	c.render(w, r, http.StatusOK, "sources.html", v)
}
