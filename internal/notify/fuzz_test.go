package notify

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// FuzzChatMarkdown: whatever a listing's title, seller or URL holds, the
// chat message stays within the robots' size limit, is valid UTF-8 when its
// input is, and keeps every alert either listed or counted.
func FuzzChatMarkdown(f *testing.F) {
	f.Add("六个核桃 [高仿] 核桃乳", "衡水特产店", "河北 衡水", "http://m.test/item?id=(1)", 3)
	f.Add(strings.Repeat("老白干", 2000), "", "", "", 1)
	f.Add("](javascript:alert(1))", "[", ")", "http://x/ y", 40)
	f.Add("标题\n- 第二行", "店\r\n", "\t", "http://m.test/a\n- b", 2)
	f.Fuzz(func(t *testing.T, title, seller, location, url string, n int) {
		n = 1 + int(uint(n)%60)
		alerts := make([]domain.Alert, n)
		for i := range alerts {
			alerts[i] = domain.Alert{MarkID: "liugehetao", Title: title, Seller: seller, Location: location, URL: url}
		}
		_, text := chatMarkdown(alerts, nil)
		if len(text) > chatBudget {
			t.Fatalf("message is %d bytes, over %d", len(text), chatBudget)
		}
		valid := utf8.ValidString(title) && utf8.ValidString(seller) && utf8.ValidString(location) && utf8.ValidString(url)
		if valid && !utf8.ValidString(text) {
			t.Fatal("message is not valid UTF-8")
		}
		listed := strings.Count(text, "\n- ")
		if listed != n && !strings.Contains(text, "另有 ") {
			t.Fatalf("%d of %d alerts listed and the rest not counted", listed, n)
		}
	})
}

// FuzzNewMessage: whatever a listing or a reviewer's note holds, the HTML
// part carries none of it as markup, the subject stays one line, and the
// robots' markdown stays within budget.
func FuzzNewMessage(f *testing.F) {
	f.Add("六个核桃 <script>alert(1)</script>", "卖家\r\nBcc: x@y", "已移交 <b>", 5)
	f.Add(strings.Repeat("衡水老白干", 500), "", "", 60)
	f.Add("](javascript:1)", "[", "\x00", 1)
	f.Fuzz(func(t *testing.T, title, seller, note string, n int) {
		n = 1 + int(uint(n)%60)
		items := make([]Item, n)
		for i := range items {
			a := domain.Alert{ID: int64(i + 1), MarkID: "liugehetao", Title: title, Seller: seller, Score: 0.8}
			items[i] = Item{Event: domain.EventStatus, Alert: a, MarkName: "六个核桃", Status: domain.AlertConfirmed, Actor: seller, Note: note}
		}
		build := func(title, seller, note string) Message {
			its := slices.Clone(items)
			for i := range its {
				its[i].Alert.Title, its[i].Alert.Seller, its[i].Actor, its[i].Note = title, seller, seller, note
			}
			return NewMessage("k", domain.Subscription{Name: title}, domain.User{}, its, n > 1, "https://mw.example.cn", "")
		}
		m := build(title, seller, note)
		// The same message from inputs with brackets turned to letters has
		// as many tags: the inputs' brackets were all escaped.
		strip := strings.NewReplacer("<", "x", ">", "x")
		plain := build(strip.Replace(title), strip.Replace(seller), strip.Replace(note))
		if a, b := strings.Count(m.HTML, "<"), strings.Count(plain.HTML, "<"); a != b {
			t.Fatalf("HTML has %d tags, %d without the inputs' brackets: markup got through", a, b)
		}
		if strings.ContainsAny(m.Subject, "\r\n") {
			t.Fatalf("subject %q spans lines", m.Subject)
		}
		if _, text := messageMarkdown(m); len(text) > chatBudget {
			t.Fatalf("markdown is %d bytes, over %d", len(text), chatBudget)
		}
	})
}
