package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// ClaimStore keeps owners' claims that a seller is authorised. The store
// writes the audit rows (seller.claim, seller.decide).
type ClaimStore interface {
	CreateSellerClaim(ctx context.Context, c domain.SellerClaim) (domain.SellerClaim, error)
	DecideSellerClaim(ctx context.Context, id int64, accept bool, actor domain.Actor) (domain.SellerClaim, error)
	// ListSellerClaims lists the claims on marks in scope; status "" is all.
	ListSellerClaims(ctx context.Context, scope domain.Scope, status domain.SellerClaimStatus) ([]domain.SellerClaim, error)
}

const maxClaimBody = 8 << 10

const claimExample = `{"mark_id":"liugehetao","seller":"养元饮品官方旗舰店","note":"授权书编号 2026-001"}`

type claimBody struct {
	MarkID string `json:"mark_id"`
	Seller string `json:"seller"`
	Note   string `json:"note"`
}

type claimList struct {
	Claims []domain.SellerClaim `json:"claims"`
}

// createClaim serves POST /api/v1/seller-claims: an owner says a seller may
// sell its mark's goods. A mark outside the owner's scope answers 404, the
// same as a mark that does not exist.
func (a *api) createClaim(w http.ResponseWriter, r *http.Request) {
	p, body, ok := principalBody[claimBody](w, r, maxClaimBody, claimExample)
	if !ok {
		return
	}
	mark, seller, note := strings.TrimSpace(body.MarkID), strings.TrimSpace(body.Seller), strings.TrimSpace(body.Note)
	switch {
	case mark == "" || seller == "":
		writeError(w, r, domain.Errorf(domain.EINVALID, "a claim needs mark_id and seller; send %s", claimExample))
		return
	case utf8.RuneCountInString(seller) > 200 || utf8.RuneCountInString(note) > maxNoteRunes:
		writeError(w, r, domain.Errorf(domain.EINVALID, "seller is at most 200 characters and note at most %d", maxNoteRunes))
		return
	case !p.Scope.AllowsMark(mark):
		writeError(w, r, domain.Errorf(domain.ENOTFOUND, "mark %q does not exist", mark))
		return
	}
	c := domain.SellerClaim{MarkID: mark, Seller: seller, Note: note, Status: domain.ClaimPending, ClaimedBy: p.Actor(), CreatedAt: a.deps.Now()}
	created, err := a.deps.Claims.CreateSellerClaim(r.Context(), c)
	if err != nil {
		writeError(w, r, fmt.Errorf("claiming seller %s for mark %s: %w", seller, mark, err))
		return
	}
	writeJSON(w, http.StatusCreated, created)
}

// canListClaims: owners see their claims, deciders the ones to decide.
func canListClaims(p access.Principal) bool {
	return p.Can(access.ClaimSeller) || p.Can(access.DecideClaims)
}

// listClaims serves GET /api/v1/seller-claims?status= within the scope.
func (a *api) listClaims(w http.ResponseWriter, r *http.Request) {
	p, ok := principal(w, r)
	if !ok {
		return
	}
	if !canListClaims(p) {
		writeError(w, r, domain.Errorf(codeForbidden, "seller claims are for owners and for those who decide them; a %s has neither right", p.User.Role))
		return
	}
	status := domain.SellerClaimStatus(r.URL.Query().Get("status"))
	switch status {
	case "", domain.ClaimPending, domain.ClaimAccepted, domain.ClaimRejected:
	default:
		writeError(w, r, domain.Errorf(domain.EINVALID, "query parameter status=%q: must be %s, %s or %s",
			status, domain.ClaimPending, domain.ClaimAccepted, domain.ClaimRejected))
		return
	}
	claims, err := a.deps.Claims.ListSellerClaims(r.Context(), p.Scope, status)
	if err != nil {
		writeError(w, r, fmt.Errorf("listing seller claims: %w", err))
		return
	}
	kept, _ := inScope(a, p, "seller claims", claims, func(c domain.SellerClaim) bool { return p.Scope.AllowsMark(c.MarkID) })
	writeJSON(w, http.StatusOK, claimList{Claims: kept})
}

// acceptClaim serves POST /api/v1/seller-claims/{id}/accept: the seller
// joins the mark's allow list.
func (a *api) acceptClaim(w http.ResponseWriter, r *http.Request) { a.decideClaim(w, r, true) }

// rejectClaim serves POST /api/v1/seller-claims/{id}/reject.
func (a *api) rejectClaim(w http.ResponseWriter, r *http.Request) { a.decideClaim(w, r, false) }

func (a *api) decideClaim(w http.ResponseWriter, r *http.Request, accept bool) {
	p, id, ok := principalID(w, r, "seller claim")
	if !ok {
		return
	}
	notFound := domain.Errorf(domain.ENOTFOUND, "seller claim %d does not exist", id)
	// Deciders (admins, supervisors) see every mark today; should a
	// restricted role ever decide, it may decide only claims it can see.
	if p.Scope.Restricted {
		visible, err := a.claimVisible(r.Context(), p.Scope, id)
		if err != nil {
			writeError(w, r, fmt.Errorf("deciding seller claim %d: %w", id, err))
			return
		}
		if !visible {
			writeError(w, r, fmt.Errorf("deciding seller claim %d: %w", id, notFound))
			return
		}
	}
	c, err := a.deps.Claims.DecideSellerClaim(r.Context(), id, accept, p.Actor())
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			err = fmt.Errorf("%w: %w", notFound, err)
		}
		writeError(w, r, fmt.Errorf("deciding seller claim %d: %w", id, err))
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (a *api) claimVisible(ctx context.Context, scope domain.Scope, id int64) (bool, error) {
	claims, err := a.deps.Claims.ListSellerClaims(ctx, scope, "")
	if err != nil {
		return false, fmt.Errorf("listing claims in scope: %w", err)
	}
	for _, c := range claims {
		if c.ID == id && scope.AllowsMark(c.MarkID) {
			return true, nil
		}
	}
	return false, nil
}
