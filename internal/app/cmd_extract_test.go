package app

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const jdPage2018 = "../crawl/testdata/marketplace/jd_search_2018-01_jiguangdayin.html"

func listingURLs(t *testing.T, out string) []string {
	t.Helper()
	var urls []string
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if _, ok := m["report"]; !ok {
			urls = append(urls, m["url"].(string))
		}
	}
	return urls
}

// extract --auto needs no source; --suggest prints a definition that
// extract --source reads back to the same listings.
func TestExtractAutoAndSuggest(t *testing.T) {
	const base = "https://search.jd.com/Search?keyword=x"
	code, auto, stderr := runMain(t, "", "extract", "--auto", jdPage2018, "--base-url", base)
	if code != 0 {
		t.Fatalf("--auto: exit %d: %s", code, stderr)
	}
	if !strings.Contains(auto, `"auto":true`) || !strings.Contains(auto, `"url":"https://item.jd.com/778781.html"`) {
		t.Fatalf("--auto output:\n%.800s", auto)
	}
	code, yml, stderr := runMain(t, "", "extract", "--suggest", jdPage2018, "--base-url", base)
	if code != 0 || !strings.Contains(yml, "item:") {
		t.Fatalf("--suggest: exit %d: %s\n%s", code, stderr, yml)
	}
	def := filepath.Join(t.TempDir(), "suggested.yaml")
	if err := os.WriteFile(def, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	code, back, stderr := runMain(t, "", "extract", "--source", def, jdPage2018, "--base-url", base)
	if code != 0 {
		t.Fatalf("--source suggested: exit %d: %s\n%s", code, stderr, yml)
	}
	a, b := listingURLs(t, auto), listingURLs(t, back)
	if len(a) != 30 || strings.Join(a, " ") != strings.Join(b, " ") {
		t.Errorf("--auto read %d listings, the suggested definition %d", len(a), len(b))
	}
	for _, args := range [][]string{
		{"extract", "--auto", "--suggest", jdPage2018},
		{"extract", "--auto", "--source", "../../config/sources/jd.yaml", jdPage2018},
		{"extract", "--suggest", jdPage2018, jdPage2018},
		{"extract", "--auto"},
	} {
		if code, _, _ := runMain(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want a usage error", args, code)
		}
	}
}
