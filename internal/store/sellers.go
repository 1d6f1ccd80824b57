package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// MaxNetworkAlerts bounds the alerts SellerNetwork returns.
const MaxNetworkAlerts = 200

// alertScope is the condition on alerts a (columns a.*) that keeps what
// scope sees and drops merged alerts, with its arguments.
func alertScope(scope domain.Scope) (string, []any) {
	where, args := scopeConds(scope, "a.mark_id", "a.location")
	where = append([]string{"a.id NOT IN (SELECT merged_id FROM alert_merges)"}, where...)
	return strings.Join(where, " AND "), args
}

// scoped reports whether scope hides anything.
func scoped(s domain.Scope) bool { return s.Restricted || strings.TrimSpace(s.Jurisdiction) != "" }

// sellerSelect reads sellers s with their counts: listings, and the alerts
// (all, confirmed) that scope sees. Its arguments come first.
func sellerSelect(scope domain.Scope) (string, []any) {
	cond, sargs := alertScope(scope)
	q := `SELECT s.id, s.network_id, s.platform, s.name, s.location, s.first_seen, s.last_seen,
		(SELECT count(*) FROM listings l WHERE l.seller_id = s.id),
		(SELECT count(*) FROM alerts a WHERE a.seller_id = s.id AND ` + cond + `),
		(SELECT count(*) FROM alerts a WHERE a.seller_id = s.id AND a.status = 'confirmed' AND ` + cond + `)
		FROM sellers s`
	return q, append(slices.Clone(sargs), sargs...)
}

func scanSeller(s scanner) (domain.Seller, error) {
	var (
		x           domain.Seller
		first, last int64
	)
	err := s.Scan(&x.ID, &x.NetworkID, &x.Platform, &x.Name, &x.Location, &first, &last,
		&x.Listings, &x.Alerts, &x.Confirmed)
	x.FirstSeen, x.LastSeen = fromMillis(first), fromMillis(last)
	return x, err
}

