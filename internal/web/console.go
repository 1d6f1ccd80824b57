package web

import (
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// console holds the handlers' dependencies.
type console struct {
	deps   Deps
	log    *zap.Logger
	marks  map[string]domain.Mark
	pages  pages
	origin sameOrigin
}

// New returns the console's handler, meant to be mounted at "/" after the
// API, /metrics and the probes have been routed elsewhere:
//
//	GET  /                      alert queue (?mark=&status=&page=)
//	GET  /alerts/{id}           evidence page of one alert, printable
//	POST /alerts/{id}/status    review: status=confirmed|dismissed|open
//	GET  /sources               crawled sources (when Deps.Sources is set)
//	GET  /static/…              embedded CSS and script
func New(deps Deps, log *zap.Logger) http.Handler {
	if log == nil {
		log = zap.NewNop()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Location == nil {
		deps.Location = chinaTime()
	}
	if deps.PageSize <= 0 {
		deps.PageSize = defaultPageSize
	}
	deps.PageSize = min(deps.PageSize, maxPageSize)
	c := &console{
		deps:   deps,
		log:    log,
		marks:  make(map[string]domain.Mark, len(deps.Marks)),
		pages:  mustParsePages(),
		origin: newSameOrigin(),
	}
	for _, m := range deps.Marks {
		c.marks[m.ID] = m
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", c.queue)
	mux.HandleFunc("GET /alerts/{id}", c.evidence)
	mux.HandleFunc("POST /alerts/{id}/status", c.review)
	if deps.Sources != nil {
		mux.HandleFunc("GET /sources", c.sources)
	}
	mux.Handle("GET /static/{file}", staticHandler(c.notFound)) // files only, no listing
	mux.HandleFunc("/", c.notFound)
	return mux
}

// page is what every page's layout needs.
type page struct {
	Title      string
	HasSources bool
}

// frame is the layout data of a page titled title; the sources link shows
// only when there is a page behind it.
func (c *console) frame(title string) page {
	return page{Title: title, HasSources: c.deps.Sources != nil}
}

// markName is the mark's registered name, or its id when the registry was
// not given.
func (c *console) markName(id string) string {
	if m, ok := c.marks[id]; ok {
		return m.Name
	}
	return id
}

func (c *console) markKind(id string) string {
	if m, ok := c.marks[id]; ok {
		return kindLabel(m.Kind)
	}
	return ""
}

// when formats a time for supervisors, in their zone; "—" for never.
func (c *console) when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(c.deps.Location).Format("2006-01-02 15:04:05 -07:00")
}
