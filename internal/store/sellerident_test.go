package store

import (
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// batchIdents computes each shop name's key once a batch; every listing
// must still get the identity its own name gives.
func TestBatchIdents(t *testing.T) {
	batch := []ListingMatches{
		{Listing: domain.Listing{SourceID: "taobao-search", Platform: "taobao", Seller: "鑫源副食批发部"}},
		{Listing: domain.Listing{SourceID: "taobao-search", Platform: "taobao", Seller: " 鑫源副食批发部 "}},
		{Listing: domain.Listing{SourceID: "jd-search", Platform: "jd", Seller: "鑫源副食批发部"}},
		{Listing: domain.Listing{SourceID: "pdd-search", Seller: "鑫源副食批发部"}},
		{Listing: domain.Listing{SourceID: "taobao-search", Platform: "taobao", Seller: "衡水老白干官方旗舰店"}},
		{Listing: domain.Listing{SourceID: "taobao-search", Platform: "taobao", Seller: "旗舰店"}},
		{Listing: domain.Listing{SourceID: "taobao-search", Platform: "taobao", Seller: "  "}},
		{Listing: domain.Listing{SourceID: "taobao-search", Platform: "taobao", Seller: "鑫源副食批发部"}},
	}
	want := []sellerOf{
		{ident: sellerIdent{"taobao", "鑫源副食"}, ok: true, shop: "鑫源副食"},
		{ident: sellerIdent{"taobao", "鑫源副食"}, ok: true, shop: "鑫源副食"},
		{ident: sellerIdent{"jd", "鑫源副食"}, ok: true, shop: "鑫源副食"},
		{ident: sellerIdent{"pdd-search", "鑫源副食"}, ok: true, shop: "鑫源副食"},
		{ident: sellerIdent{"taobao", "衡水老白干"}, ok: true, shop: "衡水老白干"},
		// nothing but the kind of shop: kept apart by its plain name
		{ident: sellerIdent{"taobao", "name:旗舰店"}, ok: true},
		{},
		{ident: sellerIdent{"taobao", "鑫源副食"}, ok: true, shop: "鑫源副食"},
	}
	got := batchIdents(batch)
	for i := range batch {
		if got[i] != want[i] {
			t.Errorf("%q on %q: %+v, want %+v", batch[i].Listing.Seller, batch[i].Listing.Platform, got[i], want[i])
		}
	}
}
