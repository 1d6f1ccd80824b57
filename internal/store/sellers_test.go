package store

import (
	"context"
	"slices"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

var (
	phoneX  = domain.Contact{Kind: domain.ContactPhone, Value: "13812345678"}
	wechatW = domain.Contact{Kind: domain.ContactWeChat, Value: "xinwang_888"}
	qqQ     = domain.Contact{Kind: domain.ContactQQ, Value: "2857331900"}
)

// shopListing is a 六个核桃 look-alike sold by shop on platform.
func shopListing(platform, shop, url string, cs ...domain.Contact) domain.Listing {
	return domain.Listing{
		SourceID: platform + "-search", Platform: platform, Title: "六个核桅 核桃乳 240ml*20罐 整箱",
		Price: 19.9, Seller: shop, Location: "河北 衡水", URL: url, Contacts: cs,
	}
}

// saveAlerting saves l with an alerting match on mark and returns the new alert.
func saveAlerting(t *testing.T, db *DB, l domain.Listing, mark string) domain.Alert {
	t.Helper()
	res := mustSave(t, db, l, match(mark, 0.9, true))
	if len(res.NewAlerts) != 1 {
		t.Fatalf("saving %s raised %d alerts, want 1", l.URL, len(res.NewAlerts))
	}
	a := res.NewAlerts[0]
	if a.SellerID == 0 {
		t.Fatalf("new alert of %s has no seller", l.URL)
	}
	return a
}

func networkOf(t *testing.T, db *DB, seller int64, scope domain.Scope) domain.SellerNetwork {
	t.Helper()
	n, err := db.SellerNetwork(context.Background(), seller, scope)
	if err != nil {
		t.Fatalf("SellerNetwork(%d): %v", seller, err)
	}
	return n
}

func sellerIDs(n domain.SellerNetwork) []int64 {
	var ids []int64
	for _, s := range n.Sellers {
		ids = append(ids, s.ID)
	}
	return ids
}

func TestSellerNetworkLinksSharedContacts(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	a := saveAlerting(t, db, shopListing("taobao", "鑫旺食品专营店", "https://item.taobao.com/item.htm?id=1", phoneX), "liugehetao")
	b := saveAlerting(t, db, shopListing("jd", "老王副食批发部", "https://item.jd.com/2.html", phoneX), "liugehetao")
	c := saveAlerting(t, db, shopListing("pinduoduo", "好运来商行", "https://mobile.yangkeduo.com/goods.html?goods_id=3", wechatW), "liugehetao")
	other := saveAlerting(t, db, shopListing("pinduoduo", "衡水老白干直营店", "https://mobile.yangkeduo.com/goods.html?goods_id=4", qqQ), "liugehetao")

	// Two shops on two platforms sharing a phone are one network.
	n := networkOf(t, db, b.SellerID, domain.Unrestricted)
	if got, want := sellerIDs(n), []int64{a.SellerID, b.SellerID}; !slices.Equal(got, want) {
		t.Fatalf("network of %d holds sellers %v, want %v", b.SellerID, got, want)
	}
	if n.ID != a.SellerID {
		t.Errorf("network id = %d, want the lowest seller id %d", n.ID, a.SellerID)
	}
	if want := []domain.SellerLink{{From: a.SellerID, To: b.SellerID, Contact: phoneX}}; !slices.Equal(n.Links, want) {
		t.Errorf("links = %v, want %v", n.Links, want)
	}
	if len(networkOf(t, db, c.SellerID, domain.Unrestricted).Sellers) != 1 {
		t.Errorf("好运来商行 shares nothing yet but is in a network of several")
	}

	// 老王 seen again with a WeChat id that 好运来 has: both networks merge.
	mustSave(t, db, shopListing("jd", "老王副食批发部", "https://item.jd.com/2.html", phoneX, wechatW), match("liugehetao", 0.9, true))
	n = networkOf(t, db, c.SellerID, domain.Unrestricted)
	if got, want := sellerIDs(n), []int64{a.SellerID, b.SellerID, c.SellerID}; !slices.Equal(got, want) {
		t.Fatalf("after the WeChat link, network holds %v, want %v", got, want)
	}
	if n.ID != a.SellerID {
		t.Errorf("merged network id = %d, want %d", n.ID, a.SellerID)
	}
	if len(n.Alerts) != 3 || n.Alerts[0].ID != c.ID {
		t.Errorf("network alerts = %d, newest %d; want 3, newest %d", len(n.Alerts), n.Alerts[0].ID, c.ID)
	}
	for _, s := range n.Sellers {
		if s.Listings != 1 || s.Alerts != 1 || s.Confirmed != 0 {
			t.Errorf("seller %d %s counts listings %d alerts %d confirmed %d, want 1 1 0", s.ID, s.Name, s.Listings, s.Alerts, s.Confirmed)
		}
		if s.ID == b.SellerID && !slices.Contains(s.Contacts, wechatW) {
			t.Errorf("老王's contacts %v lack the WeChat id", s.Contacts)
		}
	}
	if slices.Contains(sellerIDs(n), other.SellerID) {
		t.Errorf("衡水老白干直营店 shares nothing but joined the network")
	}

	// The same shop name on another platform joins by its shop key.
	d := saveAlerting(t, db, shopListing("jd", "鑫旺食品旗舰店", "https://item.jd.com/5.html"), "liugehetao")
	if got := networkOf(t, db, d.SellerID, domain.Unrestricted).ID; got != a.SellerID {
		t.Errorf("鑫旺食品旗舰店 on jd is in network %d, want %d", got, a.SellerID)
	}

	// Alerts read back carry their seller.
	got, err := db.GetAlert(ctx, b.ID)
	if err != nil || got.SellerID != b.SellerID {
		t.Errorf("GetAlert(%d).SellerID = %d, %v; want %d", b.ID, got.SellerID, err, b.SellerID)
	}
	list, _, err := db.ListAlerts(ctx, domain.AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range list {
		if x.SellerID == 0 {
			t.Errorf("ListAlerts: alert %d has no seller", x.ID)
		}
	}
}

func TestSellerRisks(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	a := saveAlerting(t, db, shopListing("taobao", "鑫旺食品专营店", "https://item.taobao.com/item.htm?id=1", phoneX), "liugehetao")
	saveAlerting(t, db, shopListing("jd", "老王副食批发部", "https://item.jd.com/2.html", phoneX, wechatW), "liugehetao")
	saveAlerting(t, db, shopListing("pinduoduo", "好运来商行", "https://mobile.yangkeduo.com/goods.html?goods_id=3", wechatW), "liugehetao")
	saveAlerting(t, db, shopListing("pinduoduo", "衡水老白干直营店", "https://mobile.yangkeduo.com/goods.html?goods_id=4", qqQ), "liugehetao")

	risks, err := db.SellerRisks(ctx)
	if err != nil || len(risks) != 0 {
		t.Fatalf("SellerRisks before any confirmation = %v, %v; want none", risks, err)
	}
	if _, err := db.SetAlertStatus(ctx, a.ID, domain.AlertConfirmed); err != nil {
		t.Fatal(err)
	}
	risks, err = db.SellerRisks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	shop := func(v string) domain.Contact { return domain.Contact{Kind: domain.ContactShop, Value: v} }
	want := map[domain.Contact]domain.SellerHistory{
		shop("鑫旺食品"): {NetworkID: a.SellerID, Confirmed: 1},
		phoneX:       {NetworkID: a.SellerID, Confirmed: 1, Via: "电话 138****5678 与 鑫旺食品专营店"},
		shop("老王副食"): {NetworkID: a.SellerID, Confirmed: 1, Via: "店名 老王副食 与 鑫旺食品专营店"},
		wechatW:      {NetworkID: a.SellerID, Confirmed: 1, Via: "微信 xinwang_888 与 鑫旺食品专营店"},
		shop("好运来"):  {NetworkID: a.SellerID, Confirmed: 1, Via: "店名 好运来 与 鑫旺食品专营店"},
	}
	if len(risks) != len(want) {
		t.Errorf("SellerRisks has %d keys, want %d: %v", len(risks), len(want), risks)
	}
	for c, w := range want {
		if got := risks[c]; got != w {
			t.Errorf("SellerRisks[%v] = %+v, want %+v", c, got, w)
		}
	}
	if _, ok := risks[qqQ]; ok {
		t.Errorf("an unconfirmed network's QQ is a risk")
	}

	// A second confirmation in the network raises every key's count.
	n := networkOf(t, db, a.SellerID, domain.Unrestricted)
	for _, x := range n.Alerts {
		if x.Status == domain.AlertOpen && x.SellerID != a.SellerID {
			if _, err := db.SetAlertStatus(ctx, x.ID, domain.AlertConfirmed); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	risks, err = db.SellerRisks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := risks[shop("好运来")].Confirmed; got != 2 {
		t.Errorf("after two confirmations 好运来's key counts %d, want 2", got)
	}
}

func TestSellerNetworkScope(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	a := saveAlerting(t, db, shopListing("taobao", "鑫旺食品专营店", "https://item.taobao.com/item.htm?id=1", phoneX), "liugehetao")
	bl := shopListing("jd", "老王副食批发部", "https://item.jd.com/2.html", phoneX)
	bl.Location = "山东 临沂"
	b := saveAlerting(t, db, bl, "hengshui-laobaigan")

	owner := domain.Scope{Restricted: true, MarkIDs: []string{"liugehetao"}}
	n := networkOf(t, db, b.SellerID, owner)
	if len(n.Sellers) != 2 {
		t.Fatalf("scoped network holds %d sellers, want both", len(n.Sellers))
	}
	if len(n.Alerts) != 1 || n.Alerts[0].ID != a.ID {
		t.Errorf("owner of liugehetao sees alerts %v, want only %d", n.Alerts, a.ID)
	}
	for _, s := range n.Sellers {
		if want := map[int64]int{a.SellerID: 1, b.SellerID: 0}[s.ID]; s.Alerts != want {
			t.Errorf("scoped count of seller %s = %d, want %d", s.Name, s.Alerts, want)
		}
	}
	// A supervisor of 河北 sees the 河北 seller's alert, not the 山东 one's.
	n = networkOf(t, db, a.SellerID, domain.Scope{Jurisdiction: "河北"})
	if len(n.Alerts) != 1 || n.Alerts[0].ID != a.ID {
		t.Errorf("河北 supervisor sees alerts %v, want only %d", n.Alerts, a.ID)
	}
	// Nothing of the network in scope: as if it did not exist.
	_, err := db.SellerNetwork(ctx, a.SellerID, domain.Scope{Restricted: true, MarkIDs: []string{"xingtai-walnut"}})
	if domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("SellerNetwork out of scope = %v, want ENOTFOUND", err)
	}
	if _, err := db.SellerNetwork(ctx, 999, domain.Unrestricted); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("SellerNetwork(999) = %v, want ENOTFOUND", err)
	}

	ss, total, err := db.ListSellers(ctx, domain.SellerFilter{Scope: owner})
	if err != nil || total != 1 || len(ss) != 1 || ss[0].ID != a.SellerID {
		t.Errorf("ListSellers for the owner = %v, %d, %v; want only 鑫旺", ss, total, err)
	}
	ss, total, err = db.ListSellers(ctx, domain.SellerFilter{Query: "老王"})
	if err != nil || total != 1 || len(ss) != 1 || ss[0].ID != b.SellerID {
		t.Errorf("ListSellers(老王) = %v, %d, %v", ss, total, err)
	}
	if _, err := db.SetAlertStatus(ctx, b.ID, domain.AlertConfirmed); err != nil {
		t.Fatal(err)
	}
	ss, total, err = db.ListSellers(ctx, domain.SellerFilter{Confirmed: true})
	if err != nil || total != 1 || len(ss) != 1 || ss[0].ID != b.SellerID || ss[0].Confirmed != 1 {
		t.Errorf("ListSellers(confirmed) = %v, %d, %v", ss, total, err)
	}
}

// TestSaveListingsLinksWithinOneBatch: sellers of one batch are linked as
// if saved one by one, including a merge that moves a seller recorded
// earlier in the same batch.
func TestSaveListingsLinksWithinOneBatch(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	batch := []ListingMatches{
		{Listing: shopListing("taobao", "鑫旺食品专营店", "https://item.taobao.com/item.htm?id=1", phoneX)},
		{Listing: shopListing("jd", "好运来商行", "https://item.jd.com/2.html", wechatW)},
		{Listing: shopListing("pinduoduo", "老王副食批发部", "https://mobile.yangkeduo.com/goods.html?goods_id=3", wechatW, phoneX)},
		{Listing: shopListing("jd", "好运来商行", "https://item.jd.com/4.html", wechatW, qqQ)},
	}
	for i := range batch {
		batch[i].Matches = []domain.Match{match("liugehetao", 0.9, true)}
	}
	res, err := db.SaveListings(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	first := res[0].NewAlerts[0].SellerID
	if res[3].NewAlerts[0].SellerID != res[1].NewAlerts[0].SellerID {
		t.Errorf("one shop's two listings have sellers %d and %d", res[1].NewAlerts[0].SellerID, res[3].NewAlerts[0].SellerID)
	}
	// A later batch joins through the QQ recorded last.
	more, err := db.SaveListings(ctx, []ListingMatches{{
		Listing: shopListing("taobao", "衡水特产小店", "https://item.taobao.com/item.htm?id=5", qqQ),
		Matches: []domain.Match{match("liugehetao", 0.9, true)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	n := networkOf(t, db, more[0].NewAlerts[0].SellerID, domain.Unrestricted)
	if n.ID != first || len(n.Sellers) != 4 {
		t.Errorf("network %d holds %v, want network %d of 4 sellers", n.ID, sellerIDs(n), first)
	}
	if got := countRows(t, db, "sellers"); got != 4 {
		t.Errorf("%d sellers rows, want 4", got)
	}

	// A page with more contacts than one statement takes: the last one
	// links it.
	many := []domain.Contact{
		{Kind: domain.ContactPhone, Value: "13900000001"}, {Kind: domain.ContactPhone, Value: "13900000002"},
		{Kind: domain.ContactWeChat, Value: "laobai_001"}, {Kind: domain.ContactQQ, Value: "10001"},
		{Kind: domain.ContactAddress, Value: "山东省临沂市兰山区批发城3号楼"}, qqQ,
	}
	last := saveAlerting(t, db, shopListing("jd", "临沂酒水批发部", "https://item.jd.com/6.html", many...), "liugehetao")
	n = networkOf(t, db, last.SellerID, domain.Unrestricted)
	if n.ID != first || len(n.Sellers) != 5 {
		t.Errorf("a seller with %d contacts joined network %d of %d sellers, want %d of 5", len(many), n.ID, len(n.Sellers), first)
	}
	if s := n.Sellers[len(n.Sellers)-1]; len(s.Contacts) != len(many)+1 {
		t.Errorf("临沂酒水批发部 has %d contacts recorded, want %d (its shop key too)", len(s.Contacts), len(many)+1)
	}
}

// TestSaveListingsSellerRollsBack: the seller is recorded in the listing's
// transaction, so a batch that fails after recording it leaves no seller.
func TestSaveListingsSellerRollsBack(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	// The second listing's hit fails inside the transaction, after the
	// first listing's seller and contacts were written.
	trigger := `CREATE TRIGGER boom BEFORE INSERT ON hits WHEN NEW.mark_id = 'boom'
		BEGIN SELECT RAISE(ABORT, 'boom'); END`
	if db.Dialect() == dialectPostgres {
		trigger = pgVerbatim + `CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN IF NEW.mark_id = 'boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$;
			CREATE TRIGGER boom BEFORE INSERT ON hits FOR EACH ROW EXECUTE FUNCTION boom()`
	}
	if _, err := db.wr.Exec(trigger); err != nil {
		t.Fatal(err)
	}
	_, err := db.SaveListings(ctx, []ListingMatches{
		{Listing: shopListing("taobao", "鑫旺食品专营店", "https://item.taobao.com/item.htm?id=1", phoneX),
			Matches: []domain.Match{match("liugehetao", 0.9, true)}},
		{Listing: shopListing("jd", "老王副食批发部", "https://item.jd.com/2.html", phoneX),
			Matches: []domain.Match{match("boom", 0.9, true)}},
	})
	if err == nil {
		t.Fatal("SaveListings succeeded through a failing hit")
	}
	if got := countRows(t, db, "sellers") + countRows(t, db, "seller_contacts") + countRows(t, db, "listings"); got != 0 {
		t.Errorf("a failed batch left %d seller or listing rows", got)
	}
}
