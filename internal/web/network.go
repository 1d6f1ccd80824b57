package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// networkShop is one shop of a seller network as the page lists it.
type networkShop struct {
	domain.Seller
	PlatformLabel       string
	FirstSeen, LastSeen string
	Current             bool // the seller the page was asked for
}

// sharedContact is one contact two or more shops of the network give,
// with the shops that give it: the evidence that they are one seller.
type sharedContact struct {
	Kind  domain.ContactKind
	Label string
	Value string
	Shops []string // 鑫旺食品专营店（淘宝）
}

// networkAlert is one alert of the network's history.
type networkAlert struct {
	alertRow
	Tactics string // 名称相同、价格异常
}

type networkView struct {
	page
	ID        int64
	Current   string // the asked seller's name and platform
	Shops     []networkShop
	Shared    []sharedContact
	Alerts    []networkAlert
	Confirmed int // confirmed alerts among those shown
}

// sellerNetwork serves GET /sellers/{id}: the shops linked to a seller
// across platforms, the contacts that link them, and the alerts on their
// listings within the viewer's scope, each linking to its review page.
//
// Contacts are shown in full, to supervisors and admins alike: the page is
// for those who act on a network (a 协查 request to a platform or carrier
// needs the number, not 138****5678), sellers.read is held by no one
// else, and the API serves the same permission the full values, so
// masking here would hide nothing. Reasons, which reach owners and
// subscribers, keep their masked form.
func (c *console) sellerNetwork(w http.ResponseWriter, r *http.Request) {
	if err := crossSiteRead(r); err != nil {
		c.fail(w, r, fmt.Errorf("serving a seller network: %w", err))
		return
	}
	id, err := sellerID(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	scope := access.ScopeFrom(r.Context())
	n, err := c.deps.Networks.SellerNetwork(r.Context(), id, scope)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		c.fail(w, r, domain.Errorf(domain.ENOTFOUND, "没有这个卖家 No such seller"))
		return
	}
	if err != nil {
		c.fail(w, r, fmt.Errorf("getting the network of seller %d: %w", id, err))
		return
	}
	v := networkView{ID: n.ID, page: c.frame(r, "卖家网络 Seller network")}
	names := make(map[int64]string, len(n.Sellers))
	for _, s := range n.Sellers {
		shop := networkShop{Seller: s, PlatformLabel: marketplaceLabel(s.Platform), FirstSeen: c.when(s.FirstSeen),
			LastSeen: c.when(s.LastSeen), Current: s.ID == id}
		names[s.ID] = s.Name + "（" + shop.PlatformLabel + "）"
		if shop.Current {
			v.Current = names[s.ID]
			v.page.Title = "卖家网络 " + s.Name
		}
		v.Shops = append(v.Shops, shop)
	}
	v.Shared = sharedContacts(n.Links, names)
	for _, a := range n.Alerts {
		// The store applies the scope; checking again means a slip there
		// shows a shorter history, not alerts outside the jurisdiction.
		if !scope.Allows(a.MarkID, a.Location) {
			c.log.Error("store returned an alert outside the scope; left out of the seller network",
				zap.Int64("alert_id", a.ID), zap.Int64("seller_id", id), zap.String("path", r.URL.Path))
			continue
		}
		row := c.row(r, a, r.URL.RequestURI())
		row.Actions, row.FileCase = nil, false // reviews are made on the alert's own page
		v.Alerts = append(v.Alerts, networkAlert{alertRow: row, Tactics: tactics(a.Reasons)})
		if a.Status == domain.AlertConfirmed {
			v.Confirmed++
		}
	}
	c.render(w, r, http.StatusOK, "network.html", v)
}

// sharedContacts groups the network's links by the contact they share, in
// the order the store gave them, each with the shops that give it.
func sharedContacts(links []domain.SellerLink, names map[int64]string) []sharedContact {
	var out []sharedContact
	index := map[domain.Contact]int{}
	for _, l := range links {
		i, ok := index[l.Contact]
		if !ok {
			i = len(out)
			index[l.Contact] = i
			out = append(out, sharedContact{Kind: l.Contact.Kind, Label: contactLabel(l.Contact.Kind), Value: l.Contact.Value})
		}
		for _, sid := range []int64{l.From, l.To} {
			name, known := names[sid]
			if !known {
				name = "#" + strconv.FormatInt(sid, 10)
			}
			if !slices.Contains(out[i].Shops, name) {
				out[i].Shops = append(out[i].Shops, name)
			}
		}
	}
	return out
}

// tactics names an alert's reasons' tactics once each, in their order.
func tactics(reasons []domain.Reason) string {
	var labels []string
	for _, rs := range reasons {
		if l := tacticLabel(rs.Tactic); !slices.Contains(labels, l) {
			labels = append(labels, l)
		}
	}
	return strings.Join(labels, "、")
}

func sellerID(r *http.Request) (int64, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Errorf(domain.EINVALID, "卖家编号 seller id %q must be a positive whole number", raw)
	}
	return id, nil
}

// sellerLink is the network page of an alert's seller, or "" when the
// alert has no seller record, the page is not served or the viewer may
// not read networks.
func (c *console) sellerLink(r *http.Request, a domain.Alert) string {
	p, _ := access.FromContext(r.Context())
	if a.SellerID == 0 || c.deps.Networks == nil || !p.Can(access.ReadSellers) {
		return ""
	}
	return "/sellers/" + strconv.FormatInt(a.SellerID, 10)
}
