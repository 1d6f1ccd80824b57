package crawl_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/crawl"
)

func TestRunExtractWritesListingsAndReports(t *testing.T) {
	src := loadSource(t, "jd")
	page := filepath.Join("testdata", "marketplace", "jd_search_2017-10_chezai-cd.html")
	missing := filepath.Join(t.TempDir(), "gone.html")
	var out bytes.Buffer
	err := crawl.RunExtract(&out, src, []string{page, missing}, "https://search.jd.com/Search?keyword=x")
	if err == nil || !strings.Contains(err.Error(), "gone.html") {
		t.Errorf("err = %v, want the missing page named", err)
	}
	var listings, reports []map[string]any
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if _, ok := m["report"]; ok {
			reports = append(reports, m)
		} else {
			listings = append(listings, m)
		}
	}
	if len(listings) != 26 || len(reports) != 2 {
		t.Fatalf("%d listings, %d reports", len(listings), len(reports))
	}
	first := listings[0]
	if first["title"] != "HNM 800 带数字功率放大器 车载充电式手拉 拉杆音箱 户外广场晨练 乐队演唱音箱音响 DVD+U盘 双领夹" ||
		first["url"] != "https://item.jd.com/1398406577.html" || first["seller"] != "HNM哈曼音响数码电子专卖店" || first["price"] != 3880.0 {
		t.Errorf("first listing %v", first)
	}
	rep := reports[0]["report"].(map[string]any)
	if !strings.Contains(strings.Join(toStrings(rep["unmatched_selectors"]), ","), "seller: div.p-shop a") {
		t.Errorf("report %v does not name the unmatched seller selector", rep)
	}
	if reports[1]["error"] == nil {
		t.Errorf("missing page report %v has no error", reports[1])
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
