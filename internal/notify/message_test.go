package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

const testBase = "https://markwatch.example.cn"

func testAlert(id int64, mark, title string, score float64) domain.Alert {
	return domain.Alert{
		ID: id, MarkID: mark, Title: title, Seller: "衡水特产店", Location: "河北 衡水", Score: score,
		URL:     "https://item.taobao.com/item.htm?id=" + strings.Repeat("7", 6),
		Reasons: []domain.Reason{{Tactic: "shape", Text: "形近: 核桃→核桄"}, {Tactic: "context", Text: "同款"}},
		Status:  domain.AlertOpen,
	}
}

func markNames(id string) string {
	return map[string]string{"liugehetao": "六个核桃", "hengshui": "衡水老白干", "quanjude": "全聚德"}[id]
}

func alertItem(a domain.Alert) Item {
	return Item{Event: domain.EventAlert, Alert: a, MarkName: markNames(a.MarkID)}
}

func TestMessageDigestGroupedByMark(t *testing.T) {
	items := []Item{
		alertItem(testAlert(3, "hengshui", "衡水老白汗 67度 500ml", 0.71)),
		alertItem(testAlert(1, "liugehetao", "六个核桄 核桃乳 240ml*20", 0.83)),
		alertItem(testAlert(2, "liugehetao", "6个核桃 精品型 礼盒", 0.91)),
		{Event: domain.EventStatus, Alert: testAlert(9, "quanjude", "全聚徳 烤鸭 真空装", 0.88), MarkName: "全聚德",
			Status: domain.AlertConfirmed, Previous: domain.AlertOpen, Actor: "王监管", Note: "已移交北京市市场监管局 <b>加急</b>"},
	}
	sub := domain.Subscription{ID: 7, Name: "品牌保护 每日汇总", Mode: domain.DeliverDaily}
	m := NewMessage("mw-digest-s7-1", sub, domain.User{ID: 1}, items, true, testBase+"/", testBase+"/unsubscribe?token=x")
	if want := "【markwatch】六个核桃 等 3 个商标有 3 条新的疑似侵权告警、1 条状态变更"; m.Subject != want {
		t.Errorf("Subject = %q, want %q", m.Subject, want)
	}
	// 六个核桃 has the most items and comes first; within it the higher score.
	order := []string{"【六个核桃】2 条", "6个核桃 精品型", "六个核桄 核桃乳", "【全聚德】1 条", "【衡水老白干】1 条"}
	last := -1
	for _, s := range order {
		i := strings.Index(m.Text, s)
		if i < 0 || i < last {
			t.Fatalf("text lacks %q after the previous part:\n%s", s, m.Text)
		}
		last = i
	}
	for _, want := range []string{
		"卖家：衡水特产店 · 所在地：河北 衡水 · 评分：0.91", "依据：形近: 核桃→核桄；同款",
		"查看：" + testBase + "/alerts/2", "王监管 确认了告警（待处理 → 已确认）", "备注：已移交北京市市场监管局",
		"订阅「品牌保护 每日汇总」", "退订：" + testBase + "/unsubscribe?token=x",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	if !strings.Contains(m.HTML, `href="`+testBase+`/alerts/9"`) || strings.Contains(m.HTML, "<b>加急") || !strings.Contains(m.HTML, "&lt;b&gt;加急") {
		t.Errorf("HTML does not link the alert or does not escape the note:\n%s", m.HTML)
	}
}

func TestMessageSubjects(t *testing.T) {
	one := alertItem(testAlert(1, "liugehetao", "六个核桄 核桃乳\n240ml "+strings.Repeat("特价", 30), 0.83))
	review := Item{Event: domain.EventStatus, Alert: testAlert(12, "hengshui", "衡水老白汗", 0.7), MarkName: "衡水老白干",
		Status: domain.AlertDismissed, Actor: "李监管"}
	reopen := review
	reopen.Status = domain.AlertOpen
	tests := []struct {
		items  []Item
		digest bool
		want   string
	}{
		{[]Item{one}, false, "【markwatch】六个核桃 新的疑似侵权告警：六个核桄 核桃乳 240ml 特价特价特价特价特价特价特价特价特价特价特价特价特…"},
		{[]Item{one}, true, "【markwatch】六个核桃 有 1 条新的疑似侵权告警"},
		{[]Item{review}, false, "【markwatch】李监管 驳回了疑似侵权告警 #12（衡水老白干）"},
		{[]Item{reopen}, false, "【markwatch】李监管 重新打开了疑似侵权告警 #12（衡水老白干）"},
		{[]Item{review, review}, true, "【markwatch】衡水老白干 有 2 条疑似侵权告警状态变更"},
	}
	for _, tt := range tests {
		if got := NewMessage("k", domain.Subscription{}, domain.User{}, tt.items, tt.digest, testBase, "").Subject; got != tt.want {
			t.Errorf("Subject = %q, want %q", got, tt.want)
		}
	}
}

func TestMessageMarkdownBudget(t *testing.T) {
	var items []Item
	for i := range 200 {
		items = append(items, alertItem(testAlert(int64(i+1), "liugehetao", strings.Repeat("六个核桃 高仿 ", 5), 0.8)))
	}
	m := NewMessage("k", domain.Subscription{}, domain.User{}, items, true, testBase, "")
	title, text := messageMarkdown(m)
	if len(text) > chatBudget || !strings.Contains(text, "…另有 ") || !strings.Contains(title, "疑似侵权") {
		t.Errorf("markdown %d bytes (budget %d), title %q:\n%s", len(text), chatBudget, title, text)
	}
	if !strings.Contains(text, "]("+testBase+"/alerts/1)") {
		t.Errorf("markdown does not link into the console:\n%s", text)
	}
}

func TestSinceText(t *testing.T) {
	if got := sinceText(time.Date(2026, 12, 1, 16, 30, 0, 0, time.UTC)); got != "2026-12-02 00:30 (UTC+8)" {
		t.Errorf("sinceText = %q", got)
	}
}
