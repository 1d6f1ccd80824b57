package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// Bounds of a claim: a shop name and why it is authorised.
const (
	maxSellerRunes = 100
	maxClaimNote   = 500
)

type claimRow struct {
	ID                                     int64
	MarkName, MarkID, Seller, Note, Status string
	ClaimedBy, Created, DecidedBy, Decided string
	Pending                                bool
}

type sellersView struct {
	page
	CanClaim, CanDecide bool
	Marks               []option // the owner's marks, for the claim form
	Claims              []claimRow
	Pending             []claimRow
	Error               string
	Seller, Note        string // the claim form's values after a refusal
}

// sellers serves GET /sellers: an owner claims its authorised sellers
// (授权经销商) and follows its claims; a supervisor or admin decides the
// pending ones.
func (c *console) sellers(w http.ResponseWriter, r *http.Request) {
	c.renderSellers(w, r, http.StatusOK, sellersView{})
}

func (c *console) renderSellers(w http.ResponseWriter, r *http.Request, status int, v sellersView) {
	p, _ := access.FromContext(r.Context())
	v.CanClaim, v.CanDecide = p.Can(access.ClaimSeller), p.Can(access.DecideClaims)
	if !v.CanClaim && !v.CanDecide {
		c.fail(w, r, domain.Errorf(codeDenied, "您的角色（%s）无权查看授权经销商 your role has no seller claims", roleLabel(p.User.Role)))
		return
	}
	scope := access.ScopeFrom(r.Context())
	if v.CanClaim {
		claims, err := c.deps.Sellers.ListSellerClaims(r.Context(), scope, "")
		if err != nil {
			c.fail(w, r, fmt.Errorf("listing seller claims of %q: %w", p.User.Name, err))
			return
		}
		v.Claims = c.claimRows(scope, claims)
		selected := r.PostForm.Get("mark")
		for _, m := range c.scopeMarks(scope) {
			v.Marks = append(v.Marks, option{Value: m.ID, Label: m.Name + "（" + kindLabel(m.Kind) + "）", Selected: m.ID == selected})
		}
	}
	if v.CanDecide {
		pending, err := c.deps.Sellers.ListSellerClaims(r.Context(), scope, domain.ClaimPending)
		if err != nil {
			c.fail(w, r, fmt.Errorf("listing pending seller claims: %w", err))
			return
		}
		v.Pending = c.claimRows(scope, pending)
	}
	v.page = c.frame(r, "授权经销商 Authorised sellers")
	c.render(w, r, status, "sellers.html", v)
}

// claimRows prepares claims for display, leaving out any on a mark the
// scope does not see (the store filters; this makes a slip harmless).
func (c *console) claimRows(scope domain.Scope, claims []domain.SellerClaim) []claimRow {
	var rows []claimRow
	for _, cl := range claims {
		if !scope.AllowsMark(cl.MarkID) {
			continue
		}
		row := claimRow{
			ID: cl.ID, MarkName: c.markName(cl.MarkID), MarkID: cl.MarkID, Seller: cl.Seller, Note: cl.Note,
			Status: claimLabel(cl.Status), ClaimedBy: cl.ClaimedBy.Name, Created: c.when(cl.CreatedAt),
			Decided: c.whenPtr(cl.DecidedAt), Pending: cl.Status == domain.ClaimPending,
		}
		if cl.DecidedBy != nil {
			row.DecidedBy = cl.DecidedBy.Name
		}
		rows = append(rows, row)
	}
	return rows
}

// claimSeller serves POST /sellers (mark, seller, note).
func (c *console) claimSeller(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r, maxLoginForm); err != nil {
		c.fail(w, r, fmt.Errorf("reading the seller claim form: %w", err))
		return
	}
	p, _ := access.FromContext(r.Context())
	scope := access.ScopeFrom(r.Context())
	markID := r.PostForm.Get("mark")
	seller := strings.Join(strings.Fields(r.PostForm.Get("seller")), " ")
	note := strings.TrimSpace(r.PostForm.Get("note"))
	// A mark outside the owner's scope is answered like one that does not
	// exist: an owner learns nothing about other owners' marks.
	if _, known := c.marks[markID]; !known || !scope.AllowsMark(markID) {
		c.fail(w, r, domain.Errorf(domain.ENOTFOUND, "没有这个标识 No such mark"))
		return
	}
	refuse := func(msg string) {
		c.renderSellers(w, r, http.StatusBadRequest, sellersView{Error: msg, Seller: seller, Note: note})
	}
	if seller == "" || utf8.RuneCountInString(seller) > maxSellerRunes {
		refuse(fmt.Sprintf("店铺名称必填，最多%d字 a seller name of 1 to %d characters is required", maxSellerRunes, maxSellerRunes))
		return
	}
	if utf8.RuneCountInString(note) > maxClaimNote {
		refuse(fmt.Sprintf("说明最多%d字 the note is longer than %d characters", maxClaimNote, maxClaimNote))
		return
	}
	cl, err := c.deps.Sellers.CreateSellerClaim(r.Context(), domain.SellerClaim{
		MarkID: markID, Seller: seller, Note: note, Status: domain.ClaimPending,
		ClaimedBy: p.Actor(), CreatedAt: c.deps.Now(),
	})
	if err != nil {
		if code := domain.ErrorCode(err); code == domain.EINVALID || code == domain.ECONFLICT {
			refuse(domain.ErrorMessage(err))
			return
		}
		c.fail(w, r, fmt.Errorf("claiming seller %q for mark %s: %w", seller, markID, err))
		return
	}
	c.log.Info("seller claimed", zap.Int64("claim_id", cl.ID), zap.String("mark_id", markID), zap.String("user", p.User.Name))
	http.Redirect(w, r, "/sellers", http.StatusSeeOther)
}

// decideClaim serves POST /sellers/{id}/accept and /reject. Only a pending
// claim the decider's scope lists can be decided; any other id is 404.
func (c *console) decideClaim(accept bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, _ := access.FromContext(r.Context())
		missing := domain.Errorf(domain.ENOTFOUND, "没有待审核的这项申报 No such pending claim")
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			c.fail(w, r, missing)
			return
		}
		scope := access.ScopeFrom(r.Context())
		pending, err := c.deps.Sellers.ListSellerClaims(r.Context(), scope, domain.ClaimPending)
		if err != nil {
			c.fail(w, r, fmt.Errorf("listing pending seller claims to decide %d: %w", id, err))
			return
		}
		if !c.pendingInScope(scope, pending, id) {
			c.fail(w, r, missing)
			return
		}
		cl, err := c.deps.Sellers.DecideSellerClaim(r.Context(), id, accept, p.Actor())
		if err != nil {
			c.fail(w, r, fmt.Errorf("deciding seller claim %d: %w", id, err))
			return
		}
		c.log.Info("seller claim decided", zap.Int64("claim_id", cl.ID), zap.String("mark_id", cl.MarkID),
			zap.Bool("accepted", accept), zap.String("user", p.User.Name))
		http.Redirect(w, r, "/sellers", http.StatusSeeOther)
	}
}

func (c *console) pendingInScope(scope domain.Scope, claims []domain.SellerClaim, id int64) bool {
	for _, cl := range claims {
		if cl.ID == id && cl.Status == domain.ClaimPending && scope.AllowsMark(cl.MarkID) {
			return true
		}
	}
	return false
}
