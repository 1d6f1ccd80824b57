package web

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// statusAll is the queue filter value for every status. Without a status
// the queue shows open alerts: that is the work waiting for a supervisor.
const statusAll = "all"

// maxPage bounds ?page= so offset arithmetic cannot overflow.
const maxPage = 1_000_000

// maxMarkID bounds ?mark=; registry ids are short slugs.
const maxMarkID = 64

type option struct {
	Value, Label string
	Selected     bool
}

// action is one review button.
type action struct {
	Status domain.AlertStatus
	Label  string
}

// alertRow is one alert as the queue and the evidence page show it.
type alertRow struct {
	domain.Alert
	Segments    []segment
	MarkName    string
	MarkKind    string
	Score       string
	StatusLabel string
	Actions     []action
	Back        string // where its review form returns to
	CSRF        string
	FirstSeen   string
	LastSeen    string
	// Thumb is the kept listing image's address on this origin; "" when
	// none was kept. Never the marketplace's own image URL: loading it
	// would tell the seller a supervisor is looking (and the policy
	// refuses other origins' images).
	Thumb string
	// FileCase offers the 立案 form (a confirmed alert, a reviewer, case
	// pages wired), with CaseTitle proposed.
	FileCase  bool
	CaseTitle string
}

type queueView struct {
	page
	Rows     []alertRow
	Marks    []option // empty without a registry: the filter is a text box
	Mark     string
	Statuses []option
	// Sources is the source filter's choices; empty without a source
	// list, and the filter is a text box holding Source.
	Sources []option
	Source  string
	// Platforms is the platform filter's choices; empty when every source
	// is its own platform.
	Platforms []option
	Seller    string
	Location  string
	Scores    []option
	From, To  string
	Sorts     []option
	// StatusCounts are the filter's alerts by status, each a link to the
	// queue with that status; empty when they could not be counted.
	StatusCounts []statusCount
	Total        int
	Page         int
	Pages        int
	PrevURL      string
	NextURL      string
	// ExportURL and XLSXURL are the API's CSV and XLSX of the queue's
	// filter.
	ExportURL string
	XLSXURL   string
	// Bulk offers ticking alerts to confirm or dismiss together.
	Bulk bool
	Back string
}

// statusCount is one status's count under the queue's other filters.
type statusCount struct {
	Label, URL string
	Count      int
	Selected   bool
}

// queue serves GET /?mark=&status=&source=&seller=&location=&score=&from=&to=&sort=&page=:
// alerts newest first unless sorted otherwise.
func (c *console) queue(w http.ResponseWriter, r *http.Request) {
	// The console's address with words (a shared link, the browser's
	// search box) is a search: the queue has no free text of its own.
	if r.URL.Query().Has("q") && c.deps.API != nil {
		http.Redirect(w, r, "/search?"+r.URL.RawQuery, http.StatusSeeOther)
		return
	}
	q, err := parseQueueQuery(r.URL.Query(), c.deps.Location)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if c.deps.Alerts == nil {
		c.fail(w, r, domain.Errorf(domain.EUNAVAILABLE, "告警库不可用 the alert store is not available"))
		return
	}
	scope := access.ScopeFrom(r.Context())
	f := q.filter(c.deps.Platforms)
	f.Scope, f.Limit, f.Offset = scope, c.deps.PageSize, (q.page-1)*c.deps.PageSize
	alerts, total, err := c.deps.Alerts.QueryAlerts(r.Context(), f)
	if err != nil {
		c.fail(w, r, fmt.Errorf("listing alerts for the queue: %w", err))
		return
	}
	v := queueView{
		page:      c.frame(r, "告警队列 Alert queue"),
		Mark:      q.mark,
		Marks:     c.markOptions(scope, q.mark),
		Statuses:  statusOptions(q.status),
		Sources:   c.sourceOptions(r, q.source),
		Platforms: platformOptions(c.deps.Platforms, q.platform),
		Source:    q.source, Seller: q.seller, Location: q.location, From: q.from, To: q.to,
		Scores: scoreOptions(q.score),
		Sorts:  queueSortOptions(q.sort),
		Total:  total,
		Page:   q.page,
		Pages:  max(1, (total+c.deps.PageSize-1)/c.deps.PageSize),
	}
	dropped := false
	for _, a := range alerts {
		// The store applies the scope in SQL; checking again here means a
		// store bug shows a short page, not another owner's alerts.
		if !scope.Allows(a.MarkID, a.Location) {
			c.log.Error("store returned an alert outside the scope; left out of the queue",
				zap.Int64("alert_id", a.ID), zap.String("mark_id", a.MarkID), zap.String("path", r.URL.Path))
			dropped = true
			continue
		}
		v.Rows = append(v.Rows, c.row(r, a, r.URL.RequestURI()))
	}
	c.addThumbs(r, v.Rows)
	if dropped {
		// The store's total counted what the scope hides: do not show it,
		// nor counts made by the same store.
		total = len(v.Rows)
		v.Total, v.Pages = total, 1
	} else {
		v.StatusCounts = c.statusCounts(r, q, f)
	}
	if q.page > 1 {
		v.PrevURL = q.url(q.page - 1)
	}
	if q.page < v.Pages {
		v.NextURL = q.url(q.page + 1)
	}
	if c.deps.APIDownloads {
		v.ExportURL, v.XLSXURL = q.exportURL(alertsExport), q.exportURL(alertsExportXLSX)
	}
	if p, _ := access.FromContext(r.Context()); c.deps.Reviews != nil && p.Can(access.Review) && len(v.Rows) > 0 {
		v.Bulk, v.Back = true, r.URL.RequestURI()
	}
	c.render(w, r, http.StatusOK, "queue.html", v)
}

