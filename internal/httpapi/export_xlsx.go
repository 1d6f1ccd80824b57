package httpapi

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/markwatch/markwatch/internal/domain"
)

// alertsSheet is the workbook's one sheet.
const alertsSheet = "告警 Alerts"

// exportAlertsXLSX serves GET /api/v1/alerts/export.xlsx: what
// export.csv holds (the same filter, scope and cap), as a workbook whose
// scores are numbers and whose times are dates, so a supervisor can sort
// and sum without converting text.
func (a *api) exportAlertsXLSX(w http.ResponseWriter, r *http.Request) {
	alerts, ok := a.exportedAlerts(w, r)
	if !ok {
		return
	}
	// Built in memory first (10,000 rows are about 1 MB), so a failure is
	// a clean error answer rather than half a file.
	var buf bytes.Buffer
	if err := writeAlertsXLSX(&buf, alerts); err != nil {
		writeError(w, r, fmt.Errorf("exporting alerts as XLSX: %w", err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", `attachment; filename="markwatch-alerts.xlsx"`)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = buf.WriteTo(w) // a client gone away shows in the request log as a short body
}

// writeAlertsXLSX writes alerts as a workbook. Text is written as string
// cells, which Excel never evaluates, and passes through inertCell as in
// the CSV as well: a cell copied out or re-saved as CSV stays inert too.
func writeAlertsXLSX(out io.Writer, alerts []domain.Alert) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", alertsSheet); err != nil {
		return fmt.Errorf("naming the sheet: %w", err)
	}
	sw, err := f.NewStreamWriter(alertsSheet)
	if err != nil {
		return fmt.Errorf("opening the sheet: %w", err)
	}
	dateFmt := "yyyy-mm-dd hh:mm:ss"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return fmt.Errorf("making the date style: %w", err)
	}
	scoreStyle, err := f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
	if err != nil {
		return fmt.Errorf("making the score style: %w", err)
	}
	headStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("making the header style: %w", err)
	}
	for col, width := range map[int]float64{3: 48, 5: 20, 6: 14, 9: 20, 10: 20, 11: 40} {
		if err := sw.SetColWidth(col, col, width); err != nil {
			return fmt.Errorf("setting column widths: %w", err)
		}
	}
	head := make([]any, len(alertExportHeader))
	for i, name := range alertExportHeader {
		if name == "first_seen" || name == "last_seen" {
			name += " (UTC+8)" // a spreadsheet's dates carry no zone: say which
		}
		head[i] = excelize.Cell{StyleID: headStyle, Value: name}
	}
	if err := sw.SetRow("A1", head, excelize.RowOpts{}); err != nil {
		return fmt.Errorf("writing the header: %w", err)
	}
	for i, al := range alerts {
		row := []any{
			al.ID, inertCell(al.MarkID), inertCell(al.Title), excelize.Cell{StyleID: scoreStyle, Value: al.Score},
			inertCell(al.Seller), inertCell(al.Location), inertCell(al.SourceID), string(al.Status),
			excelize.Cell{StyleID: dateStyle, Value: chinaWall(al.FirstSeen)}, excelize.Cell{StyleID: dateStyle, Value: chinaWall(al.LastSeen)},
			inertCell(al.URL),
		}
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return fmt.Errorf("naming row %d: %w", i+2, err)
		}
		if err := sw.SetRow(cell, row); err != nil {
			return fmt.Errorf("writing alert %d: %w", al.ID, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("finishing the sheet: %w", err)
	}
	if err := f.Write(out); err != nil {
		return fmt.Errorf("writing the workbook: %w", err)
	}
	return nil
}

// chinaWall is t's wall clock in China time as a zone-less time: excelize
// writes a time's UTC reading, and the console shows times in Beijing.
func chinaWall(t time.Time) time.Time {
	c := t.In(chinaTime)
	return time.Date(c.Year(), c.Month(), c.Day(), c.Hour(), c.Minute(), c.Second(), c.Nanosecond(), time.UTC)
}
