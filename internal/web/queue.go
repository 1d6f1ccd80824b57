package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

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
	Total    int
	Page     int
	Pages    int
	PrevURL  string
	NextURL  string
	// ExportURL is the API's CSV of the queue's filter.
	ExportURL string
	// Bulk offers ticking alerts to confirm or dismiss together.
	Bulk bool
	Back string
}

// queueQuery is the queue's parsed filter.
type queueQuery struct {
	mark   string
	status string // "" never: open, confirmed, dismissed or all
	page   int
}

// queue serves GET /?mark=&status=&page=: alerts newest first.
func (c *console) queue(w http.ResponseWriter, r *http.Request) {
	// The console's address with words (a shared link, the browser's
	// search box) is a search: the queue has no free text of its own.
	if r.URL.Query().Has("q") && c.deps.API != nil {
		http.Redirect(w, r, "/search?"+r.URL.RawQuery, http.StatusSeeOther)
		return
	}
	q, err := parseQueueQuery(r.URL.Query())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if c.deps.Alerts == nil {
		c.fail(w, r, domain.Errorf(domain.EUNAVAILABLE, "告警库不可用 the alert store is not available"))
		return
	}
	scope := access.ScopeFrom(r.Context())
	f := domain.AlertFilter{MarkID: q.mark, Scope: scope, Limit: c.deps.PageSize, Offset: (q.page - 1) * c.deps.PageSize}
	if q.status != statusAll {
		f.Status = domain.AlertStatus(q.status)
	}
	alerts, total, err := c.deps.Alerts.ListAlerts(r.Context(), f)
	if err != nil {
		c.fail(w, r, fmt.Errorf("listing alerts for the queue: %w", err))
		return
	}
	v := queueView{
		page:     c.frame(r, "告警队列 Alert queue"),
		Mark:     q.mark,
		Marks:    c.markOptions(scope, q.mark),
		Statuses: statusOptions(q.status),
		Total:    total,
		Page:     q.page,
		Pages:    max(1, (total+c.deps.PageSize-1)/c.deps.PageSize),
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
	if dropped {
		// The store's total counted what the scope hides: do not show it.
		total = len(v.Rows)
		v.Total, v.Pages = total, 1
	}
	if q.page > 1 {
		v.PrevURL = q.url(q.page - 1)
	}
	if q.page < v.Pages {
		v.NextURL = q.url(q.page + 1)
	}
	if c.deps.APIDownloads {
		v.ExportURL = q.exportURL()
	}
	if p, _ := access.FromContext(r.Context()); c.deps.Reviews != nil && p.Can(access.Review) && len(v.Rows) > 0 {
		v.Bulk, v.Back = true, r.URL.RequestURI()
	}
	c.render(w, r, http.StatusOK, "queue.html", v)
}

func parseQueueQuery(values url.Values) (queueQuery, error) {
	q := queueQuery{mark: values.Get("mark"), status: values.Get("status"), page: 1}
	if q.mark != "" && !validMarkID(q.mark) {
		return q, domain.Errorf(domain.EINVALID, "mark=%q 不是登记的标识 is not a registry id (lower-case letters, digits and -, like liugehetao)", q.mark)
	}
	switch q.status {
	case "":
		q.status = string(domain.AlertOpen)
	case statusAll:
	default:
		if _, ok := parseStatus(q.status); !ok {
			return q, domain.Errorf(domain.EINVALID, "status=%q 无效 must be open, confirmed, dismissed or all", q.status)
		}
	}
	if raw := values.Get("page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxPage {
			return q, domain.Errorf(domain.EINVALID, "page=%q 无效 must be a whole number from 1 to %d", raw, maxPage)
		}
		q.page = n
	}
	return q, nil
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

// url is the queue at page n with the same filter, parameters in the order
// a reader expects rather than url.Values' sorted order.
func (q queueQuery) url(n int) string {
	var b strings.Builder
	b.WriteString("/?")
	if q.mark != "" {
		b.WriteString("mark=" + url.QueryEscape(q.mark) + "&")
	}
	b.WriteString("status=" + url.QueryEscape(q.status))
	if n > 1 {
		b.WriteString("&page=" + strconv.Itoa(n))
	}
	return b.String()
}

// exportURL is the CSV export of the queue's filter, every page of it.
func (q queueQuery) exportURL() string {
	v := url.Values{}
	if q.mark != "" {
		v.Set("mark", q.mark)
	}
	if q.status != statusAll {
		v.Set("status", q.status)
	}
	return alertsExport + "?" + v.Encode()
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
