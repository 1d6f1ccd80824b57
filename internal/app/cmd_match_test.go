package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/evaluate"
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

// realCaseLines returns the raw lines of the real knock-off set's cases
// with the given ids, as `markwatch match` reads them (expect, tactic and
// image included).
func realCaseLines(t *testing.T, ids ...string) string {
	t.Helper()
	data, err := os.ReadFile("../evaluate/testdata/real/cases.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, id := range ids {
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, `{"id": "`+id+`"`) {
				out = append(out, l)
			}
		}
	}
	if len(out) != len(ids) {
		t.Fatalf("found %d of cases %v", len(out), ids)
	}
	return strings.Join(out, "\n") + "\n"
}

// TestMatchOutputIsWhatEvaluateReads runs the real command function on
// signal cases and reads its output with evaluate.ReadOutputs: one
// contract, both sides. The image case's title avoids the name, so its hit
// exists only if match read image_hash and hashed the registry's images
// relative to the registry file; the seller case's reason only if it read
// seller_history.
func TestMatchOutputIsWhatEvaluateReads(t *testing.T) {
	in := realCaseLines(t, "r0445", "r0375", "r0511", "r0543")
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(in), Stdout: &out, Stderr: &errb, Getenv: func(string) (string, bool) { return "", false }}
	if err := runMatch(context.Background(), env, []string{"--registry", "../evaluate/testdata/real/registry.yaml"}); err != nil {
		t.Fatalf("match: %v (%s)", err, errb.String())
	}
	got, err := evaluate.ReadOutputs(&out)
	if err != nil {
		t.Fatalf("evaluate cannot read what match writes: %v", err)
	}
	hit := func(id, mark, tactic string) {
		t.Helper()
		for _, h := range got[id] {
			if h.MarkID != mark {
				continue
			}
			for _, r := range h.Reasons {
				if r.Tactic == tactic {
					return
				}
			}
			t.Errorf("%s: hit on %s has no %s reason: %+v", id, mark, tactic, h.Reasons)
			return
		}
		t.Errorf("%s: no hit on %s: %+v", id, mark, got[id])
	}
	hit("r0445", "liugehetao", "image") // 核桃乳 … with a copy of the 六个核桃 can
	hit("r0375", "liugehetao", "price") // 240ml*20罐 at ¥19.9
	hit("r0511", "liugehetao", "seller")
	if len(got) != 4 || len(got["r0543"]) != 0 {
		t.Errorf("outputs %+v; want 4, none for the towels of a known seller", got)
	}
}

func TestMatchRefusesUnreadableRegistryImages(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "marks.yaml")
	if err := os.WriteFile(reg, []byte("version: 1\nmarks:\n  - id: hongniu\n    name: 红牛\n    kind: trademark\n    owner: 天丝\n    classes: [32]\n    goods: [功能饮料]\n    images: [images/missing.png]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runMain(t, `{"id":"a","title":"红牛"}`, "match", "--registry", reg)
	if code == 0 || !strings.Contains(stderr, "images/missing.png") || !strings.Contains(stderr, "hongniu") {
		t.Fatalf("exit %d, stderr %q; want a failure naming the mark and the image", code, stderr)
	}
}

func TestEvalScoresTheSignalTactics(t *testing.T) {
	code, out, stderr := runMain(t, "", "eval", "--registry", "../evaluate/testdata/real/registry.yaml", "--cases", "../evaluate/testdata/real/cases.jsonl")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"  image                  n=  34", "  price                  n=  34", "  seller                 n=  32", "cases=574 missing=0"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval report lacks %q:\n%s", want, out)
		}
	}
}
