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
	// qSelectSeller reads a seller and its contacts in one statement: a
	// re-sighting of a known shop with known contacts writes nothing more.
	qSelectSeller = `SELECT s.id, s.network_id, s.name, s.location, s.last_seen, coalesce(c.kind, ''), coalesce(c.value, '')
		FROM sellers s LEFT JOIN seller_contacts c ON c.seller_id = s.id
		WHERE s.platform = ? AND s.shop_key = ?`
	// qInsertSeller starts the seller's own network: its id is chosen in
	// the statement (the one writer holds the database) so network_id can
	// be the same value without a second statement.
	qInsertSeller = `INSERT INTO sellers (id, platform, shop_key, name, location, network_id, first_seen, last_seen)
		SELECT n, ?, ?, ?, ?, n, ?, ? FROM (SELECT coalesce(max(id), 0) + 1 AS n FROM sellers)
		RETURNING id`
	qTouchSeller = `UPDATE sellers SET name = ?,
		location = CASE WHEN ? != '' THEN ? ELSE location END,
		last_seen = max(last_seen, ?) WHERE id = ?`
	qMergeNetwork = "UPDATE sellers SET network_id = ? WHERE network_id = ?"
	// qFillAlertSeller gives an alert raised before sellers were kept the
	// seller of its listing (see upsertAlert).
	qFillAlertSeller = "UPDATE alerts SET seller_id = ? WHERE mark_id = ? AND url_key = ? AND seller_id IS NULL"
)

// sellerStatements are prepared with the other hot statements.
func sellerStatements() []string {
	out := []string{qSelectSeller, qInsertSeller, qTouchSeller, qMergeNetwork, qFillAlertSeller}
	for n := 1; n <= contactChunk; n++ {
		out = append(out, qContactNetworks(n), qInsertContacts(n))
	}
	return out
}

// sellerTouchEvery is how stale a seller's last_seen may grow before a
// sighting moves it: the listing keeps the exact time, and a write per
// re-sighting would double what an unchanged crawl costs.
const sellerTouchEvery = time.Hour

// sellerCache remembers, within one transaction, the sellers already
// recorded, their networks and contacts, so a batch with many listings of
// one shop reads it once.
type sellerCache struct {
	byIdent map[sellerIdent]*sellerState
	byID    map[int64]*sellerState
	// absent are sellers preloadSellers found missing: only their own
	// first sighting can insert them, so it need not read again.
	absent map[sellerIdent]bool
}

type sellerState struct {
	id, network int64
	known       map[domain.Contact]bool
	// preloaded: read by preloadSellers and not yet seen by saveSeller,
	// which then does what loadSeller does after reading (the touch),
	// with what the read found: name, location and last_seen.
	preloaded bool
	name, loc string
	last      int64
}

func newSellerCache() *sellerCache {
	return &sellerCache{byIdent: map[sellerIdent]*sellerState{}, byID: map[int64]*sellerState{}, absent: map[sellerIdent]bool{}}
}

// sellerIdent is a seller's identity: a shop on a platform.
type sellerIdent struct{ platform, key string }

// sellerOf is identWith's answer for one listing.
type sellerOf struct {
	ident sellerIdent
	ok    bool
	shop  string // seller.ShopKey of the listing's name
}

// identWith returns the seller identity of a listing, whose name's
// seller.ShopKey is shop (ShopKey ignores the spaces TrimSpace cuts); not
// ok for a listing without a seller name. A name too short for a shop key
// is still a shop, kept apart by its plain name, but links to no other by
// it.
func identWith(l domain.Listing, shop string) sellerOf {
	name := strings.TrimSpace(l.Seller)
	if name == "" {
		return sellerOf{}
	}
	platform := l.Platform
	if platform == "" {
		platform = l.SourceID
	}
	key := shop
	if key == "" {
		key = "name:" + name
	}
	return sellerOf{ident: sellerIdent{platform: platform, key: key}, ok: true, shop: shop}
}

// batchIdents are identWith of each listing of batch, each shop name's
// key computed once: a page shows a few shops' listings.
func batchIdents(batch []ListingMatches) []sellerOf {
	idents := make([]sellerOf, len(batch))
	keys := map[string]string{}
	for i, b := range batch {
		name := b.Listing.Seller
		shop, ok := keys[name]
		if !ok {
			shop = seller.ShopKey(name)
			keys[name] = shop
		}
		idents[i] = identWith(b.Listing, shop)
	}
	return idents
}

