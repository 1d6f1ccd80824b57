package httpapi

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func readCSV(t *testing.T, body []byte) [][]string {
	t.Helper()
	s, ok := strings.CutPrefix(string(body), "\ufeff")
	if !ok {
		t.Fatalf("export without a byte-order mark: Excel would read the Chinese as GBK: %q", body[:min(len(body), 20)])
	}
	rows, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestExportHitsIsTheFilter(t *testing.T) {
	h := newSearchHarness(t)
	v := url.Values{"q": {"核桃"}, "platform": {"pifa"}, "province": {"河北"}, "limit": {"1"}}
	code, body := h.do(t, tokAdmin, http.MethodGet, "/api/v1/hits/export.csv?"+v.Encode(), "")
	if code != http.StatusOK {
		t.Fatalf("export: %d %s", code, body)
	}
	rows := readCSV(t, body)
	if len(rows) != 2 || rows[0][0] != "hit_id" || rows[1][0] != "3" || rows[1][2] != "陆個核桃 批发 24罐" {
		t.Errorf("export of 核桃 on pifa in 河北 = %v, want the header and hit 3 (limit is not the export's)", rows)
	}
	// An owner's export holds its own marks only, whatever it asks.
	code, body = h.do(t, tokOwnerA, http.MethodGet, "/api/v1/hits/export.csv?mark=hengshui-laobaigan", "")
	if rows := readCSV(t, body); code != http.StatusOK || len(rows) != 1 {
		t.Errorf("owner A exporting B's mark = %d %v, want only the header", code, rows)
	}
	code, body = h.do(t, tokAdmin, http.MethodGet, "/api/v1/hits/export.csv?format=xlsx", "")
	if code != http.StatusBadRequest || !strings.Contains(string(body), "unknown query parameter format") {
		t.Errorf("export with an unknown parameter = %d %s, want 400 naming it", code, body)
	}
}

func TestExportAlertsCellsAreInert(t *testing.T) {
	h := newHarness(t, nil)
	h.store.mu.Lock()
	h.store.alerts = append(h.store.alerts, domain.Alert{ID: 9, MarkID: "liugehetao", Title: `=HYPERLINK("http://evil.example","六个核桃")`,
		Seller: "+86 138", Location: "河北 保定", Status: domain.AlertOpen, FirstSeen: seen, LastSeen: seen})
	h.store.mu.Unlock()
	code, body := h.do(t, tokOwnerA, http.MethodGet, "/api/v1/alerts/export.csv?status=open", "")
	if code != http.StatusOK {
		t.Fatalf("export: %d %s", code, body)
	}
	rows := readCSV(t, body)
	var planted []string
	for _, r := range rows[1:] {
		if r[1] != "liugehetao" {
			t.Errorf("owner A's export holds alert %s of %s", r[0], r[1])
		}
		if r[0] == "9" {
			planted = r
		}
	}
	if len(rows) != 4 || planted == nil || !strings.HasPrefix(planted[2], `'=HYPERLINK`) || planted[4] != "'+86 138" {
		t.Errorf("export rows %v: want owner A's three open alerts, the formula and the phone made inert", rows)
	}
}
