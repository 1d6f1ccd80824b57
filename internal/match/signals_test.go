package match

import (
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// Reference image hashes of the signal tests' marks; a listing photo of
// the same picture differs in a few bits.
const (
	hashLiugeCan  domain.PHash = 0xc3d15a7e9b2044f1
	hashLiugeLogo domain.PHash = 0x0f0f33cc5aa51234
	hashGoubuli   domain.PHash = 0x9e3779b97f4a7c15
)

// flip returns h with the given bits flipped.
func flip(h domain.PHash, bits ...int) domain.PHash {
	for _, b := range bits {
		h ^= 1 << uint(b)
	}
	return h
}

func signalMarks() []domain.Mark {
	return []domain.Mark{
		{ID: "liugehetao", Name: "六个核桃", Kind: domain.KindTrademark, WellKnown: true,
			Goods: []string{"核桃乳", "核桃露", "核桃奶", "植物蛋白饮料", "饮料", "饮品"}, Generic: []string{"核桃"},
			AuthorizedSellers: []string{"六个核桃官方旗舰店", "养元饮品官方旗舰店"},
			Prices:            []domain.PriceRange{{Unit: "罐", Low: 2.4, High: 3.5}, {Unit: "箱", Low: 48, High: 90}},
			Images:            []domain.RefImage{{Path: "images/liugehetao-can.png", Hash: hashLiugeCan}, {Path: "images/liugehetao-logo.png", Hash: hashLiugeLogo}}},
		{ID: "lulu", Name: "露露", Kind: domain.KindTrademark, WellKnown: true,
			Goods: []string{"杏仁露", "杏仁奶", "杏仁饮料", "植物蛋白饮料", "饮料"}, Forms: []string{"承德露露"},
			AuthorizedSellers: []string{"露露官方旗舰店"},
			Prices:            []domain.PriceRange{{Unit: "罐", Low: 2.5, High: 4}, {Unit: "箱", Low: 40, High: 90}}},
		{ID: "hengshui-laobaigan", Name: "衡水老白干", Kind: domain.KindTrademark, WellKnown: true,
			Goods: []string{"白酒", "酒", "老白干", "粮食酒"}, Generic: []string{"老白干"},
			Prices: []domain.PriceRange{{Unit: "瓶", Low: 30, High: 300}, {Unit: "箱", Low: 180, High: 1800}}},
		{ID: "jinshahe", Name: "金沙河", Kind: domain.KindTrademark, WellKnown: true,
			Goods:  []string{"挂面", "面条", "面粉", "龙须面"},
			Prices: []domain.PriceRange{{Unit: "斤", Low: 2, High: 6}, {Low: 5, High: 120}}},
		{ID: "greatwall-wine", Name: "长城葡萄酒", Kind: domain.KindTrademark, WellKnown: true,
			Goods: []string{"葡萄酒", "干红", "红酒"}, Forms: []string{"长城干红"}, Generic: []string{"葡萄酒", "干红"},
			Prices: []domain.PriceRange{{Unit: "瓶", Low: 35, High: 400}}},
		{ID: "goubuli", Name: "狗不理", Kind: domain.KindTimeHonoured, Goods: []string{"包子", "速冻"},
			Images: []domain.RefImage{{Path: "images/goubuli.png", Hash: hashGoubuli}}},
	}
}

// scoreOf returns the listing's match for mark id, if any.
func scoreOf(ms []domain.Match, id string) (domain.Match, bool) {
	for _, h := range ms {
		if h.MarkID == id {
			return h, true
		}
	}
	return domain.Match{}, false
}

func reasonOf(h domain.Match, tactic string) (domain.Reason, bool) {
	for _, r := range h.Reasons {
		if r.Tactic == tactic {
			return r, true
		}
	}
	return domain.Reason{}, false
}

func TestSignals(t *testing.T) {
	m, err := New(signalMarks(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	history := &domain.SellerHistory{NetworkID: 7, Confirmed: 3, Via: "电话 138****5678 与 鑫旺食品专营店"}
	cases := []struct {
		name    string
		l       domain.Listing
		want    string // the alerted mark, "" for none
		tactic  string // a reason the hit on want (or on record, for none) must carry
		text    string // that reason's text, when given
		span    string // the title text it points at, when given
		record  string // a mark matched below the threshold, for negatives
		noTactc string // a tactic no match may carry
	}{
		// price
		{name: "20 cans for the price of four", l: domain.Listing{Title: "六个核桃 核桃乳 240ml*20罐 整箱", Price: 9.9},
			want: "liugehetao", tactic: "price", text: "价格异常: ¥9.90 (20罐, ¥0.50/罐), 正品 ¥2.40–3.50/罐", span: "20罐"},
		{name: "bare multiplier counts cans", l: domain.Listing{Title: "六个核桃 核桃乳 240ml×24 礼盒装", Price: 12},
			want: "liugehetao", tactic: "price", text: "价格异常: ¥12.00 (24罐, ¥0.50/罐), 正品 ¥2.40–3.50/罐", span: "×24"},
		{name: "bottles after x", l: domain.Listing{Title: "衡水老白干 67度 500ml x12瓶 白酒", Price: 98},
			want: "hengshui-laobaigan", tactic: "price", span: "12瓶"},
		{name: "weight unit with 装", l: domain.Listing{Title: "金沙河 挂面 龙须面 5斤装", Price: 3.9},
			want: "jinshahe", tactic: "price", text: "价格异常: ¥3.90 (5斤, ¥0.78/斤), 正品 ¥2.00–6.00/斤", span: "5斤"},
		{name: "整箱 is one case", l: domain.Listing{Title: "露露 杏仁露 整箱 批发", Price: 15},
			want: "lulu", tactic: "price", text: "价格异常: ¥15.00 (1箱, ¥15.00/箱), 正品 ¥40.00–90.00/箱", span: "整箱"},
		{name: "Chinese numeral count", l: domain.Listing{Title: "露露 杏仁露 十二罐 礼盒", Price: 5},
			want: "lulu", tactic: "price", span: "十二罐"},
		{name: "no unit: the lowest range is the bar", l: domain.Listing{Title: "长城干红 葡萄酒 赤霞珠", Price: 9.9},
			want: "greatwall-wine", tactic: "price", text: "价格异常: ¥9.90, 正品 ¥35.00–400.00/瓶"},
		{name: "genuine price of a case", l: domain.Listing{Title: "六个核桃 核桃乳 240ml*20罐 整箱", Price: 59},
			record: "liugehetao", noTactc: "price"},
		{name: "a single can at a genuine per-can price", l: domain.Listing{Title: "六个核桃 核桃乳 240ml 单罐", Price: 3},
			record: "liugehetao", noTactc: "price"},
		{name: "a 5斤 bag at a genuine price", l: domain.Listing{Title: "金沙河 挂面 5斤装 家用", Price: 15.8},
			record: "jinshahe", noTactc: "price"},
		{name: "accessory at a low price", l: domain.Listing{Title: "适用于六个核桃 核桃乳 吸管 100支", Price: 2.9},
			noTactc: "price"},
		{name: "authorised shop's low price", l: domain.Listing{Title: "六个核桃 核桃乳 240ml*20罐 临期特价", Price: 9.9, Seller: "六个核桃官方旗舰店"},
			noTactc: "price"},
		{name: "low price on other goods", l: domain.Listing{Title: "六个核桃 文化衫 T恤", Price: 9.9},
			noTactc: "price"},
		{name: "a number of cases beats 整箱", l: domain.Listing{Title: "露露 杏仁露 整箱 3箱 批发", Price: 45},
			want: "lulu", tactic: "price", text: "价格异常: ¥45.00 (3箱, ¥15.00/箱), 正品 ¥40.00–90.00/箱", span: "3箱"},
		{name: "bottles counted with no goods word", l: domain.Listing{Title: "衡水老白干 67度 500ml*6瓶 送礼", Price: 39},
			want: "hengshui-laobaigan", tactic: "price", span: "6瓶"},
		{name: "a look-alike's case is not the mark's goods", l: domain.Listing{Title: "露路 纯味奶 250ml*16盒 整箱", Price: 5},
			want: "lulu", tactic: "sound", noTactc: "price"},
		{name: "fits the can, after it", l: domain.Listing{Title: "露露罐 适配 车载杯架 饮料架", Price: 1.5},
			noTactc: "price"},
		{name: "fits the bottle, after it", l: domain.Listing{Title: "衡水老白干酒瓶 适用 酒嘴 倒酒器", Price: 3.5},
			noTactc: "price"},
		{name: "适合 after the cans describes the goods", l: domain.Listing{Title: "露露 杏仁露 240ml*20罐 适合送礼", Price: 9.9},
			want: "lulu", tactic: "price"},
		{name: "numeral of the name is no count", l: domain.Listing{Title: "六个核桃 核桃乳", Price: 2},
			record: "liugehetao", noTactc: "price"},

		// image
		{name: "name and photo", l: domain.Listing{Title: "六个核桃 核桃乳 240ml*20罐", Price: 45, ImageHash: flip(hashLiugeCan, 3, 17, 40)},
			want: "liugehetao", tactic: "image", text: "图片近似: 参考图 images/liugehetao-can.png, 相差 3/64 位"},
		{name: "photo of the logo, title avoids the name, goods named", l: domain.Listing{Title: "核桃乳 植物蛋白饮料 240ml*20罐 整箱", ImageHash: flip(hashLiugeLogo, 1, 9, 22, 33, 50, 60)},
			want: "liugehetao", tactic: "image", text: "图片近似: 参考图 images/liugehetao-logo.png, 相差 6/64 位"},
		{name: "photo of a well-known mark, no goods named", l: domain.Listing{Title: "夏日清凉 特价 24罐 批发", ImageHash: flip(hashLiugeCan, 0, 63)},
			want: "liugehetao", tactic: "image"},
		{name: "photo eight bits off", l: domain.Listing{Title: "核桃乳 整箱", ImageHash: flip(hashLiugeCan, 0, 1, 13, 14, 26, 27, 39, 52)},
			want: "liugehetao", tactic: "image"},
		{name: "photo of a plain mark on unrelated goods", l: domain.Listing{Title: "复古 帆布包 手提袋", ImageHash: flip(hashGoubuli, 5)},
			record: "goubuli", tactic: "image"},
		{name: "photo of another mark", l: domain.Listing{Title: "露露 杏仁露 240ml*20罐", Price: 50, ImageHash: flip(hashLiugeCan, 2)},
			record: "lulu"},
		{name: "photo on a replica of the container", l: domain.Listing{Title: "冰箱贴 包子盒 仿真 磁贴", ImageHash: flip(hashGoubuli, 1)},
			record: "goubuli", tactic: "image"},
		{name: "photo of a plain mark among its goods", l: domain.Listing{Title: "鲜肉包子 速冻 早餐", ImageHash: flip(hashGoubuli, 1)},
			want: "goubuli", tactic: "image"},
		{name: "photo too far from any reference", l: domain.Listing{Title: "核桃乳 整箱", ImageHash: flip(hashLiugeCan, 0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55)},
			noTactc: "image"},
		{name: "authorised shop's photo", l: domain.Listing{Title: "核桃乳 植物蛋白饮料 整箱", Seller: "养元饮品官方旗舰店", ImageHash: hashLiugeCan}},

		// seller
		{name: "plain name from a confirmed network", l: domain.Listing{Title: "六个核桃 核桃乳 240ml*20罐", Price: 45, SellerHistory: history},
			want: "liugehetao", tactic: "seller", text: "卖家网络已确认侵权 3 起 (电话 138****5678 与 鑫旺食品专营店)"},
		{name: "network history without a title hit", l: domain.Listing{Title: "核桃乳 植物蛋白饮料 整箱", SellerHistory: history},
			noTactc: "seller"},
		{name: "history with nothing confirmed", l: domain.Listing{Title: "六个核桃 核桃乳 240ml*20罐", SellerHistory: &domain.SellerHistory{Confirmed: 0}},
			record: "liugehetao", noTactc: "seller"},
		{name: "authorised shop with a history", l: domain.Listing{Title: "六个核桃 核桃乳", Seller: "六个核桃官方旗舰店", SellerHistory: history},
			noTactc: "seller"},
		{name: "history beside a name counting its bottles", l: domain.Listing{Title: "衡水老白干 67度 500ml*6瓶", Price: 258, SellerHistory: history},
			want: "hengshui-laobaigan", tactic: "seller"},
		{name: "history beside a plain name on other goods", l: domain.Listing{Title: "六个核桃 文化衫 T恤", SellerHistory: history},
			noTactc: "seller"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ms := m.Match(c.l)
			checkOffsets(t, c.l.Title, ms)
			got := alerted(ms)
			id := c.want
			if c.want == "" {
				if len(got) > 0 {
					t.Fatalf("%s: alerted %v, want none; %+v", c.l.Title, got, ms)
				}
				id = c.record
			} else if len(got) != 1 || got[0] != c.want {
				t.Fatalf("%s: alerted %v, want [%s]; %+v", c.l.Title, got, c.want, ms)
			}
			for _, h := range ms {
				if _, bad := reasonOf(h, c.noTactc); c.noTactc != "" && bad {
					t.Errorf("%s: %s carries a %s reason: %+v", c.l.Title, h.MarkID, c.noTactc, h.Reasons)
				}
			}
			if id == "" {
				return
			}
			h, ok := scoreOf(ms, id)
			if !ok {
				t.Fatalf("%s: no match for %s: %+v", c.l.Title, id, ms)
			}
			if c.tactic == "" {
				return
			}
			r, ok := reasonOf(h, c.tactic)
			if !ok {
				t.Fatalf("%s: no %s reason in %+v", c.l.Title, c.tactic, h.Reasons)
			}
			if c.text != "" && r.Text != c.text {
				t.Errorf("%s: reason %q, want %q", c.l.Title, r.Text, c.text)
			}
			if c.span != "" {
				if r.Start < 0 {
					t.Fatalf("%s: reason %+v has no span, want %q", c.l.Title, r, c.span)
				}
				if got := string([]rune(c.l.Title)[r.Start:r.End]); got != c.span {
					t.Errorf("%s: span %q, want %q", c.l.Title, got, c.span)
				}
			}
		})
	}
}

// TestSignalsRaiseLookalikes checks that each signal lifts a look-alike's
// score above what its title alone earns, and that the title's score is
// unchanged by fields the mark gives no facts for.
func TestSignalsRaiseLookalikes(t *testing.T) {
	m, err := New(signalMarks(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	base := domain.Listing{Title: "六介核桃 核桃乳 240ml*20罐", Price: 45}
	score := func(l domain.Listing) float64 {
		h, ok := scoreOf(m.Match(l), "liugehetao")
		if !ok {
			t.Fatalf("%s: no match", l.Title)
		}
		return h.Score
	}
	plain := score(base)
	if plain < DefaultAlertThreshold || plain >= 0.95 {
		t.Fatalf("look-alike alone scores %v; the test needs an alert with room above", plain)
	}
	cheap, photo, network := base, base, base
	cheap.Price = 9.9
	photo.ImageHash = flip(hashLiugeCan, 7)
	network.SellerHistory = &domain.SellerHistory{Confirmed: 1}
	for name, l := range map[string]domain.Listing{"price": cheap, "image": photo, "seller": network} {
		if s := score(l); s <= plain {
			t.Errorf("%s: score %v not above the title's %v", name, s, plain)
		}
	}
	// a listing photo of no reference image, or a seller without history,
	// leaves the score as the title made it
	other := base
	other.ImageHash = ^hashLiugeCan
	other.SellerHistory = &domain.SellerHistory{}
	if s := score(other); s != plain {
		t.Errorf("unrelated photo and empty history: score %v, want %v", s, plain)
	}
}

func TestCountUnit(t *testing.T) {
	cases := []struct {
		title, unit string
		piece       bool
		want        float64 // 0: no count
		span        string
	}{
		{"六个核桃 240ml*20罐", "罐", true, 20, "20罐"},
		{"六个核桃 240ml*20", "罐", true, 20, "*20"},
		{"核桃乳 ×24 礼盒", "罐", true, 24, "×24"},
		{"核桃乳 250mlx12 整箱", "罐", true, 12, "x12"},
		{"核桃乳 2*12罐", "罐", true, 24, "2*12罐"},
		{"挂面 5斤装", "斤", false, 5, "5斤"},
		{"挂面 2.5kg", "kg", false, 2.5, "2.5kg"},
		{"挂面 2.5KG 家用", "kg", false, 2.5, "2.5kg"},
		{"杏仁露 十二罐", "罐", true, 12, "十二罐"},
		{"杏仁露 二十四罐", "罐", true, 24, "二十四罐"},
		{"白酒 两箱", "箱", false, 2, "两箱"},
		{"杏仁露 整箱", "箱", false, 1, "整箱"},
		{"杏仁露 单罐", "罐", true, 1, "单罐"},
		{"杏仁露 ２０罐", "罐", true, 20, "２０罐"},
		{"杏仁露 罐装 饮料", "罐", true, 0, ""},
		{"六个核桃 核桃乳", "个", true, 0, ""}, // inside the name (skip below)
		{"box12 礼盒", "罐", true, 0, ""},
		{"3x4 相框", "罐", true, 0, ""},
		{"240ml*20瓶", "罐", true, 0, ""}, // the count is of another unit
	}
	for _, c := range cases {
		rs := []rune(c.title)
		for i := range rs {
			rs[i] = foldCountRune(rs[i])
		}
		skip := [2]int{-1, -1}
		if strings.HasPrefix(c.title, "六个核桃") {
			skip = [2]int{0, 4}
		}
		got, ok := countUnit(rs, []rune(c.unit), c.piece, skip)
		if c.want == 0 {
			if ok {
				t.Errorf("%s: counted %+v, want none", c.title, got)
			}
			continue
		}
		if !ok || got.n != c.want {
			t.Errorf("%s: count %+v %v, want %v", c.title, got, ok, c.want)
			continue
		}
		if s := strings.ToLower(string([]rune(c.title)[got.start:got.end])); s != strings.ToLower(c.span) {
			t.Errorf("%s: span %q, want %q", c.title, s, c.span)
		}
	}
}
