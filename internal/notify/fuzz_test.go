package notify

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// FuzzMessageMarkdown: whatever a listing's title, a mark's name or a
// reviewer's note holds, the robots' markdown stays within their size
// limit, is valid UTF-8 when its input is, keeps one line per item, and
// keeps every item either listed or counted.
func FuzzMessageMarkdown(f *testing.F) {
	f.Add("六个核桃 [高仿] 核桃乳", "六个核桃", "已移交", 3)
	f.Add(strings.Repeat("老白干", 2000), "", "", 1)
	f.Add("](javascript:alert(1))", "[", ")", 40)
	f.Add("标题\n- 第二行", "店\r\n", "\t\n- 备注", 2)
	f.Add("\xff\xfe", "**", strings.Repeat("备注", 1000), 7)
	f.Fuzz(func(t *testing.T, title, markName, note string, n int) {
		n = 1 + int(uint(n)%60)
		items := make([]Item, n)
		for i := range items {
			a := domain.Alert{ID: int64(i + 1), MarkID: "mark-" + strconv.Itoa(i%3), Title: title, Score: 0.8}
			items[i] = Item{Event: domain.EventAlert, Alert: a}
			if i%3 == 0 {
				items[i].MarkName = markName
			}
			if i%2 == 1 {
				items[i].Event, items[i].Status, items[i].Note = domain.EventStatus, domain.AlertConfirmed, note
			}
		}
		// The subject as NewMessage makes it, without rendering text and
		// HTML: FuzzNewMessage covers those.
		m := Message{Items: items, Digest: n > 1, BaseURL: "https://mw.example.cn", Subject: subject(GroupByMark(items), n > 1)}
		_, text := messageMarkdown(m)
		if len(text) > chatBudget {
			t.Fatalf("message is %d bytes, over %d", len(text), chatBudget)
		}
		valid := utf8.ValidString(title) && utf8.ValidString(markName) && utf8.ValidString(note)
		if valid && !utf8.ValidString(text) {
			t.Fatal("message is not valid UTF-8")
		}
		listed := strings.Count(text, "\n- ")
		switch {
		case listed > n:
			t.Fatalf("%d lines listed for %d items: an input started a line of its own", listed, n)
		case listed < n && !strings.HasSuffix(text, "…另有 "+strconv.Itoa(n-listed)+" 条，请在控制台查看"):
			t.Fatalf("%d of %d items listed and the rest not counted", listed, n)
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
