package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// reasonRow is one piece of evidence, with the words of the title it
// points at quoted so a printout stands without the highlighting.
type reasonRow struct {
	Tactic      string
	TacticLabel string
	Text        string
	Quote       string // "" for reasons about the listing, not a span
	Where       string // 第3–4字
	Version     string // the listing version whose title it reads: 第1版
}

// markInfo is what the evidence page says about the protected name.
type markInfo struct {
	ID, Name, Kind, Owner string
	WellKnown             bool
	IsGI                  bool
	Classes               string // 第30类、第32类
	Goods                 string
	Product               string
	Places                string
	SellerLocations       string
	AuthorizedSellers     string
}

type evidenceView struct {
	page
	Row     alertRow
	Reasons []reasonRow
	Mark    *markInfo // nil when the registry does not know the mark
	Price   string    // "" when unknown
	// SellerLink is the seller's network page; "" when there is none to
	// show this viewer.
	SellerLink string
	Printed    string
	evidenceTrail
}

// evidence serves GET /alerts/{id}: everything a supervisor hands to
// enforcement about one alert.
func (c *console) evidence(w http.ResponseWriter, r *http.Request) {
	id, err := alertID(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if c.deps.Alerts == nil {
		c.fail(w, r, domain.Errorf(domain.EUNAVAILABLE, "告警库不可用 the alert store is not available"))
		return
	}
	a, err := c.visibleAlert(r, id)
	if err != nil {
		c.fail(w, r, fmt.Errorf("getting alert %d for its evidence page: %w", id, err))
		return
	}
	v := evidenceView{
		page:    c.frame(r, fmt.Sprintf("告警 #%d 证据 Evidence", a.ID)),
		Row:     c.row(r, a, r.URL.RequestURI()),
		Printed: c.when(c.deps.Now()),
		Price:   c.price(r, a),

		SellerLink: c.sellerLink(r, a),
	}
	for _, rs := range a.Reasons {
		v.Reasons = append(v.Reasons, reasonRow{
			Tactic: rs.Tactic, TacticLabel: tacticLabel(rs.Tactic), Text: rs.Text,
			Quote: spanText(a.Title, rs), Where: where(a.Title, rs),
		})
	}
	if m, ok := c.marks[a.MarkID]; ok {
		v.Mark = describeMark(m)
	}
	rows := []alertRow{v.Row}
	c.addThumbs(r, rows)
	v.Row = rows[0]
	v.evidenceTrail = c.trail(r, a)
	for i := range v.Reasons {
		v.Reasons[i].Version = v.ReasonVersion
	}
	c.render(w, r, http.StatusOK, "evidence.html", v)
}

// errNoAlert is the one answer for an alert that does not exist and one
// the principal may not see: the same words, so the page does not tell an
// owner which ids belong to others.
func errNoAlert() error {
	return domain.Errorf(domain.ENOTFOUND, "没有这条告警 No such alert")
}

// visibleAlert reads alert id if the request's scope allows it.
func (c *console) visibleAlert(r *http.Request, id int64) (domain.Alert, error) {
	a, err := c.deps.Alerts.GetAlert(r.Context(), id)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return domain.Alert{}, errNoAlert()
	}
	if err != nil {
		return domain.Alert{}, err
	}
	if !access.ScopeFrom(r.Context()).Allows(a.MarkID, a.Location) {
		return domain.Alert{}, errNoAlert()
	}
	return a, nil
}

// price reads the listing's price from the alert's hit. The page is useful
// without it, so a failure is logged and the price left out.
func (c *console) price(r *http.Request, a domain.Alert) string {
	if c.deps.Hits == nil || a.HitID == 0 {
		return ""
	}
	h, err := c.deps.Hits.GetHit(r.Context(), a.HitID)
	if err != nil {
		c.log.Warn("evidence page without the price", requestFields(r, fmt.Errorf("getting hit %d of alert %d: %w", a.HitID, a.ID, err))...)
		return ""
	}
	if h.Price <= 0 {
		return ""
	}
	return "¥" + strconv.FormatFloat(h.Price, 'f', 2, 64)
}

func alertID(r *http.Request) (int64, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Errorf(domain.EINVALID, "告警编号 alert id %q must be a positive whole number", raw)
	}
	return id, nil
}

// where says which characters a reason points at, counted from 1 the way
// a reader counts them.
func where(title string, r domain.Reason) string {
	start, end, ok := clip(r, len([]rune(title)))
	switch {
	case !ok:
		return ""
	case end-start == 1:
		return fmt.Sprintf("第%d字", start+1)
	}
	return fmt.Sprintf("第%d–%d字", start+1, end)
}

func describeMark(m domain.Mark) *markInfo {
	info := &markInfo{
		ID: m.ID, Name: m.Name, Kind: kindLabel(m.Kind), Owner: m.Owner, WellKnown: m.WellKnown,
		IsGI:              m.Kind == domain.KindGI,
		Goods:             strings.Join(m.Goods, "、"),
		Product:           strings.Join(m.Product, "、"),
		Places:            strings.Join(m.Origin.Places, "、"),
		SellerLocations:   strings.Join(m.Origin.SellerLocations, "、"),
		AuthorizedSellers: strings.Join(m.AuthorizedSellers, "、"),
	}
	classes := make([]string, 0, len(m.Classes))
	for _, n := range m.Classes {
		classes = append(classes, fmt.Sprintf("第%d类", n))
	}
	info.Classes = strings.Join(classes, "、")
	return info
}
