package cases_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/cases"
	"github.com/markwatch/markwatch/internal/domain"
)

var (
	liugehetao = domain.Mark{ID: "liugehetao", Name: "六个核桃", Kind: domain.KindTrademark, Owner: "河北养元智汇饮品股份有限公司",
		WellKnown: true, Classes: []int{32}, Goods: []string{"核桃乳", "核桃露", "植物蛋白饮料"}}
	banchengShaoguo = domain.Mark{ID: "bancheng-shaoguo", Name: "板城烧锅酒", Kind: domain.KindTimeHonoured, Owner: "承德乾隆醉酒业有限责任公司",
		Classes: []int{33}, Goods: []string{"白酒", "酒"}}
	qianxiBanli = domain.Mark{ID: "qianxi-banli", Name: "迁西板栗", Kind: domain.KindGI, Owner: "迁西县板栗产业协会", WellKnown: true,
		Product: []string{"板栗", "栗子"}, Origin: domain.Origin{Places: []string{"迁西"}, SellerLocations: []string{"河北 唐山"}}}
)

var seen = time.Date(2026, 11, 3, 2, 15, 0, 0, time.UTC) // 10:15 in Beijing

func alert(id int64, mark, url, title, seller, loc string, reasons ...domain.Reason) domain.Alert {
	return domain.Alert{ID: id, MarkID: mark, SourceID: "taobao", URL: url, Title: title, Seller: seller, Location: loc,
		Reasons: reasons, Status: domain.AlertConfirmed, FirstSeen: seen, LastSeen: seen.Add(48 * time.Hour)}
}

func trademarkCase() (domain.Case, []domain.Alert, map[int64][]string) {
	alerts := []domain.Alert{
		alert(11, "liugehetao", "https://item.taobao.com/item.htm?id=600001&spm=a21n57.1.0.0", "六个核桃 核桃乳 240ml*20罐 整箱", "某某食品专营店", "河北 石家庄",
			domain.Reason{Tactic: "exact", Text: "同名: 六个核桃", Start: 0, End: 4},
			domain.Reason{Tactic: "context", Text: "商品: 核桃乳", Start: 5, End: 8}),
		alert(12, "liugehetao", "https://item.taobao.com/item.htm?id=600002", "六個核桃 高仿 核桃露", "某某食品专营店", "河北 保定",
			domain.Reason{Tactic: "script", Text: "繁体/异体: 個→个", Start: 0, End: 4},
			domain.Reason{Tactic: "counterfeit", Text: "假冒用语: 高仿", Start: 5, End: 7}),
		alert(13, "liugehetao", "http://mobile.yangkeduo.com/goods.html?goods_id=9", "六个核桄 植物蛋白饮料", "核桃饮品批发", "河北 保定",
			domain.Reason{Tactic: "shape", Text: "形近: 桃→桄", Start: 3, End: 4}),
	}
	c := domain.Case{ID: 1, Number: "MW-2026-0001", Title: "六个核桃仿冒", MarkID: "liugehetao", Status: domain.CaseInvestigating, AlertIDs: []int64{11, 12, 13}}
	ev := map[int64][]string{
		11: {"https://markwatch.example.gov.cn/api/v1/cases/1/packet.pdf", "https://markwatch.example.gov.cn/api/v1/artefacts/ab12"},
		13: {"https://markwatch.example.gov.cn/api/v1/cases/1/packet.pdf"},
	}
	return c, alerts, ev
}

