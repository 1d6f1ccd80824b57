package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

const claimColumns = `id, mark_id, seller, note, status, claimed_by, decided_by, created_at, decided_at`

// CreateSellerClaim records an owner's claim that a seller is authorised
// for a mark, with seller.claim in the audit log (the claimant is
// c.ClaimedBy). A pending claim for the same mark and seller, or a seller
// already accepted, is domain.ECONFLICT: one decision per question.
func (db *DB) CreateSellerClaim(ctx context.Context, c domain.SellerClaim) (domain.SellerClaim, error) {
	c.MarkID, c.Seller, c.Note = strings.TrimSpace(c.MarkID), strings.TrimSpace(c.Seller), strings.TrimSpace(c.Note)
	switch {
	case c.MarkID == "":
		return domain.SellerClaim{}, domain.Errorf(domain.EINVALID, "claiming a seller: mark_id is empty; name the mark the seller is authorised for")
	case c.Seller == "":
		return domain.SellerClaim{}, domain.Errorf(domain.EINVALID, "claiming a seller for %s: seller is empty; give the shop name as the marketplace shows it", c.MarkID)
	case utf8.RuneCountInString(c.Seller) > 200:
		return domain.SellerClaim{}, domain.Errorf(domain.EINVALID, "claiming a seller for %s: seller name is longer than 200 characters", c.MarkID)
	case utf8.RuneCountInString(c.Note) > maxNoteRunes:
		return domain.SellerClaim{}, domain.Errorf(domain.EINVALID, "claiming %s for %s: note is longer than %d characters; shorten it", c.Seller, c.MarkID, maxNoteRunes)
	}
	c.Status, c.DecidedBy, c.DecidedAt, c.CreatedAt = domain.ClaimPending, nil, nil, db.stamp()
	err := db.inTx(ctx, fmt.Sprintf("claiming seller %s for %s", c.Seller, c.MarkID), func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM seller_claims
			WHERE mark_id = ? AND seller = ? AND status IN ('pending', 'accepted') LIMIT 1`, c.MarkID, c.Seller).Scan(&status)
		if err == nil {
			return domain.Errorf(domain.ECONFLICT, "seller %s already has a %s claim for %s", c.Seller, status, c.MarkID)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("checking earlier claims: %w", err)
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO seller_claims (mark_id, seller, note, status, claimed_by, created_at)
			VALUES (?, ?, ?, 'pending', ?, ?) RETURNING id`,
			c.MarkID, c.Seller, c.Note, string(auditDoc(c.ClaimedBy)), toMillis(c.CreatedAt)).Scan(&c.ID)
		if err != nil {
			return fmt.Errorf("inserting: %w", err)
		}
		_, err = db.appendAudit(ctx, tx, domain.AuditEntry{
			Actor: c.ClaimedBy, Action: domain.AuditSellerClaim, Object: fmt.Sprintf("seller_claim:%d", c.ID),
			MarkID: c.MarkID, After: auditDoc(c), Note: c.Note,
		})
		return err
	})
	if err != nil {
		return domain.SellerClaim{}, err
	}
	return c, nil
}