// statusCounts counts the queue's filter by status. The queue is useful
// without them, so a failure is logged and the counts left out.
func (c *console) statusCounts(r *http.Request, q queueQuery, f domain.AlertFilter) []statusCount {
	n, err := c.deps.Alerts.CountAlertStatuses(r.Context(), f)
	if err != nil {
		c.log.Warn("queue without its status counts", requestFields(r, fmt.Errorf("counting alerts by status: %w", err))...)
		return nil
	}
	var out []statusCount
	for _, s := range []domain.AlertStatus{domain.AlertOpen, domain.AlertConfirmed, domain.AlertDismissed} {
		out = append(out, statusCount{Label: statusLabel(s), URL: q.withStatus(string(s)), Count: n[s], Selected: q.status == string(s)})
	}
	return out
}

// sourceOptions are the crawled sources for the source filter; nil (a
// text box) without a source list or when it cannot be read.
func (c *console) sourceOptions(r *http.Request, selected string) []option {
	if c.deps.Sources == nil {
		return nil
	}
	srcs, err := c.deps.Sources.ListSources(r.Context())
	if err != nil {
		c.log.Warn("queue's source filter as a text box", requestFields(r, fmt.Errorf("listing sources: %w", err))...)
		return nil
	}
	opts := []option{{Value: "", Label: "全部来源 All sources", Selected: selected == ""}}
	known := selected == ""
	for _, s := range srcs {
		opts = append(opts, option{Value: s.ID, Label: s.ID, Selected: s.ID == selected})
		known = known || s.ID == selected
	}
	if !known { // a source no longer crawled still has alerts
		opts = append(opts, option{Value: selected, Label: selected, Selected: true})
	}
	return opts
}

func scoreOptions(selected string) []option {
	opts := []option{{Value: "", Label: "全部评分 Any score", Selected: selected == ""}}
	for _, b := range queueScoreBands {
		opts = append(opts, option{Value: b.name, Label: b.name, Selected: b.name == selected})
	}
	return opts
}

func queueSortOptions(selected string) []option {
	opts := []option{{"", "最新 Newest", false}, {domain.AlertSortScore, "评分最高 Score", false}, {domain.AlertSortPrice, "价格最低 Price", false}}
	for i := range opts {
		opts[i].Selected = opts[i].Value == selected || (selected == domain.AlertSortNewest && opts[i].Value == "")
	}
	return opts
}

// validMarkID checks the registry's id format ([a-z0-9-]+); anything else
// cannot match a mark, and saying so beats an empty queue.
func validMarkID(s string) bool {
	if len(s) > maxMarkID {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// markOptions are the scope's marks for the filter: an owner is offered
// only its own, so the list itself tells nothing about other owners.
func (c *console) markOptions(scope domain.Scope, selected string) []option {
	if len(c.deps.Marks) == 0 {
		return nil
	}
	opts := []option{{Value: "", Label: "全部标识 All marks", Selected: selected == ""}}
	for _, m := range c.scopeMarks(scope) {
		opts = append(opts, option{Value: m.ID, Label: m.Name + "（" + kindLabel(m.Kind) + "）", Selected: m.ID == selected})
	}
	return opts
}

func statusOptions(selected string) []option {
	opts := []option{
		{Value: string(domain.AlertOpen), Label: statusLabel(domain.AlertOpen) + " Open"},
		{Value: string(domain.AlertConfirmed), Label: statusLabel(domain.AlertConfirmed) + " Confirmed"},
		{Value: string(domain.AlertDismissed), Label: statusLabel(domain.AlertDismissed) + " Dismissed"},
		{Value: statusAll, Label: "全部 All"},
	}
	for i := range opts {
		opts[i].Selected = opts[i].Value == selected
	}
	return opts
}

// row prepares one alert for display; back is the page its review form
// returns to. The review buttons show only to principals who may review
// and only when reviews are wired.
func (c *console) row(r *http.Request, a domain.Alert, back string) alertRow {
	p, _ := access.FromContext(r.Context())
	row := alertRow{
		Alert:       a,
		Back:        back,
		CSRF:        p.CSRFToken,
		Segments:    highlight(a.Title, a.Reasons),
		MarkName:    c.markName(a.MarkID),
		MarkKind:    c.markKind(a.MarkID),
		Score:       strconv.FormatFloat(a.Score, 'f', 2, 64),
		StatusLabel: statusLabel(a.Status),
		FirstSeen:   c.when(a.FirstSeen),
		LastSeen:    c.when(a.LastSeen),
	}
	if c.deps.Cases != nil && p.Can(access.Review) && a.Status == domain.AlertConfirmed {
		row.FileCase, row.CaseTitle = true, c.caseTitleFor(a, c.deps.Now())
	}
	if c.deps.Reviews == nil || !p.Can(access.Review) {
		return row
	}
	for _, s := range actionsFrom(a.Status) {
		row.Actions = append(row.Actions, action{Status: s, Label: actionLabel(s)})
	}
	return row
}

// platformOptions are the platform filter's choices, from Deps.Platforms;
// nil when no two sources share a platform (the source filter says it all).
func platformOptions(platforms map[string]string, selected string) []option {
	seen := map[string]int{}
	for _, p := range platforms {
		seen[p]++
	}
	shared := false
	for _, n := range seen {
		shared = shared || n > 1
	}
	if !shared && selected == "" {
		return nil
	}
	opts := []option{{Value: "", Label: "全部平台 All platforms", Selected: selected == ""}}
	for _, p := range slices.Sorted(maps.Keys(seen)) {
		opts = append(opts, option{Value: p, Label: p, Selected: p == selected})
	}
	if _, ok := seen[selected]; !ok && selected != "" {
		opts = append(opts, option{Value: selected, Label: selected, Selected: true})
	}
	return opts
}
