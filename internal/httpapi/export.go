package httpapi

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// maxExportRows bounds one export: a supervisor's working set, not the
// store. A filter matching more is answered 400, saying to narrow it, rather
// than a file silently cut short.
const maxExportRows = 10_000

// exportPage is how many rows one read of an export asks for.
const exportPage = 500

// exportHits serves GET /api/v1/hits/export.csv: every hit the filters of
// /api/v1/hits find, in their order, as CSV.
func (a *api) exportHits(w http.ResponseWriter, r *http.Request) {
	p, ok := principal(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	q.Del(paramLimit) // the export is the whole filter, not a page of it
	q.Del(paramOffset)
	hq, _, _, none, err := a.hitQuery(q)
	if err != nil {
		writeError(w, r, err)
		return
	}
	if a.deps.Hits == nil {
		writeError(w, r, domain.Errorf(domain.EUNAVAILABLE, "search is not available: no index is configured"))
		return
	}
	var rows [][]string
	hq.Facets, hq.Limit = false, exportPage
	for offset := 0; !none; offset += exportPage {
		hq.Offset = offset
		res, err := a.deps.Hits.SearchHits(r.Context(), q.Get(paramQ), hq, p.Scope)
		if err != nil {
			writeError(w, r, fmt.Errorf("exporting hits: %w", err))
			return
		}
		if res.Total > maxExportRows || res.Estimated {
			writeError(w, r, domain.Errorf(domain.EINVALID, "exporting hits: %d match; narrow the filter to at most %d", res.Total, maxExportRows))
			return
		}
		kept, _ := inScope(a, p, "hits", res.Hits, func(h domain.Hit) bool { return p.Scope.Allows(h.MarkID, h.Location) })
		for _, h := range kept {
			rows = append(rows, []string{strconv.FormatInt(h.ID, 10), h.MarkID, h.Title, score(h.Score), h.Seller, h.Location,
				h.SourceID, strconv.FormatFloat(h.Price, 'f', 2, 64), strconv.FormatBool(h.Alert), stamp(h.LastSeen), h.URL})
		}
		if len(res.Hits) < exportPage || offset+exportPage >= res.Total {
			break
		}
	}
	writeCSV(w, "hits", []string{"hit_id", "mark_id", "title", "score", "seller", "location", "source_id", "price", "alert", "last_seen", "url"}, rows)
}

// exportAlerts serves GET /api/v1/alerts/export.csv: every alert the
// filters of /api/v1/alerts find, in their order, as CSV.
func (a *api) exportAlerts(w http.ResponseWriter, r *http.Request) {
	alerts, ok := a.exportedAlerts(w, r)
	if !ok {
		return
	}
	rows := make([][]string, 0, len(alerts))
	for _, al := range alerts {
		rows = append(rows, []string{strconv.FormatInt(al.ID, 10), al.MarkID, al.Title, score(al.Score), al.Seller, al.Location,
			al.SourceID, string(al.Status), stamp(al.FirstSeen), stamp(al.LastSeen), al.URL})
	}
	writeCSV(w, "alerts", alertExportHeader, rows)
}

// alertExportHeader names the columns of both alert exports.
var alertExportHeader = []string{"alert_id", "mark_id", "title", "score", "seller", "location", "source_id", "status", "first_seen", "last_seen", "url"}

// exportedAlerts reads every alert the request's filter finds in the
// principal's scope, page by page, or answers the error and returns
// false. More than maxExportRows is refused, not cut short.
func (a *api) exportedAlerts(w http.ResponseWriter, r *http.Request) ([]domain.Alert, bool) {
	p, ok := principal(w, r)
	if !ok {
		return nil, false
	}
	q := r.URL.Query()
	q.Del(paramLimit) // the export is the whole filter, not a page of it
	q.Del(paramOffset)
	f, _, none, err := a.alertFilter(r.Context(), q, p.Scope)
	if err != nil {
		writeError(w, r, err)
		return nil, false
	}
	f.Scope, f.Limit = p.Scope, exportPage
	out := []domain.Alert{}
	for f.Offset = 0; !none; f.Offset += exportPage {
		alerts, total, err := a.deps.Alerts.QueryAlerts(r.Context(), f)
		if err != nil {
			writeError(w, r, fmt.Errorf("exporting alerts: %w", err))
			return nil, false
		}
		if total > maxExportRows {
			writeError(w, r, domain.Errorf(domain.EINVALID, "exporting alerts: %d match; narrow the filter to at most %d", total, maxExportRows))
			return nil, false
		}
		kept, _ := inScope(a, p, "alerts", alerts, func(al domain.Alert) bool { return p.Scope.Allows(al.MarkID, al.Location) })
		out = append(out, kept...)
		if len(alerts) < exportPage || f.Offset+exportPage >= total {
			break
		}
	}
	return out, true
}

func score(s float64) string { return strconv.FormatFloat(s, 'f', 2, 64) }

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// writeCSV answers a CSV attachment named for what, with a byte-order mark
// so Excel reads the Chinese as UTF-8.
func writeCSV(w http.ResponseWriter, what string, header []string, rows [][]string) {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="markwatch-`+what+`.csv"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	_ = cw.Write(header)
	for _, row := range rows {
		for i, cell := range row {
			row[i] = inertCell(cell)
		}
		_ = cw.Write(row)
	}
	// The status is out: a write failing now is a client gone away,
	// which the request log line shows as a short body.
	cw.Flush()
}

// inertCell keeps a spreadsheet from running a cell as a formula: listing
// titles and seller names come from marketplaces, and "=HYPERLINK(…)" in
// one would run on the supervisor's machine when the export is opened.
func inertCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