// saveSeller records the listing's seller and its contacts and returns
// the seller's id (0 for a listing without a seller). Contacts new to the
// seller merge the networks of the sellers that have them into one: since
// networks only ever merge, every seller sharing a contact is then in one
// network, which SellerRisks and SellerNetwork read with one lookup.
func (db *DB) saveSeller(ctx context.Context, tx *writeTx, l domain.Listing, seen time.Time, cache *sellerCache) (int64, error) {
	return db.saveSellerAs(ctx, tx, l, identWith(l, seller.ShopKey(l.Seller)), seen, cache)
}

// saveSellerAs is saveSeller with l's identWith already known.
func (db *DB) saveSellerAs(ctx context.Context, tx *writeTx, l domain.Listing, of sellerOf, seen time.Time, cache *sellerCache) (int64, error) {
	if !of.ok {
		return 0, nil
	}
	ident := of.ident
	st := cache.byIdent[ident]
	switch {
	case st == nil:
		var err error
		if st, err = loadSeller(ctx, tx, ident, l, seen, cache.absent[ident]); err != nil {
			return 0, fmt.Errorf("recording seller %q: %w", l.Seller, err)
		}
		cache.byIdent[ident] = st
		cache.byID[st.id] = st
	case st.preloaded:
		st.preloaded = false
		if err := touchSeller(ctx, tx, st, l, seen); err != nil {
			return 0, fmt.Errorf("recording seller %q: %w", l.Seller, err)
		}
	}
	var fresh []domain.Contact
	for _, c := range seller.KeysWith(l, of.shop) {
		if !st.known[c] {
			st.known[c] = true
			fresh = append(fresh, c)
		}
	}
	if len(fresh) == 0 {
		return st.id, nil
	}
	if err := addContacts(ctx, tx, st, fresh, seen, cache); err != nil {
		return 0, fmt.Errorf("recording seller %q: %w", l.Seller, err)
	}
	return st.id, nil
}

// loadSeller reads the seller of ident with its contacts, creating it or
// moving its name, location and (when stale) last_seen as l shows them.
// absent says a read in this transaction found none: it inserts at once.
func loadSeller(ctx context.Context, tx *writeTx, ident sellerIdent, l domain.Listing, seen time.Time, absent bool) (*sellerState, error) {
	st := &sellerState{known: map[domain.Contact]bool{}}
	if absent {
		return insertSeller(ctx, tx, st, ident, l, seen)
	}
	rows, err := tx.QueryContext(ctx, qSelectSeller, ident.platform, ident.key)
	if err != nil {
		return nil, err
	}
	_, err = scanAll(rows, func(s scanner) (struct{}, error) {
		var kind, value string
		if err := s.Scan(&st.id, &st.network, &st.name, &st.loc, &st.last, &kind, &value); err != nil {
			return struct{}{}, err
		}
		if kind != "" {
			st.known[domain.Contact{Kind: domain.ContactKind(kind), Value: value}] = true
		}
		return struct{}{}, nil
	})
	if err != nil {
		return nil, err
	}
	if st.id == 0 {
		return insertSeller(ctx, tx, st, ident, l, seen)
	}
	if err := touchSeller(ctx, tx, st, l, seen); err != nil {
		return nil, err
	}
	return st, nil
}

func insertSeller(ctx context.Context, tx *writeTx, st *sellerState, ident sellerIdent, l domain.Listing, seen time.Time) (*sellerState, error) {
	err := tx.QueryRowContext(ctx, qInsertSeller,
		ident.platform, ident.key, strings.TrimSpace(l.Seller), l.Location, toMillis(seen), toMillis(seen)).Scan(&st.id)
	if err != nil {
		return nil, fmt.Errorf("inserting: %w", err)
	}
	st.network = st.id
	return st, nil
}

// touchSeller moves the name, location and (when stale) last_seen of a
// seller just read, st, as l shows them.
func touchSeller(ctx context.Context, tx *writeTx, st *sellerState, l domain.Listing, seen time.Time) error {
	name := strings.TrimSpace(l.Seller)
	moved := name != st.name || (l.Location != "" && l.Location != st.loc) ||
		toMillis(seen)-st.last >= sellerTouchEvery.Milliseconds()
	if !moved {
		return nil
	}
	if _, err := tx.ExecContext(ctx, qTouchSeller, name, l.Location, l.Location, toMillis(seen), st.id); err != nil {
		return fmt.Errorf("updating %d: %w", st.id, err)
	}
	return nil
}

