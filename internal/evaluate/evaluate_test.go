package evaluate

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestReadCases(t *testing.T) {
	good := `{"id":"a1","title":"六介核桃 核桃乳","seller":"乡村好物小店","location":"山东 临沂","price":39.9,"expect":["liugehetao"],"tactic":"shape"}

{"id":"a2","title":"鸭梨 新鲜 10斤","expect":[],"tactic":"neg-generic"}
`
	cs, err := ReadCases(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Title != "六介核桃 核桃乳" || cs[0].Location != "山东 临沂" || cs[0].Expect[0] != "liugehetao" || cs[1].Tactic != "neg-generic" {
		t.Fatalf("parsed %+v", cs)
	}
	bad := []struct{ in, want string }{
		{`{"id":"a1","title":"x"}` + "\n" + `{"id":"a1","title":"y"}`, `line 2: id "a1" already used on line 1`},
		{`{"title":"无编号"}`, "line 1: missing id"},
		{`{"id":"a1",`, "line 1:"},
	}
	for _, b := range bad {
		_, err := ReadCases(strings.NewReader(b.in))
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%q: error %v, want %q", b.in, err, b.want)
		}
	}
}

// TestScoreLikeScorePy checks the arithmetic against a hand-worked example
// following ../shared/eval/score.py.
func TestScoreLikeScorePy(t *testing.T) {
	cases := []Case{
		{Listing: domain.Listing{ID: "c1", Title: "陆个核桃"}, Expect: []string{"liugehetao"}, Tactic: "homophone"},
		{Listing: domain.Listing{ID: "c2", Title: "泊头鸭梨 晋州鸭梨"}, Expect: []string{"botou-yali", "jinzhou-yali"}, Tactic: "gi-origin"},
		{Listing: domain.Listing{ID: "c3", Title: "长城润滑油"}, Tactic: "neg-exclude"},
		{Listing: domain.Listing{ID: "c4", Title: "缺输出"}, Expect: []string{"lulu"}, Tactic: "homophone"},
	}
	out := map[string][]domain.Match{
		"c1": {{MarkID: "liugehetao", Alert: true}, {MarkID: "lulu", Alert: false}},
		"c2": {{MarkID: "botou-yali", Alert: true}},
		"c3": {{MarkID: "greatwall-motor", Alert: true}},
	}
	r := Score(cases, out)
	if r.TP != 2 || r.FP != 1 || r.FN != 2 || r.MissingOutputs != 1 {
		t.Fatalf("counts tp=%d fp=%d fn=%d missing=%d", r.TP, r.FP, r.FN, r.MissingOutputs)
	}
	if math.Abs(r.Precision-2.0/3) > 1e-9 || math.Abs(r.Recall-0.5) > 1e-9 {
		t.Fatalf("precision %v recall %v", r.Precision, r.Recall)
	}
	per := map[string]TacticScore{}
	for _, ts := range r.PerTactic {
		per[ts.Tactic] = ts
	}
	if per["homophone"].Recall != 0.5 || per["gi-origin"].Recall != 0.5 || !math.IsNaN(per["neg-exclude"].Recall) || per["neg-exclude"].FalseAlarms != 1 {
		t.Fatalf("per tactic %+v", per)
	}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"homophone              n=   2 recall=0.500 false_alarms=0", "neg-exclude            n=   1 recall=None false_alarms=1", "precision=0.667 recall=0.500", "missed c4 lulu", "false alarm c3 greatwall-motor"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
	err := r.Check(DefaultTargets())
	if err == nil || !strings.Contains(err.Error(), "precision 0.667 below 0.950") || !strings.Contains(err.Error(), "tactic homophone recall 0.500") {
		t.Errorf("check error %v", err)
	}
}

func TestOutputRoundTrip(t *testing.T) {
	ms := []domain.Match{{MarkID: "liugehetao", Score: 0.93, Alert: true, Reasons: []domain.Reason{
		{Tactic: "shape", Text: "形近: 个→介", Start: 1, End: 2},
		{Tactic: "price", Text: "价格异常: ¥9.90 (20罐, ¥0.50/罐), 正品 ¥2.40–3.50/罐", Start: -1, End: -1},
	}}}
	var b bytes.Buffer
	if err := WriteOutputLine(&b, "d0001", ms); err != nil {
		t.Fatal(err)
	}
	if err := WriteOutputLine(&b, "d0002", nil); err != nil {
		t.Fatal(err)
	}
	want := `{"id":"d0001","hits":[{"mark_id":"liugehetao","score":0.93,"alert":true,"reasons":[{"tactic":"shape","text":"形近: 个→介","start":1,"end":2},{"tactic":"price","text":"价格异常: ¥9.90 (20罐, ¥0.50/罐), 正品 ¥2.40–3.50/罐","start":-1,"end":-1}]}]}` + "\n" + `{"id":"d0002","hits":[]}` + "\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
	got, err := ReadOutputs(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(got["d0002"]) != 0 || len(got["d0001"]) != 1 {
		t.Fatalf("read back %+v", got)
	}
	if h := got["d0001"][0]; !h.Alert || h.MarkID != "liugehetao" || len(h.Reasons) != 2 || h.Reasons[1] != ms[0].Reasons[1] {
		t.Fatalf("read back %+v", h)
	}
}

// TestReadOutputsOlderShape reads the shape ../shared/eval/README.md shows
// (reasons as texts), which other matchers may write, and names bad lines.
func TestReadOutputsOlderShape(t *testing.T) {
	got, err := ReadOutputs(strings.NewReader(`{"id":"d0001","hits":[{"mark_id":"liugehetao","score":0.93,"alert":true,"reasons":["shape: 个→介"]}]}` + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if h := got["d0001"]; len(h) != 1 || !h[0].Alert || h[0].Reasons[0].Text != "shape: 个→介" {
		t.Fatalf("read %+v", got)
	}
	for _, bad := range []struct{ in, want string }{
		{`{"id":"d1","hits":[]}` + "\n" + `{"id":"d2","hits":{}}`, "line 2:"},
		{`{"hits":[]}`, "line 1: missing id"},
		{`{"id":"d1","hits":[{"mark_id":"x","alert":"yes"}]}`, "line 1:"},
	} {
		if _, err := ReadOutputs(strings.NewReader(bad.in)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: error %v, want %q", bad.in, err, bad.want)
		}
	}
}
