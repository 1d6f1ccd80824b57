package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/markwatch/markwatch/internal/domain"
)

func openXLSX(t *testing.T, body []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the export does not open as a workbook: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func TestExportAlertsXLSX(t *testing.T) {
	h := newHarness(t, nil)
	h.store.mu.Lock()
	h.store.alerts = append(h.store.alerts, domain.Alert{ID: 9, MarkID: "liugehetao", Title: `=HYPERLINK("http://evil.example","六个核桃")`,
		Seller: "+86 138", Location: "河北 保定", Score: 0.77, Status: domain.AlertOpen, FirstSeen: seen, LastSeen: seen})
	h.store.mu.Unlock()
	resp := h.send(t, tokOwnerA, http.MethodGet, "/api/v1/alerts/export.xlsx?status=open", "")
	defer resp.Body.Close()
	var body bytes.Buffer
	if _, err := body.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %d %s", resp.StatusCode, body.Bytes())
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".xlsx") {
		t.Errorf("Content-Disposition %q", cd)
	}
	f := openXLSX(t, body.Bytes())
	rows, err := f.GetRows(alertsSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][0] != "alert_id" || rows[0][8] != "first_seen (UTC+8)" {
		t.Fatalf("rows %v: want the header and owner A's three open alerts", rows)
	}
	byID := map[string]int{}
	for i, r := range rows[1:] {
		byID[r[0]] = i + 2
		if r[1] != "liugehetao" {
			t.Errorf("owner A's workbook holds alert %s of %s", r[0], r[1])
		}
	}
	if _, ok := byID["2"]; ok {
		t.Error("owner A's workbook holds owner B's alert 2")
	}
	cell := func(col string, row int) string { return fmt.Sprintf("%s%d", col, row) }
	// Chinese text as it was; the time in Beijing as a date cell.
	one := byID["1"]
	if v, _ := f.GetCellValue(alertsSheet, cell("C", one)); v != "六個核桃 核桃乳 240ml*12罐 整箱" {
		t.Errorf("alert 1's title %q", v)
	}
	if v, _ := f.GetCellValue(alertsSheet, cell("I", one)); v != "2026-11-25 16:00:00" {
		t.Errorf("alert 1 first seen %q, want 2026-11-25 16:00:00 (08:00 UTC in Beijing)", v)
	}
	if raw, _ := f.GetCellValue(alertsSheet, cell("I", one), excelize.Options{RawCellValue: true}); strings.Contains(raw, "-") {
		t.Errorf("first seen is stored as text %q, not a date", raw)
	}
	if typ, _ := f.GetCellType(alertsSheet, cell("D", one)); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("score cell type %v, want a number", typ)
	}
	if raw, _ := f.GetCellValue(alertsSheet, cell("D", one), excelize.Options{RawCellValue: true}); raw != "0.93" {
		t.Errorf("score stored as %q, want the number 0.93", raw)
	}
	// The planted formula is text, marked as the CSV marks it, and no
	// cell of the sheet holds a formula.
	nine := byID["9"]
	if v, _ := f.GetCellValue(alertsSheet, cell("C", nine)); !strings.HasPrefix(v, `'=HYPERLINK`) {
		t.Errorf("planted title %q, want it made inert", v)
	}
	if v, _ := f.GetCellValue(alertsSheet, cell("E", nine)); v != "'+86 138" {
		t.Errorf("planted seller %q", v)
	}
	for r := 1; r <= len(rows); r++ {
		for c := 1; c <= len(alertExportHeader); c++ {
			name, _ := excelize.CoordinatesToCellName(c, r)
			if fm, err := f.GetCellFormula(alertsSheet, name); err != nil || fm != "" {
				t.Errorf("cell %s holds formula %q (%v)", name, fm, err)
			}
		}
	}
}

// TestExportAlertsXLSXCap: more than the cap is refused, as for CSV,
// rather than a workbook silently cut short.
func TestExportAlertsXLSXCap(t *testing.T) {
	h := newHarness(t, nil)
	h.store.mu.Lock()
	for i := range maxExportRows + 1 {
		h.store.alerts = append(h.store.alerts, domain.Alert{ID: int64(100 + i), MarkID: "liugehetao", Title: "六个核桃", Status: domain.AlertOpen, FirstSeen: seen, LastSeen: seen})
	}
	h.store.mu.Unlock()
	code, body := h.do(t, tokAdmin, http.MethodGet, "/api/v1/alerts/export.xlsx", "")
	if code != http.StatusBadRequest || !strings.Contains(string(body), "narrow the filter to at most 10000") {
		t.Errorf("export of %d alerts = %d %s, want 400", maxExportRows+1, code, body)
	}
	code, body = h.do(t, tokAdmin, http.MethodGet, "/api/v1/alerts/export.xlsx?mark=liugehetao&seller=某某食品专营店", "")
	if f := openXLSX(t, body); code != http.StatusOK {
		t.Errorf("a narrowed export = %d", code)
	} else if rows, _ := f.GetRows(alertsSheet); len(rows) != 2 {
		t.Errorf("narrowed export rows %v, want the header and alert 1", rows)
	}
}
