package match

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// testMarks is a registry of real Chinese names that the development set
// does not use, so these tests check that the rules generalise.
func testMarks() []domain.Mark {
	return []domain.Mark{
		{ID: "daoxiangcun", Name: "稻香村", Kind: domain.KindTimeHonoured, Goods: []string{"糕点", "月饼", "点心"},
			AuthorizedSellers: []string{"稻香村官方旗舰店"}},
		{ID: "wahaha", Name: "娃哈哈", Kind: domain.KindTrademark, WellKnown: true,
			Goods: []string{"饮料", "纯净水", "钙奶", "饮用水"}},
		{ID: "laoganma", Name: "老干妈", Kind: domain.KindTrademark, WellKnown: true,
			Goods: []string{"辣椒酱", "豆豉", "油辣椒"}, Generic: []string{"辣椒酱"}},
		{ID: "goubuli", Name: "狗不理", Kind: domain.KindTimeHonoured, Goods: []string{"包子", "速冻"}},
		{ID: "zhangxiaoquan", Name: "张小泉", Kind: domain.KindTimeHonoured, Goods: []string{"剪刀", "刀具", "菜刀"}},
		{ID: "yunnanbaiyao", Name: "云南白药", Kind: domain.KindTrademark, WellKnown: true,
			Goods: []string{"牙膏", "创可贴", "气雾剂", "药"}, Forms: []string{"雲南白藥"},
			AuthorizedSellers: []string{"云南白药官方旗舰店"}},
		{ID: "wuchang-dami", Name: "五常大米", Kind: domain.KindGI, Product: []string{"大米", "稻花香", "米"},
			Origin: domain.Origin{Places: []string{"五常"}, SellerLocations: []string{"黑龙江 哈尔滨"}}},
		{ID: "xihu-longjing", Name: "西湖龙井", Kind: domain.KindGI, Product: []string{"龙井", "龙井茶", "绿茶"},
			Exclude: []string{"西湖醋鱼"},
			Origin:  domain.Origin{Places: []string{"西湖"}, SellerLocations: []string{"浙江 杭州"}}},
	}
}

