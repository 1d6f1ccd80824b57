package web

import (
	"slices"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// show writes segments compactly: marked runs as [text|note], runs of
// goods words only as {text|note}.
func show(segs []segment) string {
	var b strings.Builder
	for _, s := range segs {
		switch {
		case s.Marked && s.Context:
			b.WriteString("{" + s.Text + "|" + s.Note + "}")
			continue
		case s.Marked:
			b.WriteString("[" + s.Text + "|" + s.Note + "]")
			continue
		}
		b.WriteString(s.Text)
	}
	return b.String()
}

func rs(tactic, text string, start, end int) domain.Reason {
	return domain.Reason{Tactic: tactic, Text: text, Start: start, End: end}
}

func TestHighlight(t *testing.T) {
	tests := []struct {
		name    string
		title   string
		reasons []domain.Reason
		want    string
	}{
		{"traditional character inside", "六個核桃 核桃乳 240ml*12罐",
			[]domain.Reason{rs("script", "繁体: 個→个", 1, 2)},
			"六[個|繁体: 個→个]核桃 核桃乳 240ml*12罐"},
		{"span at the start", "承德露露 杏仁露 240ml",
			[]domain.Reason{rs("exact", "名称相同: 承德露露", 0, 4)},
			"[承德露露|名称相同: 承德露露] 杏仁露 240ml"},
		{"span at the end", "正宗杏仁饮料 承徳露露",
			[]domain.Reason{rs("shape", "形近: 徳→德", 7, 11)},
			"正宗杏仁饮料 [承徳露露|形近: 徳→德]"},
		{"whole title", "今麥郎",
			[]domain.Reason{rs("script", "繁体: 麥→麦", 0, 3)},
			"[今麥郎|繁体: 麥→麦]"},
		{"overlapping spans merge, both notes kept in order", "连花清温胶囊 清热解毒",
			[]domain.Reason{rs("sound", "音近: 温→瘟", 3, 4), rs("swap", "替换: 瘟→温", 2, 6)},
			"连花[清温胶囊|替换: 瘟→温；音近: 温→瘟] 清热解毒"},
		{"a span inside another", "衡水老白乾高仿酒",
			[]domain.Reason{rs("script", "繁体: 乾→干", 4, 5), rs("exact", "相似: 衡水老白乾", 0, 5)},
			"[衡水老白乾|相似: 衡水老白乾；繁体: 乾→干]高仿酒"},
		{"touching spans stay apart", "衡水老白干高仿",
			[]domain.Reason{rs("exact", "名称相同: 衡水老白干", 0, 5), rs("counterfeit", "假冒用语: 高仿", 5, 7)},
			"[衡水老白干|名称相同: 衡水老白干][高仿|假冒用语: 高仿]"},
		{"chain of overlaps becomes one mark", "六个核桃核桃露",
			[]domain.Reason{rs("a", "一", 0, 2), rs("b", "二", 1, 4), rs("c", "三", 3, 5)},
			"[六个核桃核|一；二；三]桃露"},
		{"unsorted reasons", "迁西板粟 河北 唐山",
			[]domain.Reason{rs("shape", "形近: 粟→栗", 3, 4), rs("gi-qualifier", "限定词: 迁西", 0, 2)},
			"[迁西|限定词: 迁西]板[粟|形近: 粟→栗] 河北 唐山"},
		{"same reason twice gives one note", "以岺 中药",
			[]domain.Reason{rs("shape", "形近: 岺→岭", 0, 2), rs("shape", "形近: 岺→岭", 1, 2)},
			"[以岺|形近: 岺→岭] 中药"},
		{"no span (-1) marks nothing", "赵县雪梨 新鲜水果",
			[]domain.Reason{rs("gi-origin", "产地不符: 山东 莱阳", -1, -1)},
			"赵县雪梨 新鲜水果"},
		{"only one end -1", "赵县雪梨",
			[]domain.Reason{rs("x", "坏", -1, 2), rs("y", "坏", 1, -1)},
			"赵县雪梨"},
		{"past the end is left out", "露露",
			[]domain.Reason{rs("exact", "名称相同", 5, 7)},
			"露露"},
		{"running past the end is clipped", "杏仁露露",
			[]domain.Reason{rs("exact", "名称相同: 露露", 2, 9)},
			"杏仁[露露|名称相同: 露露]"},
		{"empty span", "君乐宝奶粉",
			[]domain.Reason{rs("x", "空", 2, 2), rs("y", "反", 3, 1)},
			"君乐宝奶粉"},
		{"runes, not bytes: emoji and full-width", "🔥六个核桃🔥ＡＢ款",
			[]domain.Reason{rs("exact", "名称相同: 六个核桃", 1, 5), rs("latin", "全角字母", 6, 8)},
			"🔥[六个核桃|名称相同: 六个核桃]🔥[ＡＢ|全角字母]款"},
		{"goods words shown apart from the look-alike", "君乐保 纯牛奶 全脂",
			[]domain.Reason{rs("sound", "音近: 保≈宝 bao", 2, 3), rs("context", "商品: 牛奶", 5, 7)},
			"君乐[保|音近: 保≈宝 bao] 纯{牛奶|商品: 牛奶} 全脂"},
		{"a goods word overlapping the look-alike is part of it", "今麥郎麵 桶麵",
			[]domain.Reason{rs("script", "繁体/异体: 麥→麦", 0, 3), rs("context", "商品: 郎麵", 2, 4)},
			"[今麥郎麵|繁体/异体: 麥→麦；商品: 郎麵] 桶麵"},
		{"overlapping goods words stay goods words", "核桃乳核桃露",
			[]domain.Reason{rs("context", "商品: 核桃乳", 0, 3), rs("context", "商品: 乳核", 2, 4)},
			"{核桃乳核|商品: 核桃乳；商品: 乳核}桃露"},
		{"empty title", "", []domain.Reason{rs("exact", "x", 0, 1)}, ""},
		{"no reasons", "金丝小枣 沧州特产", nil, "金丝小枣 沧州特产"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			segs := highlight(tt.title, tt.reasons)
			if got := show(segs); got != tt.want {
				t.Errorf("highlight(%q)\n got %s\nwant %s", tt.title, got, tt.want)
			}
			var whole strings.Builder
			for _, s := range segs {
				whole.WriteString(s.Text)
				if s.Text == "" {
					t.Errorf("empty segment in %s", show(segs))
				}
			}
			if whole.String() != tt.title {
				t.Errorf("segments spell %q, want the title %q unchanged", whole.String(), tt.title)
			}
		})
	}
}

