package web

import (
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// Hostile seller names and notes, from marketplaces and from users, reach
// every page escaped.
func TestHostileTextIsEscapedEverywhere(t *testing.T) {
	const seller = `某某食品专营店<script>alert("店")</script>`
	h := newHarness(t, nil)
	h.store.mu.Lock()
	h.store.alerts = append(h.store.alerts, domain.Alert{ID: 5, MarkID: "liugehetao", Title: "六个核桃 核桃露 礼盒", Seller: seller,
		Location: "河北 石家庄", Score: 0.91, Status: domain.AlertOpen, FirstSeen: day2, LastSeen: day2})
	h.store.mu.Unlock()
	h.audit.mu.Lock()
	h.audit.entries = append(h.audit.entries, domain.AuditEntry{ID: 9, At: day2, Actor: domain.Actor{Name: `<script>x</script>`},
		Action: domain.AuditSellerClaim, Object: "claim:9", MarkID: "liugehetao", Note: seller})
	h.audit.mu.Unlock()
	h.sell.mu.Lock()
	h.sell.claims = append(h.sell.claims, domain.SellerClaim{ID: 9, MarkID: "liugehetao", Seller: seller, Note: `"><script>alert(1)</script>`,
		Status: domain.ClaimPending, ClaimedBy: ownerA.Actor(), CreatedAt: day2})
	h.sell.mu.Unlock()
	escaped := `某某食品专营店&lt;script&gt;alert(&#34;店&#34;)&lt;/script&gt;`
	tests := []struct {
		path string
		want []string
	}{
		{"/", []string{escaped, "河北 石家庄"}},
		{"/alerts/5", []string{escaped}},
		{"/audit", []string{escaped, "&lt;script&gt;x&lt;/script&gt;"}},
		{"/sellers", []string{escaped, "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"}},
	}
	for _, who := range pagesOf {
		h.signIn(who.who)
		for _, tt := range tests {
			_, body := h.get(t, tt.path)
			if strings.Contains(body, "<script>") {
				t.Errorf("%s GET %s: hostile markup reached the page", who.who.User.Name, tt.path)
			}
			if who.who == admin {
				for _, w := range tt.want {
					if !strings.Contains(body, w) {
						t.Errorf("GET %s lacks the escaped %q", tt.path, w)
					}
				}
			}
		}
	}
}