func TestNoticeTrademarkEveryPlatform(t *testing.T) {
	c, alerts, ev := trademarkCase()
	if len(cases.Platforms()) != 3 {
		t.Fatalf("Platforms = %v, want alibaba, jd, pinduoduo", cases.Platforms())
	}
	for _, p := range cases.Platforms() {
		d, err := cases.Notice(p.ID, c, liugehetao, alerts, ev)
		if err != nil {
			t.Fatalf("%s: %v", p.ID, err)
		}
		if d.Platform.ID != p.ID || d.RightsHolder != "河北养元智汇饮品股份有限公司" || d.MarkName != "六个核桃" ||
			!slices.Equal(d.Classes, []int{32}) || d.RightType != "商标权（驰名商标）" || d.CaseNumber != "MW-2026-0001" {
			t.Errorf("%s: rights fields = %+v", p.ID, d)
		}
		if d.Jurisdiction != "河北" {
			t.Errorf("%s: jurisdiction %q, want 河北 (from the sellers)", p.ID, d.Jurisdiction)
		}
		if want := []string{cases.InfringeCounterfeit, cases.InfringeTrademark}; !slices.Equal(d.Infringement, want) {
			t.Errorf("%s: infringement %q, want %q", p.ID, d.Infringement, want)
		}
		if len(d.Items) != 3 {
			t.Fatalf("%s: %d items, want 3", p.ID, len(d.Items))
		}
		// Exact name → 假冒 only; 繁体 + 高仿 → both; 形近 → 商标侵权 only.
		wantKinds := [][]string{{cases.InfringeCounterfeit}, {cases.InfringeCounterfeit, cases.InfringeTrademark}, {cases.InfringeTrademark}}
		for i, it := range d.Items {
			if !slices.Equal(it.Infringement, wantKinds[i]) {
				t.Errorf("%s item %d: infringement %q, want %q", p.ID, i, it.Infringement, wantKinds[i])
			}
			if it.URL != alerts[i].URL {
				t.Errorf("%s item %d: url %q, want it kept as stored %q", p.ID, i, it.URL, alerts[i].URL)
			}
		}
		if !slices.Equal(d.Items[0].Reasons, []string{"同名: 六个核桃", "商品: 核桃乳"}) || !slices.Equal(d.Items[0].Evidence, ev[11]) || d.Items[1].Evidence != nil {
			t.Errorf("%s: item 0 reasons/evidence %q %q; item 1 evidence %q", p.ID, d.Items[0].Reasons, d.Items[0].Evidence, d.Items[1].Evidence)
		}

		text := d.Text()
		for _, w := range []string{p.Name, p.Portal, "案件编号：MW-2026-0001", "权利人：河北养元智汇饮品股份有限公司", "商标注册号：（请填写商标注册号",
			"核定使用类别：第32类", "投诉类型：假冒注册商标；商标侵权", p.LinkLabel + "：https://item.taobao.com/item.htm?id=600001&spm=a21n57.1.0.0",
			"店铺名称：某某食品专营店", "所在地：河北 石家庄", p.ReasonLabel + "：同名: 六个核桃；商品: 核桃乳", "形近: 桃→桄",
			p.EvidenceLabel + "：https://markwatch.example.gov.cn/api/v1/cases/1/packet.pdf https://markwatch.example.gov.cn/api/v1/artefacts/ab12",
			"2026-11-03 10:15 / 2026-11-05 10:15（北京时间）", "共 3 个"} {
			if !strings.Contains(text, w) {
				t.Errorf("%s: Text lacks %q:\n%s", p.ID, w, text)
			}
		}

		var buf bytes.Buffer
		if err := d.WriteCSV(&buf); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("%s: CSV does not parse back: %v", p.ID, err)
		}
		if len(rows) != 4 {
			t.Fatalf("%s: %d CSV rows, want header + 3", p.ID, len(rows))
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		for _, h := range []string{"权利人", "商标注册号", "类别", "侵权类型", p.LinkLabel, "店铺名称", p.ReasonLabel, p.EvidenceLabel} {
			if _, ok := col[h]; !ok {
				t.Fatalf("%s: CSV header %q lacks %q", p.ID, rows[0], h)
			}
		}
		for i, row := range rows[1:] {
			if row[col[p.LinkLabel]] != alerts[i].URL || row[col["店铺名称"]] != alerts[i].Seller || row[col["权利人"]] != liugehetao.Owner || row[col["类别"]] != "32" {
				t.Errorf("%s: CSV row %d = %q", p.ID, i+1, row)
			}
		}
		if got := rows[2][col["侵权类型"]]; got != cases.InfringeCounterfeit+"；"+cases.InfringeTrademark {
			t.Errorf("%s: row 2 infringement %q", p.ID, got)
		}
		if got := rows[1][col[p.EvidenceLabel]]; got != strings.Join(ev[11], " ") {
			t.Errorf("%s: row 1 evidence %q", p.ID, got)
		}

		js, err := d.JSON()
		if err != nil {
			t.Fatal(err)
		}
		var back cases.NoticeDoc
		if err := json.Unmarshal(js, &back); err != nil || back.RightsHolder != d.RightsHolder || len(back.Items) != 3 || back.Items[2].URL != alerts[2].URL || back.Platform.ID != p.ID {
			t.Errorf("%s: JSON round trip: %v %s", p.ID, err, js)
		}
	}
}