func TestSpanTextAndWhere(t *testing.T) {
	title := "六介核桃 植物蛋白饮料"
	tests := []struct {
		r           domain.Reason
		quote, wher string
	}{
		{rs("swap", "替换: 个→介", 1, 2), "介", "第2字"},
		{rs("swap", "相似", 0, 4), "六介核桃", "第1–4字"},
		{rs("context", "非注册商品", -1, -1), "", ""},
		{rs("x", "越界", 40, 41), "", ""},
	}
	for _, tt := range tests {
		if got := spanText(title, tt.r); got != tt.quote {
			t.Errorf("spanText(%v) = %q, want %q", tt.r, got, tt.quote)
		}
		if got := where(title, tt.r); got != tt.wher {
			t.Errorf("where(%v) = %q, want %q", tt.r, got, tt.wher)
		}
	}
}

// FuzzHighlight checks, for any title and spans, that highlighting never
// panics, never loses or reorders text, leaves no segment empty, and marks
// exactly the characters the reasons point at.
func FuzzHighlight(f *testing.F) {
	f.Add("六個核桃 核桃乳", 1, 2, 0, 4)
	f.Add("🔥衡水老白乾🔥", -1, -1, 3, 99)
	f.Add("\xff\xfe坏字节", 0, 1, 1, 3)
	f.Fuzz(func(t *testing.T, title string, s1, e1, s2, e2 int) {
		reasons := []domain.Reason{rs("a", "甲", s1, e1), rs("b", "乙", s2, e2)}
		runes := []rune(title)
		want := make([]bool, len(runes))
		for _, r := range reasons {
			if start, end, ok := clip(r, len(runes)); ok {
				for i := start; i < end; i++ {
					want[i] = true
				}
			}
		}
		var whole strings.Builder
		var got []bool
		for _, s := range highlight(title, reasons) {
			if s.Text == "" {
				t.Fatal("empty segment")
			}
			whole.WriteString(s.Text)
			for range []rune(s.Text) {
				got = append(got, s.Marked)
			}
		}
		// Invalid UTF-8 comes back as U+FFFD, as []rune does everywhere.
		if whole.String() != string(runes) {
			t.Fatalf("segments spell %q, want %q", whole.String(), string(runes))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("marked %v, want %v", got, want)
		}
	})
}
