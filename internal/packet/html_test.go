package packet

import (
	"reflect"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestHighlight(t *testing.T) {
	r := func(start, end int, text string) domain.Reason {
		return domain.Reason{Text: text, Start: start, End: end}
	}
	tests := []struct {
		title   string
		reasons []domain.Reason
		want    []segment
	}{
		{"六个核桃", nil, []segment{{Text: "六个核桃"}}},
		{"", []domain.Reason{r(0, 1, "x")}, nil},
		{"六个核桃 核桃乳", []domain.Reason{r(0, 4, "同名")}, []segment{{"六个核桃", true, "同名"}, {Text: " 核桃乳"}}},
		{"买六个核桄", []domain.Reason{r(1, 5, "近似"), r(4, 5, "形近: 桃→桄")},
			[]segment{{Text: "买"}, {"六个核", true, "近似"}, {"桄", true, "近似；形近: 桃→桄"}}},
		{"ab", []domain.Reason{r(-1, -1, "所在地"), r(1, 1, "空"), r(2, 1, "反"), r(0, 3, "越界")}, []segment{{Text: "ab"}}},
		{"六個核桃高仿", []domain.Reason{r(0, 4, "繁体"), r(4, 6, "假冒用语")}, []segment{{"六個核桃", true, "繁体"}, {"高仿", true, "假冒用语"}}},
		{"😀六个核桃", []domain.Reason{r(1, 5, "同名")}, []segment{{Text: "😀"}, {"六个核桃", true, "同名"}}}, // rune, not byte, offsets
	}
	for _, tt := range tests {
		if got := highlight(tt.title, tt.reasons); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("highlight(%q) = %+v, want %+v", tt.title, got, tt.want)
		}
	}
}

func TestRenderHTMLContent(t *testing.T) {
	d, b := demo(t)
	out, err := RenderHTML(d)
	if err != nil {
		t.Fatal(err)
	}
	html := string(out)
	var shotSHA string
	for sha, data := range b {
		if string(data[:4]) == "\x89PNG" {
			shotSHA = sha
		}
	}
	for _, w := range []string{
		"<title>案件材料 MW-2026-0001</title>", "案件编号", "MW-2026-0001", "河北养元智汇饮品股份有限公司", "第 32 类", "注册商标（驰名商标",
		"某某食品专营店", "河北 石家庄", "河北 保定", "¥39.90", "¥49.90", "2026-11-03 10:15:30（北京时间）", "调查中",
		`<mark title="同名: 六个核桃">六个核桃</mark>`, `<mark title="假冒用语: 高仿">高仿</mark>`, "驰名商标: 商品类别之外",
		`src="data:image/png;base64,iVBORw0KGgo`, "版本记录", "价格", // version 2 changed the price
		"101-search_page-", "101-detail_page-", ".html", "101-image-", ".jpg", "102-screenshot-" + shotSHA[:8] + ".png", "102-snapshot-", ".mhtml",
		shotSHA, strings.Repeat("a1", 32), "140.205.94.189:443", "2026-11-03T02:15:30.123456789Z",
		"如何核验", "unzip MW-2026-0001.zip -d MW-2026-0001\ncd MW-2026-0001", "sha256sum -c SHA256SUMS", "openssl ts -verify -data head-1.txt -in head-1.tsr -CAfile tsa-ca.pem",
		"openssl ts -reply -in head-1.tsr -text", "markwatch evidence verify 11\nmarkwatch evidence verify 12",
		"markwatch packet test TSA", "SHA-256", "#1（2 条） 已加盖时间戳", "#2（3 条）", "尚未加盖",
		"https://markwatch.example.gov.cn/alerts/11/evidence", "https://markwatch.example.gov.cn/cases/1",
		`content="default-src 'none'; img-src data:;`, // no resource from outside
	} {
		if !strings.Contains(html, w) {
			t.Errorf("packet HTML lacks %q", w)
		}
	}
	// Head 2 has no token: no command for it.
	if strings.Contains(html, "head-2.tsr") {
		t.Error("packet HTML offers to verify head 2, which has no token")
	}
	// Version history in version order.
	if i, j := strings.Index(html, "¥49.90</td>"), strings.Index(html, "¥39.90</td><td>某某"); i < 0 || j < 0 || i > j {
		t.Errorf("version history out of order (%d, %d)", i, j)
	}
}

func TestRenderHTMLEscapes(t *testing.T) {
	d, _ := demo(t)
	hostile := "<script>alert(1)</script>"
	a := &d.Items[0].Alert
	a.Title = hostile + "六个核桃"
	a.Reasons = []domain.Reason{{Tactic: "exact", Text: `同名" onmouseover="alert(2)`, Start: 25, End: 29}, {Text: hostile, Start: 0, End: 8}}
	a.Seller = `<img src=x onerror=alert(3)>某某食品专营店`
	a.Location = "</td><script>alert(4)</script>"
	a.URL = "javascript:alert(5)"
	a.SourceID = "<b>taobao</b>"
	d.Items[0].Versions[0].Title = hostile
	d.Items[0].Captures[0].Fetch.UserAgent = "</pre>" + hostile
	d.Case.Notes = hostile
	d.Case.Number = `MW-2026-0001"><script>alert(6)</script>`
	d.Mark.Owner = hostile
	d.GeneratedBy = hostile
	d.BaseURL = "javascript:alert(7)//"
	out, err := RenderHTML(d)
	if err != nil {
		t.Fatal(err)
	}
	html := string(out)
	if !strings.Contains(html, "unzip MW-2026-0001scriptalert6script.zip") {
		t.Error("a hostile case number reached the shell commands")
	}
	for _, bad := range []string{"<script>", "<img src=x", `onmouseover="alert`, `href="javascript:`, "<b>taobao", "javascript:alert(7)//alerts"} {
		if strings.Contains(html, bad) {
			i := strings.Index(html, bad)
			t.Errorf("hostile text reached the HTML unescaped: %q in …%s…", bad, html[max(0, i-80):min(len(html), i+80)])
		}
	}
	for _, w := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", `<mark title="同名&#34; onmouseover=&#34;alert(2)">六个核桃</mark>`,
		"&lt;img src=x onerror=alert(3)&gt;某某食品专营店", `<td class="url">javascript:alert(5)</td>`} {
		if !strings.Contains(html, w) {
			t.Errorf("packet HTML lacks the escaped %q", w)
		}
	}
}

func TestRenderHTMLRefusesNonPNGScreenshot(t *testing.T) {
	d, _ := demo(t)
	d.Items[1].Screenshot = []byte("<svg onload=alert(1)>")
	_, err := RenderHTML(d)
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "alert 12") {
		t.Fatalf("err = %v, want EINVALID naming alert 12", err)
	}
}

func BenchmarkRenderHTML(b *testing.B) {
	d, _ := demo(b)
	// A case of 20 listings, each with a screenshot.
	base := d.Items[0]
	d.Items = nil
	for i := range 20 {
		it := base
		it.Alert.ID = int64(100 + i)
		d.Items = append(d.Items, it)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RenderHTML(d); err != nil {
			b.Fatal(err)
		}
	}
}