// preloadSellers reads the sellers of a batch's listings, with their
// contacts, in one statement (one per seller was a crawl batch's largest
// cost after its listings: a page shows dozens of shops), into cache;
// saveSeller then records each at its listing's turn as it would have.
// Reading them all first reads what each listing's turn would: only a
// seller's own turn changes its row, and network merges before it update
// the cache (addContacts) as they update the rows.
//
// idents are batchIdents(batch), computed once for both.
func (db *DB) preloadSellers(ctx context.Context, tx *writeTx, batch []ListingMatches, idents []sellerOf, cache *sellerCache) error {
	var (
		args []any
		want []sellerIdent
	)
	at := make(map[sellerIdent]bool, len(batch))
	for _, id := range idents {
		if !id.ok || at[id.ident] {
			continue
		}
		at[id.ident] = true
		args = append(args, len(want), id.ident.platform, id.ident.key)
		want = append(want, id.ident)
	}
	if len(want) == 0 {
		return nil
	}
	err := db.resightQ.sellers.chunks(nil, args, func(q string, args []any) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		_, err = scanAll(rows, func(s scanner) (struct{}, error) {
			var (
				i           int
				id          int64
				kind, value string
			)
			st := &sellerState{preloaded: true, known: map[domain.Contact]bool{}}
			if err := s.Scan(&i, &id, &st.network, &st.name, &st.loc, &st.last, &kind, &value); err != nil {
				return struct{}{}, err
			}
			if i < 0 || i >= len(want) {
				return struct{}{}, fmt.Errorf("read seller %d of %d", i, len(want))
			}
			ident := want[i]
			if had := cache.byIdent[ident]; had != nil {
				st = had
			} else {
				st.id = id
				cache.byIdent[ident], cache.byID[id] = st, st
			}
			if kind != "" {
				st.known[domain.Contact{Kind: domain.ContactKind(kind), Value: value}] = true
			}
			return struct{}{}, nil
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("reading the sellers of %d listings: %w", len(batch), err)
	}
	for _, ident := range want {
		if cache.byIdent[ident] == nil {
			cache.absent[ident] = true
		}
	}
	return nil
}

// contactChunk is how many contacts addContacts handles per statement:
// the statements for 1..contactChunk contacts are prepared at Open (a
// listing rarely shows more), longer lists go in chunks.
const contactChunk = 4

// qContactNetworks finds the other networks holding any of n contacts;
// qInsertContacts records n contacts of one seller.
func qContactNetworks(n int) string {
	return `SELECT DISTINCT s.network_id FROM seller_contacts c JOIN sellers s ON s.id = c.seller_id
		WHERE (` + strings.TrimSuffix(strings.Repeat("(c.kind = ? AND c.value = ?) OR ", n), " OR ") + `) AND s.network_id != ?`
}

func qInsertContacts(n int) string {
	return "INSERT INTO seller_contacts (seller_id, kind, value, first_seen) VALUES " +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", n), ", ") + " ON CONFLICT DO NOTHING"
}

// addContacts records contacts cs, new to seller st, and merges every
// network holding one of them with st's into the lowest-numbered.
func addContacts(ctx context.Context, tx *writeTx, st *sellerState, cs []domain.Contact, seen time.Time, cache *sellerCache) error {
	for len(cs) > contactChunk {
		if err := addContacts(ctx, tx, st, cs[:contactChunk], seen, cache); err != nil {
			return err
		}
		cs = cs[contactChunk:]
	}
	args := make([]any, 0, 2*len(cs)+1)
	vals := make([]any, 0, 4*len(cs))
	for _, c := range cs {
		args = append(args, string(c.Kind), c.Value)
		vals = append(vals, st.id, string(c.Kind), c.Value, toMillis(seen))
	}
	rows, err := tx.QueryContext(ctx, qContactNetworks(len(cs)), append(args, st.network)...)
	if err != nil {
		return fmt.Errorf("finding sellers sharing its contacts: %w", err)
	}
	others, err := scanAll(rows, func(s scanner) (int64, error) {
		var n int64
		return n, s.Scan(&n)
	})
	if err != nil {
		return fmt.Errorf("finding sellers sharing its contacts: %w", err)
	}
	_, err = tx.ExecContext(ctx, qInsertContacts(len(cs)), vals...)
	if err != nil {
		return fmt.Errorf("inserting contacts: %w", err)
	}
	if len(others) == 0 {
		return nil
	}
	into := st.network
	for _, n := range others {
		into = min(into, n)
	}
	for _, n := range append(others, st.network) {
		if n == into {
			continue
		}
		if _, err := tx.ExecContext(ctx, qMergeNetwork, into, n); err != nil {
			return fmt.Errorf("merging seller network %d into %d: %w", n, into, err)
		}
		for _, s := range cache.byID {
			if s.network == n {
				s.network = into
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
