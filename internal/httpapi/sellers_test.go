package httpapi

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// A network of three shops on three platforms: the Taobao and Pinduoduo
// shops give the same mobile number, the Pinduoduo shop and the 1688
// wholesaler the same WeChat id. Four alerts, two confirmed; one of them
// outside 河北 石家庄.
var (
	netPhone  = domain.Contact{Kind: domain.ContactPhone, Value: "13812345678"}
	netWeChat = domain.Contact{Kind: domain.ContactWeChat, Value: "xinwang888"}
	netStart  = time.Date(2026, 9, 3, 6, 0, 0, 0, time.UTC)
)

func testNetwork() domain.SellerNetwork {
	at := func(days int) time.Time { return netStart.Add(time.Duration(days) * 24 * time.Hour) }
	return domain.SellerNetwork{
		ID: 9,
		Sellers: []domain.Seller{
			{ID: 21, NetworkID: 9, Platform: "taobao", Name: "鑫旺食品专营店", Location: "河北 石家庄",
				Contacts: []domain.Contact{netPhone, {Kind: domain.ContactShop, Value: "鑫旺食品"}}, Listings: 14, Alerts: 2, Confirmed: 1,
				FirstSeen: at(0), LastSeen: at(60)},
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
				Status: domain.AlertConfirmed, FirstSeen: at(50), LastSeen: at(61)},
			{ID: 102, MarkID: "liugehetao", SourceID: "taobao", URL: "https://item.taobao.com/item.htm?id=102", Title: "六個核桃 核桃乳 240ml*12罐",
				Seller: "鑫旺食品专营店", SellerID: 21, Location: "河北 石家庄", Score: 0.93, Status: domain.AlertConfirmed,
				FirstSeen: at(30), LastSeen: at(60)},
			{ID: 101, MarkID: "liugehetao", SourceID: "taobao", URL: "https://item.taobao.com/item.htm?id=101", Title: "六个核桃味 植物蛋白饮料",
				Seller: "鑫旺食品专营店", SellerID: 21, Location: "河北 石家庄", Score: 0.72, Status: domain.AlertDismissed,
				FirstSeen: at(2), LastSeen: at(10)},
		},
	}
}

// fakeNetworks answers testNetwork for any of its sellers, filtering the
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

