package web

import (
	"strings"
	"testing"
)

func TestEvidencePage(t *testing.T) {
	tests := []struct {
		name  string
		path  string
		shows []string
		hides []string
	}{
		{"trademark with price", "/alerts/1", []string{
			`<p class="evidence-title">六<mark title="繁体: 個→个">個</mark>核桃 <mark class="ctx" title="商品: 核桃乳">核桃乳</mark> 240ml*12罐</p>`,
			"繁体/异体", "script", "繁体: 個→个", "「個」", "第2字", "情境", "「核桃乳」", "第6–8字",
			`<a href="https://item.example.cn/1.html" rel="noopener noreferrer" target="_blank">https://item.example.cn/1.html</a>`,
			"某某食品专营店", "山东 临沂", "¥59.90", "demo",
			"2026-11-24 10:30:00 &#43;08:00", "2026-11-25 10:30:00 &#43;08:00",
			"六个核桃", "河北养元智汇饮品股份有限公司", "驰名商标", "第32类", "核桃乳、核桃露", "六个核桃官方旗舰店",
			"待审核", "确认侵权", "驳回", `name="back" value="/alerts/1"`,
			"打印时间 Printed 2026-11-26 00:05:00 &#43;08:00", "data-print",
		}, []string{"产地 Origin"}},
		{"time-honoured brand, two reasons, no hit", "/alerts/2", []string{
			"衡水老白<mark title=\"繁体: 乾→干\">乾</mark> <mark title=\"假冒用语: 高仿\">高仿</mark> 52度",
			"假冒用语", "「高仿」", "第7–8字", "中华老字号", "第33类", "已确认侵权", "重新打开",
		}, []string{"价格 Price", "驰名商标"}},
		{"geographical indication, reason without a span", "/alerts/3", []string{
			"赵县雪梨 新鲜水果 5斤", "产地不符", "产地不符: 山东 烟台", "<td>—</td>",
			"地理标志", "雪梨、梨", "赵县", "河北 石家庄",
		}, []string{"<mark"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			resp, body := h.get(t, tt.path)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			for _, s := range tt.shows {
				if !strings.Contains(body, s) {
					t.Errorf("evidence lacks %q", s)
				}
			}
			for _, s := range tt.hides {
				if strings.Contains(body, s) {
					t.Errorf("evidence shows %q", s)
				}
			}
		})
	}
}

func TestEvidenceEscapesUntrustedText(t *testing.T) {
	h := newHarness(t, nil)
	_, body := h.get(t, "/alerts/4")
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<b>坏</b>") {
		t.Fatalf("untrusted markup reached the evidence page:\n%s", body)
	}
	for _, want := range []string{
		`&lt;/script&gt;<mark title="名称相同 &#34;&lt;i&gt;&#34;">六个核桃</mark> &amp;`,
		"「六个核桃」", "第28–31字",
		`href="#ZgotmplZ"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("evidence lacks %q", want)
		}
	}
}

func TestEvidenceWithoutRegistryOrHits(t *testing.T) {
	h := newHarness(t, func(d *Deps) { d.Marks = nil; d.Hits = nil })
	resp, body := h.get(t, "/alerts/1")
	if resp.StatusCode != 200 || !strings.Contains(body, "not in the loaded registry") || strings.Contains(body, "价格") {
		t.Errorf("status %d; want the page without mark details or price:\n%s", resp.StatusCode, body)
	}
}

func TestEvidenceWhenThePriceCannotBeRead(t *testing.T) {
	h := newHarness(t, func(d *Deps) { d.Hits = fakeHits{err: errorString("sqlite: database is locked")} })
	resp, body := h.get(t, "/alerts/1")
	if resp.StatusCode != 200 || strings.Contains(body, "价格") || !strings.Contains(body, "六个核桃") {
		t.Errorf("status %d; want the page without the price", resp.StatusCode)
	}
	logged := h.logs.FilterMessage("evidence page without the price").All()
	if len(logged) != 1 {
		t.Fatalf("%d warnings, want 1", len(logged))
	}
	if msg, _ := logged[0].ContextMap()["error"].(string); !strings.Contains(msg, "getting hit 11 of alert 1") {
		t.Errorf("warning %q does not say what failed", msg)
	}
}

func TestEvidenceNotFoundAndBadID(t *testing.T) {
	tests := []struct {
		path   string
		status int
		says   string
	}{
		{"/alerts/99", 404, "没有这条告警"},
		{"/alerts/abc", 400, "positive whole number"},
		{"/alerts/-3", 400, "positive whole number"},
		{"/alerts/0", 400, "positive whole number"},
	}
	for _, tt := range tests {
		h := newHarness(t, nil)
		resp, body := h.get(t, tt.path)
		if resp.StatusCode != tt.status || !strings.Contains(body, tt.says) {
			t.Errorf("GET %s: %d, want %d saying %q", tt.path, resp.StatusCode, tt.status, tt.says)
		}
		if h.logs.Len() != 0 {
			t.Errorf("GET %s logged %d lines; a client's mistake is not the server's", tt.path, h.logs.Len())
		}
	}
}
