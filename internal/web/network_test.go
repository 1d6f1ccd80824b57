package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// A network of three shops on three platforms: the Taobao and Pinduoduo
// shops give the same mobile number, the Pinduoduo shop and the 1688
// wholesaler the same WeChat id. Four alerts, two of them confirmed; the
// newest is outside 河北 石家庄.
var (
	netPhone  = domain.Contact{Kind: domain.ContactPhone, Value: "13812345678"}
	netWeChat = domain.Contact{Kind: domain.ContactWeChat, Value: "xinwang888"}
	netStart  = time.Date(2026, 9, 3, 2, 0, 0, 0, time.UTC) // 10:00 in Beijing
)

func testNetwork() domain.SellerNetwork {
	at := func(days int) time.Time { return netStart.Add(time.Duration(days) * 24 * time.Hour) }
	return domain.SellerNetwork{
		ID: 9,
		Sellers: []domain.Seller{
			{ID: 21, NetworkID: 9, Platform: "taobao", Name: "鑫旺食品专营店", Location: "河北 石家庄",
				Contacts: []domain.Contact{netPhone}, Listings: 14, Alerts: 2, Confirmed: 1, FirstSeen: at(0), LastSeen: at(60)},
			{ID: 22, NetworkID: 9, Platform: "pinduoduo", Name: "鑫旺副食批发", Location: "河北 石家庄",
				Contacts: []domain.Contact{netPhone, netWeChat}, Listings: 6, Alerts: 1, Confirmed: 1, FirstSeen: at(20), LastSeen: at(61)},
			{ID: 23, NetworkID: 9, Platform: "1688", Name: "汕头市鑫旺贸易有限公司", Location: "广东 汕头",
				Contacts: []domain.Contact{netWeChat}, Listings: 31, Alerts: 1, FirstSeen: at(45), LastSeen: at(62)},
		},
		Links: []domain.SellerLink{{From: 21, To: 22, Contact: netPhone}, {From: 22, To: 23, Contact: netWeChat}},
		Alerts: []domain.Alert{
			{ID: 104, MarkID: "liugehetao", SourceID: "1688", URL: "https://detail.1688.com/offer/104.html", Title: "六个核桃 核桃乳 240ml*20罐 批发",
				Seller: "汕头市鑫旺贸易有限公司", SellerID: 23, Location: "广东 汕头", Score: 0.97, Status: domain.AlertOpen,
				Reasons: []domain.Reason{{Tactic: "exact", Text: "名称相同", Start: 0, End: 4},
					{Tactic: "price", Text: "价格异常: ¥9.90 (20罐, ¥0.50/罐), 正品 ¥2.40–3.50/罐", Start: -1, End: -1},
					{Tactic: "seller", Text: "卖家网络已确认侵权 2 起 (微信 xinwang888 与 鑫旺副食批发)", Start: -1, End: -1}},
				FirstSeen: at(62), LastSeen: at(62)},
			{ID: 103, MarkID: "hengshui-laobaigan", SourceID: "pinduoduo", URL: "https://mobile.yangkeduo.com/goods.html?goods_id=103",
				Title: "衡水老白乾 52度 500ml*6瓶 整箱", Seller: "鑫旺副食批发", SellerID: 22, Location: "河北 石家庄", Score: 0.9,
				Reasons: []domain.Reason{{Tactic: "script", Text: "繁体: 乾→干", Start: 4, End: 5}, {Tactic: "image", Text: "图片近似: 参考图 images/laobaigan.png, 相差 4/64 位", Start: -1, End: -1}},
				Status:  domain.AlertConfirmed, FirstSeen: at(50), LastSeen: at(61)},
			{ID: 102, MarkID: "liugehetao", SourceID: "taobao", URL: "https://item.taobao.com/item.htm?id=102", Title: "六個核桃 核桃乳 240ml*12罐",
				Seller: "鑫旺食品专营店", SellerID: 21, Location: "河北 石家庄", Score: 0.93, Status: domain.AlertConfirmed,
				Reasons:   []domain.Reason{{Tactic: "script", Text: "繁体: 個→个", Start: 1, End: 2}},
				FirstSeen: at(30), LastSeen: at(60)},
			{ID: 101, MarkID: "liugehetao", SourceID: "taobao", URL: "https://item.taobao.com/item.htm?id=101", Title: "六个核桃味 植物蛋白饮料",
				Seller: "鑫旺食品专营店", SellerID: 21, Location: "河北 石家庄", Score: 0.72, Status: domain.AlertDismissed,
				FirstSeen: at(2), LastSeen: at(10)},
		},
	}
}