// DecideSellerClaim accepts or rejects a pending claim and records
// seller.decide. A claim already decided is domain.ECONFLICT, so two
// supervisors deciding at once cannot both win.
func (db *DB) DecideSellerClaim(ctx context.Context, id int64, accept bool, actor domain.Actor) (domain.SellerClaim, error) {
	var c domain.SellerClaim
	err := db.inTx(ctx, fmt.Sprintf("deciding seller claim %d", id), func(tx *sql.Tx) error {
		var err error
		c, err = scanClaim(tx.QueryRowContext(ctx, "SELECT "+claimColumns+" FROM seller_claims WHERE id = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "seller claim %d does not exist", id)
		}
		if err != nil {
			return fmt.Errorf("reading: %w", err)
		}
		if c.Status != domain.ClaimPending {
			return domain.Errorf(domain.ECONFLICT, "seller claim %d was already %s", id, c.Status)
		}
		c.Status = domain.ClaimRejected
		if accept {
			c.Status = domain.ClaimAccepted
		}
		now := db.stamp()
		who := actor
		c.DecidedBy, c.DecidedAt = &who, &now
		_, err = tx.ExecContext(ctx, "UPDATE seller_claims SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?",
			string(c.Status), string(auditDoc(actor)), toMillis(now), id)
		if err != nil {
			return fmt.Errorf("updating: %w", err)
		}
		_, err = db.appendAudit(ctx, tx, domain.AuditEntry{
			Actor: actor, Action: domain.AuditSellerDecide, Object: fmt.Sprintf("seller_claim:%d", id), MarkID: c.MarkID,
			Before: auditDoc(map[string]any{"status": domain.ClaimPending, "seller": c.Seller}),
			After:  auditDoc(map[string]any{"status": c.Status, "seller": c.Seller}),
		})
		return err
	})
	if err != nil {
		return domain.SellerClaim{}, err
	}
	return c, nil
}

// ListSellerClaims returns claims the scope may see (a restricted scope:
// claims on its marks), newest first; status "" selects every status.
func (db *DB) ListSellerClaims(ctx context.Context, scope domain.Scope, status domain.SellerClaimStatus) ([]domain.SellerClaim, error) {
	where, args := scopeConds(scope, "mark_id", "")
	switch status {
	case "":
	case domain.ClaimPending, domain.ClaimAccepted, domain.ClaimRejected:
		where, args = append(where, "status = ?"), append(args, string(status))
	default:
		return nil, domain.Errorf(domain.EINVALID, "listing seller claims: status %q must be pending, accepted or rejected", status)
	}
	q := "SELECT " + claimColumns + " FROM seller_claims"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := db.sql.QueryContext(ctx, q+" ORDER BY id DESC", args...)
	if err != nil {
		return nil, fmt.Errorf("listing seller claims: %w", err)
	}
	out, err := scanAll(rows, scanClaim)
	if err != nil {
		return nil, fmt.Errorf("listing seller claims: %w", err)
	}
	return out, nil
}

// AcceptedSellers maps each mark to its accepted sellers (sorted), for the
// matcher's allow list.
func (db *DB) AcceptedSellers(ctx context.Context) (map[string][]string, error) {
	rows, err := db.sql.QueryContext(ctx,
		"SELECT DISTINCT mark_id, seller FROM seller_claims WHERE status = 'accepted' ORDER BY mark_id, seller")
	if err != nil {
		return nil, fmt.Errorf("reading accepted sellers: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var mark, seller string
		if err := rows.Scan(&mark, &seller); err != nil {
			return nil, fmt.Errorf("reading accepted sellers: %w", err)
		}
		out[mark] = append(out[mark], seller)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading accepted sellers: %w", err)
	}
	return out, nil
}

func scanClaim(s scanner) (domain.SellerClaim, error) {
	var (
		c                 domain.SellerClaim
		status, claimedBy string
		decidedBy         sql.NullString
		created           int64
		decided           sql.NullInt64
	)
	if err := s.Scan(&c.ID, &c.MarkID, &c.Seller, &c.Note, &status, &claimedBy, &decidedBy, &created, &decided); err != nil {
		return domain.SellerClaim{}, err
	}
	c.Status, c.CreatedAt, c.DecidedAt = domain.SellerClaimStatus(status), fromMillis(created), fromNullMillis(decided)
	if err := json.Unmarshal([]byte(claimedBy), &c.ClaimedBy); err != nil {
		return domain.SellerClaim{}, fmt.Errorf("seller claim %d: decoding claimant: %w", c.ID, err)
	}
	if decidedBy.Valid {
		var a domain.Actor
		if err := json.Unmarshal([]byte(decidedBy.String), &a); err != nil {
			return domain.SellerClaim{}, fmt.Errorf("seller claim %d: decoding decider: %w", c.ID, err)
		}
		c.DecidedBy = &a
	}
	return c, nil
}