func newTestMatcher(t testing.TB) *Matcher {
	t.Helper()
	m, err := New(testMarks(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func alerted(ms []domain.Match) []string {
	var ids []string
	for _, h := range ms {
		if h.Alert {
			ids = append(ids, h.MarkID)
		}
	}
	return ids
}

func TestMatchTactics(t *testing.T) {
	m := newTestMatcher(t)
	cases := []struct {
		name, title, seller, location string
		want                          string // alerted mark id, "" for none
		tactic                        string // a reason tactic expected on the hit
	}{
		{"shape", "稻香材 糕点 礼盒装 中秋", "", "", "daoxiangcun", "shape"},
		{"homophone", "稻乡村 月饼 五仁 礼盒", "", "", "daoxiangcun", "sound"},
		{"homophone wellknown", "哇哈哈 纯净水 596ml*24瓶", "", "", "wahaha", "sound"},
		{"near sound", "张小全 剪刀 家用 不锈钢", "", "", "zhangxiaoquan", "sound"},
		{"traditional", "狗不離 包子 速冻 早餐", "", "", "goubuli", "script"},
		{"traditional form", "雲南白藥 牙膏 180g", "某某日用", "广东 广州", "yunnanbaiyao", "script"},
		{"symbols", "稻·香·村 月饼 礼盒", "", "", "daoxiangcun", "symbols"},
		{"latin pinyin", "DAOXIANGCUN 糕点 点心 礼盒", "", "", "daoxiangcun", "latin"},
		{"reorder", "香稻村 糕点 传统点心", "", "", "daoxiangcun", "reorder"},
		{"insertion", "稻香新村 糕点 礼盒", "", "", "daoxiangcun", "insertion"},
		{"swap in class", "老干爹 辣椒酱 280g", "", "", "laoganma", "swap"},
		{"counterfeit", "云南白药 牙膏 A货 批发", "", "", "yunnanbaiyao", "counterfeit"},
		{"copy of a famous name, no goods word", "高仿 云南白药 包装盒 印刷", "", "", "yunnanbaiyao", "counterfeit"},
		{"copy of a plain name, no goods word", "高仿 狗不理 门头招牌 定制", "", "", "", ""},
		{"deletion", "云南药 牙膏 清新", "", "", "yunnanbaiyao", "deletion"},
		{"split", "禾舀香村 糕点 点心", "", "", "daoxiangcun", "split"},
		{"split radical typed whole", "犬句不理 包子 速冻", "", "", "goubuli", "split"},
		{"pinyin with tone marks", "Dào Xiāng Cūn 月饼 礼盒", "", "", "daoxiangcun", "latin"},
		{"counterfeit, name split by a space", "狗不 理 包子 高仿", "", "", "goubuli", "counterfeit"},
		{"pinyin letter by letter", "D.A.O.X.I.A.N.G.C.U.N 月饼", "", "", "daoxiangcun", "latin"},
		{"pinyin initials", "DXC 糕点 月饼 礼盒", "", "", "daoxiangcun", "latin"},
		{"gi outside", "五常大米 10斤 新米", "", "江苏 宿迁", "wuchang-dami", "gi-origin"},
		{"gi place and product", "正宗五常 稻花香 大米 5kg", "", "吉林 长春", "wuchang-dami", "gi-origin"},
		{"gi product then origin", "稻花香 大米 5kg 五常特产", "", "辽宁 沈阳", "wuchang-dami", "gi-origin"},
		{"gi homophone place, spaced", "五尝 大米 10斤 新米", "", "江苏 宿迁", "wuchang-dami", "sound"},
		{"gi qualifier", "西湖龙井品种 明前 绿茶 250g", "", "贵州 遵义", "xihu-longjing", "gi-qualifier"},

		{"authorized", "稻香村 糕点 礼盒", "稻香村官方旗舰店", "北京 北京", "", ""},
		{"plain name other goods", "娃哈哈 童装 T恤", "", "", "", ""},
		{"compatible", "适用于云南白药牙膏 挤压器", "", "", "", ""},
		{"gi inside", "五常大米 10斤 新米", "", "黑龙江 哈尔滨", "", ""},
		{"gi inside, no spaces", "五常大米 10斤 新米", "", "黑龙江省哈尔滨市", "", ""},
		{"gi inside, city only", "五常大米 10斤 新米", "", "哈尔滨", "", ""},
		{"traditional outside goods", "雲南白藥 纪念T恤", "", "", "", ""},
		{"pinyin outside goods", "WAHAHA 卫衣 宽松", "", "", "", ""},
		{"homophone of well-known outside goods", "哇哈哈 卫衣 宽松", "", "", "wahaha", "sound"},
		{"gi, seller location unknown", "五常大米 10斤 新米", "", "", "", ""},
		{"gi look-alike, seller location unknown", "五尝大米 10斤 新米", "", "", "wuchang-dami", "sound"},
		{"gi place without product", "五常 特产 木耳", "", "山东 临沂", "", ""},
		{"gi exclude", "西湖醋鱼 半成品 杭帮菜", "", "上海 上海", "", ""},
		{"generic alone", "辣椒酱 香辣 下饭", "", "", "", ""},
		{"unrelated brand", "稻花香 白酒 52度", "", "", "", ""},
		{"swap out of class", "老干娃 辣椒酱", "", "", "", ""},
		{"name split by one space, nothing else", "稻香 村 月饼", "", "", "", ""},
		{"initials in lower case", "dxc 糕点 月饼", "", "", "", ""},
		{"compatible after", "狗不理包子专用 蒸笼 竹制", "", "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ms := m.Match(domain.Listing{Title: c.title, Seller: c.seller, Location: c.location})
			got := alerted(ms)
			if c.want == "" {
				if len(got) > 0 {
					t.Fatalf("%s: alerted %v, want none; hits %+v", c.title, got, ms)
				}
				return
			}
			if len(got) != 1 || got[0] != c.want {
				t.Fatalf("%s: alerted %v, want [%s]; hits %+v", c.title, got, c.want, ms)
			}
			if !hasTactic(ms[0], c.tactic) {
				t.Errorf("%s: reasons %+v lack tactic %q", c.title, ms[0].Reasons, c.tactic)
			}
		})
	}
}

func hasTactic(h domain.Match, tactic string) bool {
	for _, r := range h.Reasons {
		if r.Tactic == tactic {
			return true
		}
	}
	return false
}

// TestReasonSpans checks that highlighted spans point at the right
// characters of the original title, in runes.
func TestReasonSpans(t *testing.T) {
	m := newTestMatcher(t)
	cases := []struct{ title, tactic, want string }{
		{"【新品】稻乡村 月饼", "sound", "乡"},
		{"ＤＡＯＸＩＡＮＧＣＵＮ 月饼", "latin", "ＤＡＯＸＩＡＮＧＣＵＮ"},
		{"稻\u200b香\u200b村 月饼", "symbols", "稻\u200b香\u200b村"},
		{"高仿 狗不理 包子", "counterfeit", "高仿"},
		{"稻香新村 糕点", "insertion", "新"},
	}
	for _, c := range cases {
		ms := m.Match(domain.Listing{Title: c.title})
		if len(ms) == 0 {
			t.Fatalf("%s: no hit", c.title)
		}
		runes := []rune(c.title)
		found := false
		for _, r := range ms[0].Reasons {
			if r.Tactic == c.tactic {
				found = true
				if got := string(runes[r.Start:r.End]); got != c.want {
					t.Errorf("%s: %s span %d-%d is %q, want %q", c.title, c.tactic, r.Start, r.End, got, c.want)
				}
			}
		}
		if !found {
			t.Errorf("%s: no %s reason in %+v", c.title, c.tactic, ms[0].Reasons)
		}
	}
}

func TestMatchContract(t *testing.T) {
	m := newTestMatcher(t)
	ms := m.Match(domain.Listing{Title: "稻香材 糕点 哇哈哈 纯净水 狗不理包子 适用于张小泉"})
	for i, h := range ms {
		if h.Score < 0 || h.Score > 1 {
			t.Errorf("score %v outside [0,1]", h.Score)
		}
		if i > 0 && ms[i-1].Score < h.Score {
			t.Errorf("not sorted by score: %v before %v", ms[i-1].Score, h.Score)
		}
		if h.Alert != (h.Score >= DefaultAlertThreshold) {
			t.Errorf("%s: alert %v disagrees with score %v", h.MarkID, h.Alert, h.Score)
		}
		if len(h.Reasons) == 0 {
			t.Errorf("%s: no reasons", h.MarkID)
		}
	}
	if len(ms) < 2 {
		t.Errorf("want several hits, got %+v", ms)
	}
}

func TestThreshold(t *testing.T) {
	strict, err := New(testMarks(), Options{AlertThreshold: 0.99})
	if err != nil {
		t.Fatal(err)
	}
	if got := alerted(strict.Match(domain.Listing{Title: "稻乡村 月饼"})); len(got) != 0 {
		t.Errorf("threshold 0.99 still alerts %v", got)
	}
	for _, bad := range []float64{-0.1, 1.5} {
		if _, err := New(testMarks(), Options{AlertThreshold: bad}); err == nil {
			t.Errorf("threshold %v accepted", bad)
		}
	}
}

func TestNewRejectsBadMarks(t *testing.T) {
	cases := []domain.Mark{
		{ID: "", Name: "稻香村"},
		{ID: "x", Name: "  "},
		{ID: "y", Name: "···"},
	}
	for _, mk := range cases {
		_, err := New([]domain.Mark{mk}, Options{})
		if err == nil || !strings.Contains(err.Error(), "building matcher") {
			t.Errorf("mark %+v: error %v", mk, err)
		}
	}
}

func TestMatchConcurrent(t *testing.T) {
	m := newTestMatcher(t)
	titles := []string{"稻香材 糕点", "哇哈哈 纯净水", "五常大米 10斤", "雲南白藥 牙膏"}
	want := make([]string, len(titles))
	for i, ti := range titles {
		want[i] = fmt.Sprint(m.Match(domain.Listing{Title: ti}))
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				k := (g + i) % len(titles)
				if got := fmt.Sprint(m.Match(domain.Listing{Title: titles[k]})); got != want[k] {
					t.Errorf("concurrent result differs for %s", titles[k])
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestNormalize(t *testing.T) {
	cases := []struct{ in, want string }{
		{"六個核桃", "六个核桃"},
		{"ＪＵＮ ＬＥ ＢＡ0", "jun le ba0"},
		{"衡*水*老*白*干", "衡 水 老 白 干"},
		{"六\u200b个\u200b核\u200b桃", "六个核桃"},
		{"  長城 汽車  ", "长城 汽车"},
		{"衡水老白乾", "衡水老白干"},
		{"旭日昇", "旭日升"},
		{"ＬＵＬＵ", "lulu"},
		{"", ""},
	}
	for _, c := range cases {
		if got := Normalize(c.in); got != c.want {
			t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func checkOffsets(t *testing.T, title string, ms []domain.Match) {
	n := utf8.RuneCountInString(title)
	for _, h := range ms {
		if h.Score < 0 || h.Score > 1 {
			t.Fatalf("%q: score %v", title, h.Score)
		}
		for _, r := range h.Reasons {
			if r.Start == -1 && r.End == -1 {
				continue
			}
			if r.Start < 0 || r.End > n || r.Start >= r.End {
				t.Fatalf("%q: reason %+v outside title of %d runes", title, r, n)
			}
		}
	}
}