// fakeNetworks answers its network for any of its sellers, filtering the
// alerts by scope as the store does, and records what it was asked.
type fakeNetworks struct {
	mu     sync.Mutex
	net    domain.SellerNetwork
	err    error
	leak   bool // ignore the scope, as a buggy query would
	asked  []int64
	scopes []domain.Scope
}

func (f *fakeNetworks) SellerNetwork(_ context.Context, id int64, scope domain.Scope) (domain.SellerNetwork, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, id)
	f.scopes = append(f.scopes, scope)
	if f.err != nil {
		return domain.SellerNetwork{}, f.err
	}
	if !slices.ContainsFunc(f.net.Sellers, func(s domain.Seller) bool { return s.ID == id }) {
		return domain.SellerNetwork{}, domain.Errorf(domain.ENOTFOUND, "no seller row %d", id)
	}
	n := f.net
	n.Alerts = slices.DeleteFunc(slices.Clone(n.Alerts), func(a domain.Alert) bool { return !f.leak && !scope.Allows(a.MarkID, a.Location) })
	return n, nil
}

func (f *fakeNetworks) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.asked)
}

func networkHarness(t *testing.T, nets *fakeNetworks) *harness {
	t.Helper()
	return newHarness(t, func(d *Deps) { d.Networks = nets })
}

