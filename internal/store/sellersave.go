package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/seller"
)

// The statements that record a listing's seller (see saveSeller).
const (
	qUpsertSeller = `INSERT INTO sellers (platform, shop_key, name, location, network_id, first_seen, last_seen)
		VALUES (?, ?, ?, ?, 0, ?, ?)
		ON CONFLICT (platform, shop_key) DO UPDATE SET
			name = excluded.name,
			location = CASE WHEN excluded.location != '' THEN excluded.location ELSE sellers.location END,
			last_seen = max(sellers.last_seen, excluded.last_seen)
		RETURNING id, network_id`
	qOwnNetwork     = "UPDATE sellers SET network_id = id WHERE id = ?"
	qInsertContact  = "INSERT INTO seller_contacts (seller_id, kind, value, first_seen) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"
	qContactNetwork = `SELECT DISTINCT s.network_id FROM seller_contacts c JOIN sellers s ON s.id = c.seller_id
		WHERE c.kind = ? AND c.value = ? AND s.network_id != ?`
	qMergeNetwork = "UPDATE sellers SET network_id = ? WHERE network_id = ?"
)

// sellerStatements are prepared with the other hot statements.
var sellerStatements = []string{qUpsertSeller, qOwnNetwork, qInsertContact, qContactNetwork, qMergeNetwork}

// sellerCache remembers, within one transaction, the sellers already
// recorded and their networks, so a batch with many listings of one shop
// upserts it and its contacts once.
type sellerCache struct {
	ids      map[sellerIdent]int64
	networks map[int64]int64 // seller id → network id
	contacts map[int64]map[domain.Contact]bool
}

func newSellerCache() *sellerCache {
	return &sellerCache{
		ids:      map[sellerIdent]int64{},
		networks: map[int64]int64{},
		contacts: map[int64]map[domain.Contact]bool{},
	}
}

// sellerIdent is a seller's identity: a shop on a platform.
type sellerIdent struct{ platform, key string }

// identOf returns the seller identity of a listing; false for a listing
// without a seller name. A name too short for a shop key is still a
// shop, kept apart by its plain name, but links to no other by it.
func identOf(l domain.Listing) (sellerIdent, bool) {
	name := strings.TrimSpace(l.Seller)
	if name == "" {
		return sellerIdent{}, false
	}
	platform := l.Platform
	if platform == "" {
		platform = l.SourceID
	}
	key := seller.ShopKey(name)
	if key == "" {
		key = "name:" + name
	}
	return sellerIdent{platform: platform, key: key}, true
}

// saveSeller records the listing's seller and its contacts and returns
// the seller's id (0 for a listing without a seller). Every contact new to
// the seller merges the networks of the sellers that have it into one:
// since networks only ever merge, every seller sharing a contact is then in
// one network, which SellerRisks and SellerNetwork read with one lookup.
func (db *DB) saveSeller(ctx context.Context, tx *writeTx, l domain.Listing, seen time.Time, cache *sellerCache) (int64, error) {
	ident, ok := identOf(l)
	if !ok {
		return 0, nil
	}
	id, ok := cache.ids[ident]
	if !ok {
		var network int64
		err := tx.QueryRowContext(ctx, qUpsertSeller,
			ident.platform, ident.key, strings.TrimSpace(l.Seller), l.Location, toMillis(seen), toMillis(seen)).Scan(&id, &network)
		if err != nil {
			return 0, fmt.Errorf("recording seller %q: %w", l.Seller, err)
		}
		if network == 0 {
			if _, err := tx.ExecContext(ctx, qOwnNetwork, id); err != nil {
				return 0, fmt.Errorf("recording seller %q: %w", l.Seller, err)
			}
			network = id
		}
		cache.ids[ident] = id
		cache.networks[id] = network
		cache.contacts[id] = map[domain.Contact]bool{}
	}
	known := cache.contacts[id]
	for _, c := range seller.Keys(l) {
		if known[c] {
			continue
		}
		known[c] = true
		if err := db.addContact(ctx, tx, id, c, seen, cache); err != nil {
			return 0, fmt.Errorf("recording seller %q: %w", l.Seller, err)
		}
	}
	return id, nil
}

// addContact records contact c of seller id and, when it is new to the
// seller, merges every network holding c into the lowest-numbered one.
func (db *DB) addContact(ctx context.Context, tx *writeTx, id int64, c domain.Contact, seen time.Time, cache *sellerCache) error {
	res, err := tx.ExecContext(ctx, qInsertContact, id, string(c.Kind), c.Value, toMillis(seen))
	if err != nil {
		return fmt.Errorf("recording %s contact: %w", c.Kind, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	network := cache.networks[id]
	rows, err := tx.QueryContext(ctx, qContactNetwork, string(c.Kind), c.Value, network)
	if err != nil {
		return fmt.Errorf("finding sellers sharing %s contact: %w", c.Kind, err)
	}
	others, err := scanAll(rows, func(s scanner) (int64, error) {
		var n int64
		return n, s.Scan(&n)
	})
	if err != nil {
		return fmt.Errorf("finding sellers sharing %s contact: %w", c.Kind, err)
	}
	if len(others) == 0 {
		return nil
	}
	into := network
	for _, n := range others {
		into = min(into, n)
	}
	for _, n := range append(others, network) {
		if n == into {
			continue
		}
		if _, err := tx.ExecContext(ctx, qMergeNetwork, into, n); err != nil {
			return fmt.Errorf("merging seller network %d into %d: %w", n, into, err)
		}
		for sid, sn := range cache.networks {
			if sn == n {
				cache.networks[sid] = into
			}
		}
	}
	return nil
}

// nullID is id as a nullable column value: 0 is NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
