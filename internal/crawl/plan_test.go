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

func TestPlanOrdersByTierAndRotates(t *testing.T) {
	all := crawl.PlanQueries(planMarks, 100, 0)
	want := []string{
		"六个核桃", "今麦郎", "迁西板栗", "长城", // names
		"六個核桃", "长城汽车", // forms (GWM alone skipped)
		"六个核桃 核桃乳", "今麦郎 方便面", // 迁西板栗 already says 板栗; 长城 汽车 = 长城汽车
		"六个核桃 核桃露", "今麦郎 挂面", "迁西板栗 栗仁",
	}
	if !slices.Equal(all, want) {
		t.Fatalf("full plan\n got %q\nwant %q", all, want)
	}
	tests := []struct {
		budget, run int
		want        []string
	}{
		{3, 0, []string{"六个核桃", "今麦郎", "迁西板栗"}},
		{3, 1, []string{"长城", "六個核桃", "长城汽车"}},
		{3, 3, []string{"今麦郎 挂面", "迁西板栗 栗仁", "六个核桃"}},      // wraps around
		{3, 3 + 11, []string{"今麦郎 挂面", "迁西板栗 栗仁", "六个核桃"}}, // period of 11 runs
		{0, 5, nil},
	}
	for _, tc := range tests {
		if got := crawl.PlanQueries(planMarks, tc.budget, tc.run); !slices.Equal(got, tc.want) {
			t.Errorf("budget %d run %d: got %q, want %q", tc.budget, tc.run, got, tc.want)
		}
	}
	// Over enough runs every planned query comes up.
	seen := map[string]bool{}
	for run := range 4 {
		for _, q := range crawl.PlanQueries(planMarks, 3, run) {
			seen[q] = true
		}
	}
	if len(seen) != len(want) {
		t.Errorf("4 runs of 3 covered %d of %d queries", len(seen), len(want))
	}
	if p := crawl.Plan(planMarks, 1, 1); len(p) != 1 || p[0].MarkID != "jinmailang" || p[0].Why != "name" {
		t.Errorf("Plan = %+v", p)
	}
}