func TestSellerNetworkPage(t *testing.T) {
	nets := &fakeNetworks{net: testNetwork()}
	h := networkHarness(t, nets)
	h.signIn(supervisor(""))
	resp, body := h.get(t, "/sellers/21")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	for _, want := range []string{
		"<title>卖家网络 鑫旺食品专营店 · markwatch</title>",
		"Seller network · #9 · 鑫旺食品专营店（淘宝）",
		"共 3 家店铺 shops · 4 条告警 alerts · 其中 2 条已确认侵权 confirmed",
		// the shops, the asked one marked
		`<tr class="current">`, "当前 this seller",
		`<td>淘宝 <span class="code">taobao</span></td>`, `<td>拼多多 <span class="code">pinduoduo</span></td>`, "<td>1688</td>",
		"汕头市鑫旺贸易有限公司", "<td>广东 汕头</td>",
		`<td class="time">2026-09-03 10:00:00 &#43;08:00<div class="sub">2026-11-02 10:00:00 &#43;08:00</div></td>`,
		`<td class="num">14</td>`, `<td class="num">31</td>`,
		// the contacts that link them, with the shops that give each
		`<td>电话 <span class="code">phone</span></td>`, `<td class="code">13812345678</td>`, "鑫旺食品专营店（淘宝）、鑫旺副食批发（拼多多）",
		`<td>微信 <span class="code">wechat</span></td>`, `<td class="code">xinwang888</td>`, "鑫旺副食批发（拼多多）、汕头市鑫旺贸易有限公司（1688）",
		// the history, each alert linking to its review page
		`<a href="/alerts/104">#104</a>`, `<a href="/alerts/103">#103</a>`, `<a href="/alerts/102">#102</a>`, `<a href="/alerts/101">#101</a>`,
		"<td>名称相同、价格异常、卖家网络</td>", "<td>繁体/异体、图片近似</td>",
		`<a href="/alerts/102">六<mark title="繁体: 個→个">個</mark>核桃 核桃乳 240ml*12罐</a>`,
		"六个核桃", "衡水老白干", "中华老字号", "已确认侵权", "已驳回", "待审核",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Newest first, as the store gave them.
	if i, j := strings.Index(body, `"/alerts/104"`), strings.Index(body, `"/alerts/101"`); i < 0 || j < i {
		t.Error("the history is not newest first")
	}
	// Reviews are made on each alert's page, not here.
	if strings.Contains(body, `action="/alerts/`) || strings.Contains(body, `action="/cases"`) {
		t.Error("the network page carries review or case forms")
	}
	if got := nets.asked; !slices.Equal(got, []int64{21}) {
		t.Errorf("store asked for %v", got)
	}
}

// Supervisors and admins see the same full contacts (see sellerNetwork
// for why); the reasons keep the matcher's masked form.
func TestSellerNetworkContactsAreFullForEveryReader(t *testing.T) {
	for _, who := range []*access.Principal{admin, supervisor("")} {
		h := networkHarness(t, &fakeNetworks{net: testNetwork()})
		h.signIn(who)
		_, body := h.get(t, "/sellers/23")
		if !strings.Contains(body, `<td class="code">13812345678</td>`) || strings.Contains(body, "138****5678") {
			t.Errorf("%s: phone not shown in full", who.User.Name)
		}
		if !strings.Contains(body, `<tr class="current">`+"\n        <td>1688</td>") {
			t.Errorf("%s: the 1688 shop is not the current row", who.User.Name)
		}
	}
}

// A supervisor of 河北 石家庄 reads the whole network but only the alerts
// inside the jurisdiction; a store that forgets the scope leaks nothing.
func TestSellerNetworkPageKeepsTheScope(t *testing.T) {
	for _, leak := range []bool{false, true} {
		nets := &fakeNetworks{net: testNetwork(), leak: leak}
		h := networkHarness(t, nets)
		h.signIn(supervisor("河北 石家庄"))
		resp, body := h.get(t, "/sellers/22")
		if resp.StatusCode != 200 {
			t.Fatalf("leak=%t: status %d", leak, resp.StatusCode)
		}
		if strings.Contains(body, "/alerts/104") || strings.Contains(body, "240ml*20罐") {
			t.Errorf("leak=%t: the alert outside the jurisdiction reached the page", leak)
		}
		if !strings.Contains(body, "3 条告警 alerts · 其中 2 条已确认侵权") || !strings.Contains(body, "汕头市鑫旺贸易有限公司（1688）") {
			t.Errorf("leak=%t: want the three alerts inside and every shop", leak)
		}
		if s := nets.scopes[0]; s.Jurisdiction != "河北 石家庄" {
			t.Errorf("store asked with scope %+v", s)
		}
		logged := h.logs.FilterMessage("store returned an alert outside the scope; left out of the seller network").Len()
		if want := map[bool]int{false: 0, true: 1}[leak]; logged != want {
			t.Errorf("leak=%t: %d error lines, want %d", leak, logged, want)
		}
	}
}

func TestSellerNetworkPageEscapesHostileText(t *testing.T) {
	n := testNetwork()
	n.Sellers[0].Name = `<script>alert("店")</script>鑫旺`
	n.Sellers[1].Location = `"><img src=x onerror=alert(1)>`
	n.Sellers[2].Platform = `<b>1688</b>`
	n.Links[1].Contact.Value = `</td><script>steal()</script>`
	n.Alerts[3].Title = `<script>alert("标题")</script>六个核桃`
	n.Alerts[0].Seller = `<script>x</script>`
	h := networkHarness(t, &fakeNetworks{net: n})
	h.signIn(supervisor(""))
	resp, body := h.get(t, "/sellers/21")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, "<img") || strings.Contains(body, "<b>1688") {
		t.Fatalf("hostile markup reached the page:\n%s", body)
	}
	for _, want := range []string{
		"<title>卖家网络 &lt;script&gt;alert(&#34;店&#34;)&lt;/script&gt;鑫旺 · markwatch</title>",
		"&lt;script&gt;alert(&#34;店&#34;)&lt;/script&gt;鑫旺（淘宝）、鑫旺副食批发（拼多多）",
		"&#34;&gt;&lt;img src=x onerror=alert(1)&gt;",
		"&lt;b&gt;1688&lt;/b&gt;",
		"&lt;/td&gt;&lt;script&gt;steal()&lt;/script&gt;",
		"&lt;script&gt;alert(&#34;标题&#34;)&lt;/script&gt;",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks the escaped %q", want)
		}
	}
}