// ListSellers returns one page of sellers, most recently seen first, and
// the number matching the filter. Limit 0 means DefaultPageSize. A scoped
// principal sees only sellers with an alert it may see.
func (db *DB) ListSellers(ctx context.Context, f domain.SellerFilter) ([]domain.Seller, int, error) {
	limit, err := pageLimit(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("listing sellers: %w", err)
	}
	var where []string
	var args []any
	if q := strings.TrimSpace(f.Query); q != "" {
		where = append(where, `s.name LIKE ? ESCAPE '\'`)
		args = append(args, "%"+escapeLike(q)+"%")
	}
	if f.Platform != "" {
		where = append(where, "s.platform = ?")
		args = append(args, f.Platform)
	}
	cond, sargs := alertScope(f.Scope)
	if f.Confirmed {
		where = append(where, "EXISTS (SELECT 1 FROM alerts a WHERE a.seller_id = s.id AND a.status = 'confirmed' AND "+cond+")")
		args = append(args, sargs...)
	} else if scoped(f.Scope) {
		where = append(where, "EXISTS (SELECT 1 FROM alerts a WHERE a.seller_id = s.id AND "+cond+")")
		args = append(args, sargs...)
	}
	w := ""
	if len(where) > 0 {
		w = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM sellers s"+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("listing sellers: counting: %w", err)
	}
	q, qargs := sellerSelect(f.Scope)
	rows, err := db.sql.QueryContext(ctx, q+w+" ORDER BY s.last_seen DESC, s.id DESC LIMIT ? OFFSET ?",
		append(append(qargs, args...), limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("listing sellers: %w", err)
	}
	out, err := scanAll(rows, scanSeller)
	if err != nil {
		return nil, 0, fmt.Errorf("listing sellers: %w", err)
	}
	return out, total, nil
}

// SellerNetwork returns the network of seller id: its sellers (lowest id
// first) with their contacts and counts, the links between them, and
// their alerts newest first (at most MaxNetworkAlerts). Alerts and counts
// are what scope sees; a scoped principal who sees no alert of the
// network, like a seller that does not exist, gets domain.ENOTFOUND.
//
// Links join sellers sharing a contact; a contact shared by many links
// each of them to the first (lowest id), which keeps the network
// connected without one link per pair.
func (db *DB) SellerNetwork(ctx context.Context, id int64, scope domain.Scope) (domain.SellerNetwork, error) {
	var network int64
	err := db.sql.QueryRowContext(ctx, "SELECT network_id FROM sellers WHERE id = ?", id).Scan(&network)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.SellerNetwork{}, domain.Errorf(domain.ENOTFOUND, "seller %d does not exist", id)
	}
	if err != nil {
		return domain.SellerNetwork{}, fmt.Errorf("reading seller %d: %w", id, err)
	}
	n := domain.SellerNetwork{ID: network}
	q, qargs := sellerSelect(scope)
	rows, err := db.sql.QueryContext(ctx, q+" WHERE s.network_id = ? ORDER BY s.id", append(qargs, network)...)
	if err != nil {
		return n, fmt.Errorf("reading network of seller %d: %w", id, err)
	}
	if n.Sellers, err = scanAll(rows, scanSeller); err != nil {
		return n, fmt.Errorf("reading network of seller %d: %w", id, err)
	}
	if scoped(scope) && !slices.ContainsFunc(n.Sellers, func(s domain.Seller) bool { return s.Alerts > 0 }) {
		return domain.SellerNetwork{}, domain.Errorf(domain.ENOTFOUND, "seller %d does not exist", id)
	}
	if err := db.networkContacts(ctx, &n); err != nil {
		return n, fmt.Errorf("reading network of seller %d: %w", id, err)
	}
	cond, sargs := alertScope(scope)
	rows, err = db.sql.QueryContext(ctx, "SELECT "+alertColumns+` FROM alerts a
		WHERE a.seller_id IN (SELECT id FROM sellers WHERE network_id = ?) AND `+cond+`
		ORDER BY a.first_seen DESC, a.id DESC LIMIT ?`, append(append([]any{network}, sargs...), MaxNetworkAlerts)...)
	if err != nil {
		return n, fmt.Errorf("reading alerts of seller network %d: %w", network, err)
	}
	if n.Alerts, err = scanAll(rows, scanAlert); err != nil {
		return n, fmt.Errorf("reading alerts of seller network %d: %w", network, err)
	}
	return n, nil
}

// networkContacts fills the contacts of n's sellers and n's links.
func (db *DB) networkContacts(ctx context.Context, n *domain.SellerNetwork) error {
	type held struct {
		seller int64
		c      domain.Contact
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT c.seller_id, c.kind, c.value FROM seller_contacts c
		JOIN sellers s ON s.id = c.seller_id WHERE s.network_id = ? ORDER BY c.seller_id, c.first_seen, c.kind, c.value`, n.ID)
	if err != nil {
		return err
	}
	hs, err := scanAll(rows, func(s scanner) (held, error) {
		var h held
		var kind string
		err := s.Scan(&h.seller, &kind, &h.c.Value)
		h.c.Kind = domain.ContactKind(kind)
		return h, err
	})
	if err != nil {
		return err
	}
	at := make(map[int64]int, len(n.Sellers))
	for i, s := range n.Sellers {
		at[s.ID] = i
	}
	first := map[domain.Contact]int64{}
	n.Links = []domain.SellerLink{}
	for _, h := range hs {
		if i, ok := at[h.seller]; ok {
			n.Sellers[i].Contacts = append(n.Sellers[i].Contacts, h.c)
		}
		if f, ok := first[h.c]; !ok {
			first[h.c] = h.seller
		} else {
			n.Links = append(n.Links, domain.SellerLink{From: f, To: h.seller, Contact: h.c})
		}
	}
	slices.SortStableFunc(n.Links, func(a, b domain.SellerLink) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	return nil
}