func TestSellerNetwork(t *testing.T) {
	nets := &fakeNetworks{net: testNetwork()}
	h := newHarness(t, func(d *Deps) { d.Networks = nets })

	var got domain.SellerNetwork
	if resp := h.getAs(t, tokAdmin, "/api/v1/sellers/23", &got); resp.StatusCode != 200 {
		t.Fatalf("admin: status %d", resp.StatusCode)
	}
	if want := testNetwork(); !reflect.DeepEqual(got, want) {
		t.Errorf("admin reads\n%+v\nwant\n%+v", got, want)
	}
	// Contacts are answered in full to those who may read networks.
	_, raw := h.do(t, tokAdmin, "GET", "/api/v1/sellers/23", "")
	for _, want := range []string{`"value":"13812345678"`, `"value":"xinwang888"`, `"platform":"1688"`, `"seller_id":23`, `"tactic":"price"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("answer lacks %s", want)
		}
	}

	// The supervisor of 河北 石家庄 sees the whole network but only the
	// alerts inside the jurisdiction; the store was asked with that scope.
	got = domain.SellerNetwork{}
	if resp := h.getAs(t, tokSupervisor, "/api/v1/sellers/21", &got); resp.StatusCode != 200 {
		t.Fatalf("supervisor: status %d", resp.StatusCode)
	}
	if ids := alertIDs(got.Alerts); !slices.Equal(ids, []int64{103, 102, 101}) || len(got.Sellers) != 3 || len(got.Links) != 2 {
		t.Errorf("supervisor reads alerts %v, %d sellers, %d links", ids, len(got.Sellers), len(got.Links))
	}
	if s := nets.scopes[len(nets.scopes)-1]; s.Jurisdiction != "河北 石家庄" || nets.asked[len(nets.asked)-1] != 21 {
		t.Errorf("store asked for seller %d with scope %+v", nets.asked[len(nets.asked)-1], s)
	}
	if n := h.logs.FilterMessageSnippet("outside the principal's scope").Len(); n != 0 {
		t.Errorf("%d scope-leak lines with a store that filters", n)
	}
}

// A store that forgets the scope leaks nothing: the handler drops the
// alerts and says so in the log.
func TestSellerNetworkScopeLeakIsCaught(t *testing.T) {
	nets := &fakeNetworks{net: testNetwork(), leak: true}
	h := newHarness(t, func(d *Deps) { d.Networks = nets })
	var got domain.SellerNetwork
	h.getAs(t, tokSupervisor, "/api/v1/sellers/22", &got)
	if ids := alertIDs(got.Alerts); !slices.Equal(ids, []int64{103, 102, 101}) {
		t.Errorf("supervisor reads alerts %v through a leaking store", ids)
	}
	if h.guard.countInBodies("汕头市鑫旺贸易有限公司") != 1 { // the shop row only, not the alert
		t.Error("the out-of-jurisdiction alert reached the answer")
	}
	if n := h.logs.FilterMessageSnippet("outside the principal's scope").Len(); n != 1 {
		t.Errorf("%d scope-leak lines, want 1", n)
	}
}

// Owners and operators are refused before the store is asked, whatever
// the id; so is a request without a token.
func TestSellerNetworkRefusals(t *testing.T) {
	nets := &fakeNetworks{net: testNetwork()}
	h := newHarness(t, func(d *Deps) { d.Networks = nets })
	tests := []struct {
		name, token string
		status      int
		code        string
	}{
		{"owner of a mark in the network", tokOwnerA, 403, codeForbidden},
		{"owner of another mark in it", tokOwnerB, 403, codeForbidden},
		{"operator", tokOperator, 403, codeForbidden},
		{"anonymous", "", 401, codeUnauthorized},
	}
	for _, tt := range tests {
		status, raw := h.do(t, tt.token, "GET", "/api/v1/sellers/21", "")
		var e errResp
		if err := decode(raw, &e); err != nil || status != tt.status || e.Error.Code != tt.code {
			t.Errorf("%s: %d %s, want %d %s", tt.name, status, raw, tt.status, tt.code)
		}
		if strings.Contains(string(raw), "鑫旺") || strings.Contains(string(raw), "13812345678") {
			t.Errorf("%s: the refusal carries network content: %s", tt.name, raw)
		}
	}
	if nets.calls() != 0 {
		t.Errorf("the store was asked %d times for refused requests", nets.calls())
	}
}

func TestSellerNetworkErrors(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		err    error
		status int
		says   string
	}{
		{"unknown seller", "/api/v1/sellers/99", nil, 404, "seller 99 does not exist"},
		{"not a number", "/api/v1/sellers/鑫旺", nil, 400, "must be a positive whole number"},
		{"zero", "/api/v1/sellers/0", nil, 400, "must be a positive whole number"},
		{"negative", "/api/v1/sellers/-21", nil, 400, "must be a positive whole number"},
		{"too large", "/api/v1/sellers/99999999999999999999", nil, 400, "must be a positive whole number"},
		{"store busy", "/api/v1/sellers/21", domain.Errorf(domain.EUNAVAILABLE, "database is locked"), 503, "database is locked"},
		{"store broken", "/api/v1/sellers/21", domain.Errorf(domain.EINTERNAL, "no such table: sellers"), 500, "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(d *Deps) { d.Networks = &fakeNetworks{net: testNetwork(), err: tt.err} })
			status, raw := h.do(t, tokSupervisor, "GET", tt.path, "")
			if status != tt.status || !strings.Contains(string(raw), tt.says) {
				t.Errorf("GET %s: %d %s, want %d saying %q", tt.path, status, raw, tt.status, tt.says)
			}
			if strings.Contains(string(raw), "no such table") || strings.Contains(string(raw), "no seller row") {
				t.Errorf("the store's own words reached the client: %s", raw)
			}
		})
	}
}

// The client reads the network the server serves, and gets the server's
// error codes back.
func TestClientSellerNetwork(t *testing.T) {
	nets := &fakeNetworks{net: testNetwork()}
	h := newHarness(t, func(d *Deps) { d.Networks = nets })
	ctx := context.Background()
	var reader SellerNetworkReader = NewClient(h.srv.URL, tokSupervisor, h.srv.Client())
	got, err := reader.SellerNetwork(ctx, 22, domain.Unrestricted)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := nets.SellerNetwork(ctx, 22, domain.Scope{Jurisdiction: "河北 石家庄"})
	if !reflect.DeepEqual(got, want) {
		b, _ := json.Marshal(got)
		t.Errorf("client reads\n%s", b)
	}
	if _, err := reader.SellerNetwork(ctx, 99, domain.Unrestricted); codeOf(err) != domain.ENOTFOUND || !strings.Contains(err.Error(), "getting the network of seller 99") {
		t.Errorf("unknown seller: %v", err)
	}
	if _, err := NewClient(h.srv.URL, tokOwnerA, nil).SellerNetwork(ctx, 22, domain.Unrestricted); codeOf(err) != codeForbidden {
		t.Errorf("owner: %v", err)
	}
}

// Without a network reader the route is not declared.
func TestSellerNetworkRouteNeedsItsReader(t *testing.T) {
	h := newHarness(t, nil)
	if status, _ := h.do(t, tokAdmin, "GET", "/api/v1/sellers/21", ""); status != 404 {
		t.Errorf("without Networks: %d, want 404", status)
	}
}