func TestSellerNetworkPageErrors(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		err    error
		status int
		says   string
		logs   int
	}{
		{"unknown seller", "/sellers/99", nil, 404, "没有这个卖家", 0},
		{"not a number", "/sellers/鑫旺", nil, 400, "positive whole number", 0},
		{"zero", "/sellers/0", nil, 400, "positive whole number", 0},
		{"negative", "/sellers/-21", nil, 400, "positive whole number", 0},
		{"store busy", "/sellers/21", domain.Errorf(domain.EUNAVAILABLE, "database is locked"), 503, "database is locked", 1},
		{"store broken", "/sellers/21", domain.Errorf(domain.EINTERNAL, "no such table: sellers"), 500, "详情见服务器日志", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := networkHarness(t, &fakeNetworks{net: testNetwork(), err: tt.err})
			h.signIn(supervisor(""))
			resp, body := h.get(t, tt.path)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.says) {
				t.Errorf("GET %s: %d, want %d saying %q", tt.path, resp.StatusCode, tt.status, tt.says)
			}
			if strings.Contains(body, "no such table") || strings.Contains(body, "no seller row") {
				t.Error("the store's own words reached the page")
			}
			if h.logs.Len() != tt.logs {
				t.Errorf("%d log lines, want %d", h.logs.Len(), tt.logs)
			}
		})
	}
}

// Owners and operators are refused, nobody signed in is sent to sign in,
// and none of them reaches the store: by the Guard, and by the handler
// itself when the console is mounted without one.
func TestSellerNetworkPageRefusals(t *testing.T) {
	nets := &fakeNetworks{net: testNetwork()}
	h := networkHarness(t, nets)
	plain := New(Deps{Alerts: h.store, Networks: nets}, nil)
	tests := []struct {
		name   string
		who    *access.Principal
		status int
	}{
		{"owner of a mark in the network", ownerA, 403},
		{"owner of another mark in it", ownerB, 403},
		{"operator", operator, 403},
		{"anonymous", nil, 303},
	}
	for _, tt := range tests {
		h.signIn(tt.who)
		resp, body := h.get(t, "/sellers/21")
		if resp.StatusCode != tt.status || strings.Contains(body, "鑫旺") {
			t.Errorf("%s behind the guard: %d, want %d without the network", tt.name, resp.StatusCode, tt.status)
		}
		req, _ := http.NewRequest("GET", "/sellers/21", nil)
		if tt.who != nil {
			req = req.WithContext(access.WithPrincipal(req.Context(), *tt.who))
		}
		rec := newRecorder()
		plain.ServeHTTP(rec, req)
		if rec.Code != tt.status || strings.Contains(rec.Body.String(), "鑫旺") {
			t.Errorf("%s without the guard: %d, want %d without the network", tt.name, rec.Code, tt.status)
		}
		if tt.status == 303 && rec.Header().Get("Location") != "/login?next=%2Fsellers%2F21" {
			t.Errorf("anonymous sent to %q", rec.Header().Get("Location"))
		}
	}
	if nets.calls() != 0 {
		t.Errorf("the store was asked %d times for refused requests", nets.calls())
	}
}

