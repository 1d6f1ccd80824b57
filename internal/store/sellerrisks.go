package store

import (
	"context"
	"fmt"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/seller"
)

// qSellerRisks reads every contact of every seller in a network with a
// confirmed alert, with the seller's own confirmed count and the
// network's. Merged alerts count once, as the alert they were merged into.
const qSellerRisks = `WITH own AS (
		SELECT seller_id, count(*) AS n FROM alerts
		WHERE status = 'confirmed' AND seller_id IS NOT NULL AND id NOT IN (SELECT merged_id FROM alert_merges)
		GROUP BY seller_id
	), nets AS (
		SELECT s.network_id, CAST(sum(own.n) AS INTEGER) AS n FROM own JOIN sellers s ON s.id = own.seller_id GROUP BY s.network_id
	)
	SELECT s.id, s.network_id, s.name, coalesce(own.n, 0), nets.n, c.kind, c.value
	FROM nets JOIN sellers s ON s.network_id = nets.network_id
	JOIN seller_contacts c ON c.seller_id = s.id
	LEFT JOIN own ON own.seller_id = s.id
	ORDER BY s.network_id, s.id`

// riskRow is one contact of one seller of a network with confirmed alerts.
type riskRow struct {
	seller, network int64
	name            string
	own, confirmed  int
	contact         domain.Contact
}

// SellerRisks returns, for every seller network with at least one
// confirmed alert, each contact key of its sellers (shop keys included)
// and the network's history: the confirmed count and, in words, which
// contact links a seller holding that key to which confirmed shop. The
// pipeline takes it once at run start and looks listings' seller.Keys up
// in it before matching.
func (db *DB) SellerRisks(ctx context.Context) (map[domain.Contact]domain.SellerHistory, error) {
	rows, err := db.sql.QueryContext(ctx, qSellerRisks)
	if err != nil {
		return nil, fmt.Errorf("reading seller risks: %w", err)
	}
	rs, err := scanAll(rows, func(s scanner) (riskRow, error) {
		var r riskRow
		var kind string
		err := s.Scan(&r.seller, &r.network, &r.name, &r.own, &r.confirmed, &kind, &r.contact.Value)
		r.contact.Kind = domain.ContactKind(kind)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("reading seller risks: %w", err)
	}
	return risksOf(rs), nil
}

// risksOf turns the rows of qSellerRisks (ordered by network, then seller)
// into histories. A key held by a seller with confirmed alerts of its own
// names that seller; a key of a seller that is only linked names the
// network's most confirmed one; the shop key of a confirmed shop is the
// shop itself and says nothing more (Via "").
func risksOf(rs []riskRow) map[domain.Contact]domain.SellerHistory {
	out := map[domain.Contact]domain.SellerHistory{}
	for start := 0; start < len(rs); {
		end := start
		top := rs[start]
		for end < len(rs) && rs[end].network == rs[start].network {
			if rs[end].own > top.own {
				top = rs[end]
			}
			end++
		}
		net := rs[start:end]
		// The confirmed seller holding each key, if any: the most confirmed.
		holder := map[domain.Contact]riskRow{}
		for _, r := range net {
			if h, ok := holder[r.contact]; r.own > 0 && (!ok || r.own > h.own) {
				holder[r.contact] = r
			}
		}
		for _, r := range net {
			if _, done := out[r.contact]; done {
				continue
			}
			h := domain.SellerHistory{NetworkID: r.network, Confirmed: r.confirmed}
			by, ok := holder[r.contact]
			switch {
			case ok && r.contact.Kind == domain.ContactShop:
			case ok:
				h.Via = seller.Describe(r.contact) + " 与 " + by.name
			default:
				h.Via = seller.Describe(r.contact) + " 与 " + top.name
			}
			out[r.contact] = h
		}
		start = end
	}
	return out
}
