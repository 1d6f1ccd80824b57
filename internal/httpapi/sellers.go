package httpapi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/markwatch/markwatch/internal/domain"
)

const sellersPath = "/api/v1/sellers"

// SellerNetworkReader reads seller networks (docs/SIGNALS.md): shops
// linked across platforms by a shared shop name, phone, WeChat id or
// address.
type SellerNetworkReader interface {
	// SellerNetwork returns the network seller sellerID belongs to: its
	// shops, the contacts linking them, and the alerts on their listings
	// that scope allows, newest first. ENOTFOUND for an unknown seller.
	SellerNetwork(ctx context.Context, sellerID int64, scope domain.Scope) (domain.SellerNetwork, error)
}

// getSellerNetwork serves GET /api/v1/sellers/{id}. The route needs
// sellers.read, which only roles that see across owners hold; the alerts
// are still cut to the principal's scope (a supervisor's jurisdiction).
// Contacts are answered in full: whoever may read a network is who acts
// on it, and they are what sellers publish on their own shop pages.
func (a *api) getSellerNetwork(w http.ResponseWriter, r *http.Request) {
	p, id, ok := principalID(w, r, "seller")
	if !ok {
		return
	}
	n, err := a.deps.Networks.SellerNetwork(r.Context(), id, p.Scope)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			err = fmt.Errorf("%w: %w", domain.Errorf(domain.ENOTFOUND, "seller %d does not exist", id), err)
		}
		writeError(w, r, fmt.Errorf("getting the network of seller %d: %w", id, err))
		return
	}
	// The store filters by scope; a second look turns a slip there into a
	// log line instead of alerts outside the jurisdiction.
	n.Alerts, _ = inScope(a, p, "seller network alerts", n.Alerts, func(al domain.Alert) bool { return p.Scope.Allows(al.MarkID, al.Location) })
	// Empty lists answer [] rather than null, so clients need not tell
	// "none" from "missing".
	if n.Sellers == nil {
		n.Sellers = []domain.Seller{}
	}
	if n.Links == nil {
		n.Links = []domain.SellerLink{}
	}
	writeJSON(w, http.StatusOK, n)
}