// Another site cannot fetch the page with the supervisor's cookie (a
// script, an image, a frame); a link followed from another site (webmail)
// and the console's own requests open it.
func TestSellerNetworkPageRefusesOtherSites(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string]string
		status  int
	}{
		{"cross-site fetch", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty", "Origin": "https://evil.example"}, 403},
		{"same-site image", map[string]string{"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"}, 403},
		{"cross-site frame", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "iframe"}, 403},
		{"other Origin without fetch metadata", map[string]string{"Origin": "https://evil.example"}, 403},
		{"opaque Origin", map[string]string{"Origin": "null"}, 403},
		{"link followed from webmail", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document", "Sec-Fetch-User": "?1"}, 200},
		{"typed into the address bar", map[string]string{"Sec-Fetch-Site": "none", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}, 200},
		{"the console's own link", map[string]string{"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}, 200},
		{"no metadata (curl)", nil, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nets := &fakeNetworks{net: testNetwork()}
			h := networkHarness(t, nets)
			h.signIn(supervisor(""))
			req, err := http.NewRequest("GET", h.srv.URL+"/sellers/21", nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			resp, body := h.send(t, req)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status == 200 {
				return
			}
			if strings.Contains(body, "13812345678") || strings.Contains(body, "鑫旺") || nets.calls() != 0 {
				t.Error("a refused request read the network")
			}
			if !strings.Contains(body, "拒绝跨站请求") || h.logs.FilterMessage("console request refused").Len() != 1 {
				t.Error("the refusal is not the cross-site page, or not logged once")
			}
		})
	}
}

// The evidence page links the seller to its network for those who may
// read it, when the alert knows its seller and the page is served.
func TestEvidenceLinksTheSellerNetwork(t *testing.T) {
	withSeller := domain.Alert{ID: 7, MarkID: "liugehetao", SellerID: 22, URL: "https://mobile.yangkeduo.com/goods.html?goods_id=7",
		Title: "六个核桃 核桃乳 整箱", Seller: "鑫旺副食批发", Location: "河北 石家庄", Score: 0.95, Status: domain.AlertOpen,
		Reasons:   []domain.Reason{{Tactic: "seller", Text: "卖家网络已确认侵权 2 起 (电话 138****5678 与 鑫旺食品专营店)", Start: -1, End: -1}},
		FirstSeen: day2, LastSeen: day2}
	const link = `<a href="/sellers/22">鑫旺副食批发</a>`
	tests := []struct {
		name     string
		who      *access.Principal
		networks bool
		path     string
		linked   bool
	}{
		{"supervisor", supervisor(""), true, "/alerts/7", true},
		{"admin", admin, true, "/alerts/7", true},
		{"owner of the mark", ownerA, true, "/alerts/7", false},
		{"operator", operator, true, "/alerts/7", false},
		{"without the network page", supervisor(""), false, "/alerts/7", false},
		{"alert without a seller record", supervisor(""), true, "/alerts/1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(d *Deps) {
				if tt.networks {
					d.Networks = &fakeNetworks{net: testNetwork()}
				}
			})
			h.store.mu.Lock()
			h.store.alerts = append(h.store.alerts, withSeller)
			h.store.mu.Unlock()
			h.signIn(tt.who)
			resp, body := h.get(t, tt.path)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if got := strings.Contains(body, `href="/sellers/`); got != tt.linked {
				t.Errorf("seller linked %t, want %t", got, tt.linked)
			}
			if tt.linked && !strings.Contains(body, link) {
				t.Errorf("page lacks %s", link)
			}
			if tt.path == "/alerts/7" && !strings.Contains(body, "<td>卖家网络 <span class=\"code\">seller</span></td>") {
				t.Error("the seller reason has no Chinese label")
			}
		})
	}
}

func TestNewTacticLabels(t *testing.T) {
	tests := []struct{ tactic, want string }{
		{"price", "价格异常"},
		{"image", "图片近似"},
		{"seller", "卖家网络"},
		{"script", "繁体/异体"},
		{"someday", "someday"},
	}
	for _, tt := range tests {
		if got := tacticLabel(tt.tactic); got != tt.want {
			t.Errorf("tacticLabel(%q) = %q, want %q", tt.tactic, got, tt.want)
		}
	}
}

// A shop linked to no other, with no alert in the viewer's scope, says so
// rather than showing empty tables.
func TestSellerNetworkPageOfALoneShop(t *testing.T) {
	n := testNetwork()
	n.Sellers, n.Links = n.Sellers[2:], nil
	h := networkHarness(t, &fakeNetworks{net: n})
	h.signIn(supervisor("广东 深圳"))
	resp, body := h.get(t, "/sellers/23")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"共 1 家店铺 shops · 0 条告警 alerts", "该店铺尚未与其他店铺关联", "该网络尚无告警"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, `class="network-links"`) || strings.Contains(body, `<table class="alerts">`) {
		t.Error("empty tables shown")
	}
}

// Links name shops by name and platform; a shop the store did not list
// (a slip in its query) still shows, by id.
func TestSharedContactsGroupLinksByContact(t *testing.T) {
	names := map[int64]string{21: "鑫旺食品专营店（淘宝）", 22: "鑫旺副食批发（拼多多）"}
	links := []domain.SellerLink{
		{From: 21, To: 22, Contact: netPhone}, {From: 22, To: 30, Contact: netPhone}, {From: 21, To: 22, Contact: netWeChat},
	}
	got := sharedContacts(links, names)
	if len(got) != 2 {
		t.Fatalf("%d groups, want 2: %+v", len(got), got)
	}
	if got[0].Label != "电话" || !slices.Equal(got[0].Shops, []string{"鑫旺食品专营店（淘宝）", "鑫旺副食批发（拼多多）", "#30"}) {
		t.Errorf("phone group %+v", got[0])
	}
	if got[1].Label != "微信" || got[1].Value != "xinwang888" || len(got[1].Shops) != 2 {
		t.Errorf("wechat group %+v", got[1])
	}
}
