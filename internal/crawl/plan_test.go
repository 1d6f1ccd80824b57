package crawl_test

import (
	"slices"
	"testing"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
)

var planMarks = []domain.Mark{
	{ID: "liugehetao", Name: "六个核桃", Kind: domain.KindTrademark, Forms: []string{"六個核桃"}, Goods: []string{"核桃乳", "核桃露"}},
	{ID: "jinmailang", Name: "今麦郎", Kind: domain.KindTrademark, Goods: []string{"方便面", "挂面"}},
	{ID: "qianxi-banli", Name: "迁西板栗", Kind: domain.KindGI, Product: []string{"板栗", "栗仁"}},
	{ID: "greatwall-motor", Name: "长城", Kind: domain.KindTrademark, Forms: []string{"长城汽车", "GWM"}, Goods: []string{"汽车"}},
}

func TestPlanSplitsBudgetAndRotates(t *testing.T) {
	tests := []struct {
		budget, run int
		want        []string
	}{
		// half names and forms, half goods words and look-alike spellings
		{4, 0, []string{"六个核桃", "今麦郎", "六个核桃 核桃乳", "溜个核桃"}},
		{4, 1, []string{"迁西板栗", "长城", "今麦郎 方便面", "令麦郎"}},
		{4, 2, []string{"六個核桃", "长城汽车", "阡西板栗", "场城"}},      // 迁西板栗+板栗 and 长城+汽车 add nothing
		{4, 3, []string{"六个核桃", "今麦郎", "六个核桃 核桃露", "六各核桃"}}, // names come round again
		{3, 0, []string{"六个核桃", "今麦郎", "六个核桃 核桃乳"}},
		{0, 7, nil},
	}
	for _, tc := range tests {
		if got := crawl.PlanQueries(planMarks, tc.budget, tc.run); !slices.Equal(got, tc.want) {
			t.Errorf("budget %d run %d: got %q, want %q", tc.budget, tc.run, got, tc.want)
		}
	}
}

func TestPlanCoversEverythingWithoutDuplicates(t *testing.T) {
	all := crawl.Plan(planMarks, 1000, 0)
	seen := map[string]bool{}
	why := map[string]int{}
	for _, p := range all {
		if p.Query == "" || seen[p.Query] || p.MarkID == "" {
			t.Errorf("bad or duplicate entry %+v", p)
		}
		seen[p.Query] = true
		why[p.Why]++
	}
	if seen["GWM"] || seen["迁西板栗 板栗"] || seen["长城 汽车"] {
		t.Errorf("plan has searches that add nothing: %v", all)
	}
	if why["name"] != 4 || why["form"] != 2 || why["goods"] != 5 || why["variant"] != 4*6 {
		t.Errorf("plan by kind %v", why)
	}
	// Every search comes up within the period, and the plan is the same
	// when asked again.
	covered := map[string]bool{}
	for run := range len(all) {
		plan := crawl.PlanQueries(planMarks, 6, run)
		if !slices.Equal(plan, crawl.PlanQueries(planMarks, 6, run)) {
			t.Fatal("plan is not deterministic")
		}
		for _, q := range plan {
			covered[q] = true
		}
	}
	if len(covered) != len(all) {
		t.Errorf("%d runs covered %d of %d searches", len(all), len(covered), len(all))
	}
}
