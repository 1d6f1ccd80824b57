package store

import (
	"context"
	"fmt"

	"github.com/markwatch/markwatch/internal/domain"
)

// ListingMatches is one listing with the matcher's verdicts on it.
type ListingMatches struct {
	Listing domain.Listing
	Matches []domain.Match
	// Evidence is what the pipeline kept of the listing (artefacts already
	// in the evidence store); nil when nothing was kept. See saveInTx.
	Evidence *ListingEvidence
}

// SaveListings stores a batch of listings in one transaction, each exactly as
// SaveListing would. A crawl delivers listings far faster than SQLite commits
// one transaction each (a commit is a WAL write and its syscalls), so the
// pipeline groups them; results are in input order. One invalid listing
// fails the whole batch before anything is written.
func (db *DB) SaveListings(ctx context.Context, batch []ListingMatches) ([]SaveResult, error) {
	return db.saveListings(ctx, batch, nil)
}

// saveListings is SaveListings; also, when set, it runs inTx in the same
// transaction once the batch is saved (SaveListingsWithProgress).
func (db *DB) saveListings(ctx context.Context, batch []ListingMatches, inTx func(tx *writeTx, results []SaveResult) error) ([]SaveResult, error) {
	for _, b := range batch {
		if err := validateListing(b.Listing, b.Matches); err != nil {
			return nil, err
		}
		if err := validateEvidence(b.Evidence); err != nil {
			return nil, fmt.Errorf("saving listing %s: %w", describe(b.Listing), err)
		}
	}
	if len(batch) == 0 {
		return nil, nil
	}
	results := make([]SaveResult, len(batch))
	err := db.inWriteTx(ctx, fmt.Sprintf("saving %d listings", len(batch)), func(tx *writeTx) error {
		// A PostgreSQL retry runs this again: nothing from the attempt
		// before may stay.
		clear(results)
		// A batch comes from one run, so this is usually one statement.
		ensured := map[string]bool{}
		for _, b := range batch {
			if ensured[b.Listing.SourceID] {
				continue
			}
			if err := ensureSource(ctx, tx, b.Listing.SourceID, db.stamp()); err != nil {
				return err
			}
			ensured[b.Listing.SourceID] = true
		}
		// Sellers first, in batch order: they depend on nothing else a save
		// writes, so the ids and networks are those one save after another
		// gives, and the fast path below has every listing's seller id.
		sellers := newSellerCache()
		idents := batchIdents(batch)
		if !db.slowOnly {
			if err := db.preloadSellers(ctx, tx, batch, idents, sellers); err != nil {
				return err
			}
		}
		sg := make([]sighting, len(batch))
		for i, b := range batch {
			sg[i].seen = db.seenAt(b.Listing)
			sid, err := db.saveSellerAs(ctx, tx, b.Listing, idents[i], sg[i].seen, sellers)
			if err != nil {
				return fmt.Errorf("listing %s: %w", describe(b.Listing), err)
			}
			sg[i].sid = sid
		}
		done, touched, err := db.resight(ctx, tx, batch, sg, results)
		if err != nil {
			return err
		}
		for i, b := range batch {
			if done[i] {
				continue
			}
			res, err := db.saveInTx(ctx, tx, b.Listing, b.Matches, b.Evidence, sg[i].seen, sg[i].sid, touched[i])
			if err != nil {
				return fmt.Errorf("listing %s: %w", describe(b.Listing), err)
			}
			results[i] = res
		}
		if inTx != nil {
			if err := inTx(tx, results); err != nil {
				return err
			}
		}
		if db.router == nil {
			return nil
		}
		// One subscriber read for the whole batch, and none when the batch
		// raised nothing new (route returns at once for no events).
		var events []domain.AlertEvent
		for i, b := range batch {
			events = alertEvents(events, b.Listing, results[i].NewAlerts)
		}
		return db.route(ctx, tx, events)
	})
	if err != nil {
		if db.cache != nil {
			// It may hold rows this transaction put in and rolled back.
			db.cache.clear()
		}
		return nil, err
	}
	return results, nil
}
