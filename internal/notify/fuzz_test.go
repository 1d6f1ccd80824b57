package notify

import (
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