func TestNoticeTimeHonoured(t *testing.T) {
	alerts := []domain.Alert{
		alert(21, "bancheng-shaoguo", "https://item.jd.com/100012.html", "板城烧锅酒 52度 500ml 纯粮酿造", "承德老酒坊", "河北 承德",
			domain.Reason{Tactic: "exact", Text: "同名: 板城烧锅酒", Start: 0, End: 5}),
		alert(22, "bancheng-shaoguo", "https://item.jd.com/100013.html", "板城烧鍋 老字号白酒", "承德老酒坊", "河北 承德",
			domain.Reason{Tactic: "script", Text: "繁体/异体: 鍋→锅", Start: 0, End: 4}),
	}
	c := domain.Case{Number: "MW-2026-0002", MarkID: "bancheng-shaoguo", Jurisdiction: "河北 承德 双桥区"}
	d, err := cases.Notice("jd", c, banchengShaoguo, alerts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Platform.Name != "京东知识产权保护平台" || d.RightType != "商标权（中华老字号）" || d.Jurisdiction != "河北 承德 双桥区" {
		t.Errorf("fields: %+v", d)
	}
	if want := []string{cases.InfringeCounterfeit, cases.InfringeUnfair}; !slices.Equal(d.Items[0].Infringement, want) {
		t.Errorf("exact 老字号 name: %q, want %q", d.Items[0].Infringement, want)
	}
	if want := []string{cases.InfringeTrademark, cases.InfringeUnfair}; !slices.Equal(d.Items[1].Infringement, want) {
		t.Errorf("variant 老字号 name: %q, want %q", d.Items[1].Infringement, want)
	}
	if !strings.Contains(d.Text(), "不正当竞争") || !strings.Contains(d.Text(), "核定使用类别：第33类") {
		t.Errorf("Text:\n%s", d.Text())
	}
	// A 老字号 without a registration is claimed on unfair competition alone.
	unregistered := banchengShaoguo
	unregistered.Classes = nil
	d, err = cases.Notice("jd", c, unregistered, alerts[:1], nil)
	if err != nil || !slices.Equal(d.Infringement, []string{cases.InfringeUnfair}) || d.RightType != "中华老字号名称权益" {
		t.Errorf("unregistered 老字号: %v %q %q", err, d.Infringement, d.RightType)
	}
}

func TestNoticeGI(t *testing.T) {
	alerts := []domain.Alert{
		alert(31, "qianxi-banli", "https://detail.tmall.com/item.htm?id=7001", "迁西板栗 新鲜 5斤 现摘", "山东栗子批发", "山东 临沂",
			domain.Reason{Tactic: "gi-origin", Text: "产地+产品: 迁西 板栗", Start: 0, End: 4},
			domain.Reason{Tactic: "gi-origin", Text: "产地不符: 山东 临沂", Start: -1, End: -1}),
		alert(32, "qianxi-banli", "https://detail.tmall.com/item.htm?id=7002", "迁西式板栗 甘栗仁", "山东栗子批发", "山东 临沂",
			domain.Reason{Tactic: "gi-qualifier", Text: "限定词: 式", Start: 2, End: 3}),
	}
	c := domain.Case{Number: "MW-2026-0003", MarkID: "qianxi-banli", AlertIDs: []int64{31, 32}}
	for _, p := range cases.Platforms() {
		d, err := cases.Notice(p.ID, c, qianxiBanli, alerts, map[int64][]string{32: {"https://mw.example/p/3.pdf"}})
		if err != nil {
			t.Fatal(err)
		}
		if d.RightType != "地理标志（证明商标/地理标志产品）" || d.RightsHolder != "迁西县板栗产业协会" || d.Jurisdiction != "山东 临沂" {
			t.Errorf("%s: %+v", p.ID, d)
		}
		if !slices.Equal(d.Items[0].Infringement, []string{cases.InfringeGIOrigin}) || !slices.Equal(d.Items[1].Infringement, []string{cases.InfringeGIQualifier}) {
			t.Errorf("%s: %q %q", p.ID, d.Items[0].Infringement, d.Items[1].Infringement)
		}
		if !slices.Equal(d.Infringement, []string{cases.InfringeGIQualifier, cases.InfringeGIOrigin}) {
			t.Errorf("%s: %q", p.ID, d.Infringement)
		}
		text := d.Text()
		for _, w := range []string{"地理标志注册号/公告号：（请填写", "产地不符: 山东 临沂", "限定词: 式", "权利名称：迁西板栗"} {
			if !strings.Contains(text, w) {
				t.Errorf("%s: Text lacks %q:\n%s", p.ID, w, text)
			}
		}
		if strings.Contains(text, "核定使用类别") {
			t.Errorf("%s: a GI without classes shows a class line:\n%s", p.ID, text)
		}
		var buf bytes.Buffer
		if err := d.WriteCSV(&buf); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(rows) != 3 || rows[0][5] != "地理标志注册号/公告号" || rows[2][len(rows[2])-1] != "https://mw.example/p/3.pdf" {
			t.Errorf("%s: CSV %v %q", p.ID, err, rows)
		}
	}
}

func TestNoticeRefuses(t *testing.T) {
	c, alerts, ev := trademarkCase()
	with := func(f func(a *domain.Alert)) []domain.Alert {
		out := slices.Clone(alerts)
		f(&out[1])
		return out
	}
	tests := []struct {
		name     string
		platform string
		c        domain.Case
		alerts   []domain.Alert
		ev       map[int64][]string
		want     string
	}{
		{"unknown platform", "taobao", c, alerts, ev, "alibaba、jd、pinduoduo"},
		{"no alerts", "jd", c, nil, ev, "no alerts"},
		{"javascript listing", "jd", c, with(func(a *domain.Alert) { a.URL = "javascript:alert(1)" }), ev, "only http(s)"},
		{"relative listing", "jd", c, with(func(a *domain.Alert) { a.URL = "/item.htm?id=1" }), ev, "only http(s)"},
		{"hostless listing", "jd", c, with(func(a *domain.Alert) { a.URL = "https:///x" }), ev, "no host"},
		{"file evidence", "jd", c, alerts, map[int64][]string{11: {"file:///etc/passwd"}}, "evidence link"},
		{"data evidence", "jd", c, alerts, map[int64][]string{12: {"data:text/html,<script>"}}, "alert 12"},
		{"other mark", "jd", c, with(func(a *domain.Alert) { a.MarkID = "lulu" }), ev, "on mark \"lulu\""},
		{"not in the case", "jd", c, with(func(a *domain.Alert) { a.ID = 99 }), ev, "not in case MW-2026-0001"},
		{"dismissed", "jd", c, with(func(a *domain.Alert) { a.Status = domain.AlertDismissed }), ev, "dismissed"},
		{"twice", "jd", c, with(func(a *domain.Alert) { a.ID = 11 }), ev, "twice"},
		{"case on another mark", "jd", domain.Case{Number: "MW-2026-0009", MarkID: "lulu"}, alerts, ev, "on mark \"lulu\""},
	}
	for _, tt := range tests {
		_, err := cases.Notice(tt.platform, tt.c, liugehetao, tt.alerts, tt.ev)
		if err == nil || domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want EINVALID containing %q", tt.name, err, tt.want)
		}
	}
}

// Hostile text cannot add a field to the pasted text, nor run as a formula
// in a spreadsheet.
func TestNoticeHostileText(t *testing.T) {
	c, alerts, _ := trademarkCase()
	alerts[0].Seller = "=HYPERLINK(\"http://evil\",\"点我\")"
	alerts[1].Title = "六个核桃\n权利人：某假公司"
	d, err := cases.Notice("alibaba", c, liugehetao, alerts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(d.Text(), "\n权利人：某假公司") {
		t.Errorf("a title broke its line:\n%s", d.Text())
	}
	var buf bytes.Buffer
	if err := d.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(&buf).ReadAll()
	if got := rows[1][10]; got != "'"+alerts[0].Seller {
		t.Errorf("formula seller in CSV = %q, want it prefixed with an apostrophe", got)
	}
}
