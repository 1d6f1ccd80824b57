package httpapi

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestClaimOnAnotherOwnersMarkLooksMissing: owner A (六个核桃) cannot say a
// seller is authorised for 衡水老白干, and learns no more than for a mark
// that does not exist.
func TestClaimOnAnotherOwnersMarkLooksMissing(t *testing.T) {
	h := newHarness(t, nil)
	body := func(mark string) string {
		return `{"mark_id":"` + mark + `","seller":"某某食品专营店","note":"授权书"}`
	}
	code, other := h.do(t, tokOwnerA, "POST", "/api/v1/seller-claims", body("hengshui-laobaigan"))
	mcode, missing := h.do(t, tokOwnerA, "POST", "/api/v1/seller-claims", body("no-such-mark"))
	if code != 404 || mcode != 404 ||
		!bytes.Equal(bytes.ReplaceAll(other, []byte("hengshui-laobaigan"), []byte("X")), bytes.ReplaceAll(missing, []byte("no-such-mark"), []byte("X"))) {
		t.Errorf("B's mark: %d %s\nmissing: %d %s", code, other, mcode, missing)
	}
	if len(h.store.claims) != 0 {
		t.Errorf("claims stored: %+v", h.store.claims)
	}
}

func TestClaimLifecycle(t *testing.T) {
	h := newHarness(t, nil)
	code, raw := h.do(t, tokOwnerA, "POST", "/api/v1/seller-claims", `{"mark_id":"liugehetao","seller":"某某食品专营店","note":"2026 年经销授权"}`)
	var c domain.SellerClaim
	if err := decode(raw, &c); err != nil || code != 201 {
		t.Fatalf("claim: %d %s", code, raw)
	}
	if c.Status != domain.ClaimPending || c.ClaimedBy != principals()[tokOwnerA].Actor() || c.Seller != "某某食品专营店" {
		t.Errorf("claim = %+v", c)
	}
	// B claims on its own mark too; each owner lists only its own.
	h.do(t, tokOwnerB, "POST", "/api/v1/seller-claims", `{"mark_id":"hengshui-laobaigan","seller":"衡水老白干官方旗舰店"}`)
	tests := []struct {
		token string
		query string
		code  int
		want  int
	}{
		{tokOwnerA, "", 200, 1},
		{tokOwnerB, "?status=pending", 200, 1},
		{tokSupervisor, "", 200, 2},
		{tokAdmin, "?status=accepted", 200, 0},
		{tokOperator, "", 403, 0}, // neither claims nor decides
		{tokAdmin, "?status=待定", 400, 0},
	}
	for _, tt := range tests {
		var got claimList
		resp := h.getAs(t, tt.token, "/api/v1/seller-claims"+tt.query, &got)
		if resp.StatusCode != tt.code || len(got.Claims) != tt.want {
			t.Errorf("%s lists %s: %d %+v, want %d with %d", tt.token, tt.query, resp.StatusCode, got.Claims, tt.code, tt.want)
		}
	}
	if fmt.Sprint(h.store.claimScope) != fmt.Sprint(principals()[tokAdmin].Scope) {
		t.Errorf("store got scope %+v", h.store.claimScope)
	}
	// Owners cannot decide, not even on their own claim.
	if code, _ := h.do(t, tokOwnerA, "POST", fmt.Sprintf("/api/v1/seller-claims/%d/accept", c.ID), ""); code != 403 {
		t.Errorf("owner accepting its own claim: %d", code)
	}
	code, raw = h.do(t, tokSupervisor, "POST", fmt.Sprintf("/api/v1/seller-claims/%d/accept", c.ID), "")
	var decided domain.SellerClaim
	if err := decode(raw, &decided); err != nil || code != 200 || decided.Status != domain.ClaimAccepted || decided.DecidedBy == nil || decided.DecidedBy.Name != "sjz-scjg" {
		t.Errorf("supervisor accepting: %d %s", code, raw)
	}
	if code, raw := h.do(t, tokAdmin, "POST", "/api/v1/seller-claims/424242/reject", ""); code != 404 {
		t.Errorf("rejecting a missing claim: %d %s", code, raw)
	}
}
