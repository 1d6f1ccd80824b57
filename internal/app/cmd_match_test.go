package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func runMain(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(string) (string, bool) { return "", false },
	})
	return code, out.String(), errb.String()
}

func TestMatchFollowsTheContract(t *testing.T) {
	in := strings.Join([]string{
		`{"id":"a1","title":"高仿六个核桃 核桃乳 240ml*20罐","seller":"某某食品店","location":"山东 临沂","price":39.9,"platform":"taobao","expect":["liugehetao"],"tactic":"counterfeit-words"}`,
		`{"id":"a2","title":"华为 Mate 手机壳 硅胶","seller":"数码配件","location":"广东 深圳","price":9.9,"platform":"jd"}`,
		``,
		`{"id":"a3","title":"衡水老白干 67度 高度白酒 500ml","seller":"衡水老白干官方旗舰店","location":"河北 衡水","price":88,"platform":"tmall"}`,
	}, "\n")
	code, out, stderr := runMain(t, in, "match")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var ids []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var o struct {
			ID   string `json:"id"`
			Hits []struct {
				MarkID  string          `json:"mark_id"`
				Score   float64         `json:"score"`
				Alert   *bool           `json:"alert"`
				Reasons json.RawMessage `json:"reasons"`
			} `json:"hits"`
		}
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			t.Fatalf("output line %q: %v", sc.Text(), err)
		}
		for _, h := range o.Hits {
			if h.MarkID == "" || h.Alert == nil || h.Score < 0 || h.Score > 1 {
				t.Fatalf("hit breaks the contract: %s", sc.Text())
			}
		}
		if o.ID == "a1" && (len(o.Hits) == 0 || o.Hits[0].MarkID != "liugehetao" || !*o.Hits[0].Alert) {
			t.Fatalf("counterfeit 六个核桃 not alerted: %s", sc.Text())
		}
		if o.ID == "a2" && len(o.Hits) != 0 {
			t.Fatalf("phone case matched a mark: %s", sc.Text())
		}
		ids = append(ids, o.ID)
	}
	if strings.Join(ids, ",") != "a1,a2,a3" {
		t.Fatalf("outputs %v, want one per listing in input order", ids)
	}
}

func TestMatchNamesTheBadLine(t *testing.T) {
	code, _, stderr := runMain(t, "{\"id\":\"a1\",\"title\":\"露露\"}\n{not json\n", "match")
	if code != 1 || !strings.Contains(stderr, "line 2") {
		t.Fatalf("exit %d, stderr %q; want failure naming line 2", code, stderr)
	}
}

func TestUnknownCommandIsAUsageError(t *testing.T) {
	code, _, stderr := runMain(t, "", "serv")
	if code != 2 || !strings.Contains(stderr, "unknown command") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestExtractTakesFlagsAfterPages(t *testing.T) {
	page := "../crawl/testdata/marketplace/jd_search_2017-10_chezai-cd.html"
	code, out, stderr := runMain(t, "", "extract", "--source", "../../config/sources/jd.yaml", page, "--base-url", "https://search.jd.com/Search?keyword=x")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, `"url":"https://item.jd.com/`) || !strings.Contains(out, `"listings":`) {
		t.Fatalf("listings not extracted with resolved URLs and a page report:\n%.600s", out)
	}
}
