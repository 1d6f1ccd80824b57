package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// SaveResult reports what SaveListing stored.
type SaveResult struct {
	ListingID int64
	// Hits holds the current state of one hit per distinct mark in the matches.
	Hits []domain.Hit
	// NewAlerts are alerts raised for the first time by this call.
	NewAlerts []domain.Alert
	// TouchedAlerts counts existing alerts seen again (only last_seen, and a
	// higher score with its reasons, were updated).
	TouchedAlerts int
}

// SaveListing stores one listing and the matcher's verdicts on it in one
// transaction: the listing is upserted by (source, identity), one hit per
// mark is upserted, every hit created or changed gets an index outbox row,
// and each alerting match creates an alert unless one exists for (mark,
// identity). The identity is l.ID when set (see listingKey), else the URL.
//
// A hit counts as changed when anything its index document holds moved
// (the listing's title, url, price, seller, location; the hit's score,
// alert, reasons), last_seen excepted: a re-crawl of unchanged pages moves
// last_seen in SQLite and queues nothing, since re-indexing every hit on
// every crawl kept the index ever further behind (issue 12). The index's
// last_seen is therefore that of the last change it was sent.
func (db *DB) SaveListing(ctx context.Context, l domain.Listing, ms []domain.Match) (SaveResult, error) {
	if err := validateListing(l, ms); err != nil {
		return SaveResult{}, err
	}
	var res SaveResult
	err := db.inWriteTx(ctx, "saving listing "+describe(l), func(tx *writeTx) error {
		if err := ensureSource(ctx, tx, l.SourceID, db.stamp()); err != nil {
			return err
		}
		seen := db.seenAt(l)
		sid, err := db.saveSeller(ctx, tx, l, seen, newSellerCache())
		if err != nil {
			return err
		}
		if res, err = db.saveInTx(ctx, tx, l, ms, nil, seen, sid, listingTouch{}); err != nil {
			return err
		}
		if db.router == nil {
			return nil
		}
		return db.route(ctx, tx, alertEvents(nil, l, res.NewAlerts))
	})
	if err != nil {
		return SaveResult{}, err
	}
	return res, nil
}

// saveInTx is SaveListing's work inside a transaction the caller owns, so a
// batch of listings can share one commit (SaveListings). The caller has
// registered l's source (ensureSource) and recorded its seller (saveSeller,
// which gave sid) in the same transaction; seen is seenAt(l).
//
// A new alert starts its listing history at version 1; with evidence (and a
// RecordHash) that version gets its capture and capture jobs in this same
// transaction (docs/EVIDENCE.md, "Durability rule"). An existing alert whose
// listing changed title, price, seller or image gets the next version, with
// a capture when there is evidence. A re-sighting that changed nothing runs
// no statement beyond what it ran before versions existed.
//
// touched is what resight learnt of l's listing row in this transaction
// (the zero value when it did not try).
func (db *DB) saveInTx(ctx context.Context, tx *writeTx, l domain.Listing, ms []domain.Match, ev *ListingEvidence, seen time.Time, sid int64, touched listingTouch) (SaveResult, error) {
	var res SaveResult
	marks := distinctMarks(ms)
	sl, err := upsertListing(ctx, tx, l, sid, seen, touched, marks)
	if err != nil {
		return res, err
	}
	res.ListingID = sl.id
	for _, m := range marks {
		h, err := upsertHit(ctx, tx, sl, l, m, seen)
		if err != nil {
			return res, err
		}
		res.Hits = append(res.Hits, h)
		if !m.Alert {
			continue
		}
		a, created, err := upsertAlert(ctx, tx, l, h, sid, sl, seen)
		if err != nil {
			return res, err
		}
		if created {
			res.NewAlerts = append(res.NewAlerts, a)
			if err := db.firstVersion(ctx, tx, l, a, seen, ev); err != nil {
				return res, err
			}
		} else {
			res.TouchedAlerts++
			if sl.moved {
				if err := db.sightingMoved(ctx, tx, l, h.MarkID, seen, ev); err != nil {
					return res, err
				}
			}
		}
	}
	return res, nil
}

// seenAt is when l was seen, at the stored precision: its SeenAt, else now.
func (db *DB) seenAt(l domain.Listing) time.Time {
	if l.SeenAt.IsZero() {
		return db.stamp()
	}
	return l.SeenAt.UTC().Truncate(time.Millisecond)
}

// alertEvents appends one EventAlert per new alert of listing l.
func alertEvents(evs []domain.AlertEvent, l domain.Listing, alerts []domain.Alert) []domain.AlertEvent {
	for _, a := range alerts {
		evs = append(evs, domain.AlertEvent{Kind: domain.EventAlert, Alert: a, Platform: l.Platform, At: a.FirstSeen})
	}
	return evs
}

func validateListing(l domain.Listing, ms []domain.Match) error {
	if strings.TrimSpace(l.SourceID) == "" {
		return domain.Errorf(domain.EINVALID, "saving listing %s: source_id is empty", describe(l))
	}
	if l.URL == "" && strings.TrimSpace(l.Title) == "" {
		return domain.Errorf(domain.EINVALID, "saving listing from %s: it has neither url nor title to identify it", l.SourceID)
	}
	for i, m := range ms {
		if m.MarkID == "" {
			return domain.Errorf(domain.EINVALID, "saving listing %s: match %d has no mark_id", describe(l), i)
		}
		if math.IsNaN(m.Score) || m.Score < 0 || m.Score > 1 {
			return domain.Errorf(domain.EINVALID, "saving listing %s: match %d (%s): score %v is outside [0,1]", describe(l), i, m.MarkID, m.Score)
		}
	}
	return nil
}

func describe(l domain.Listing) string {
	if l.URL != "" {
		return l.URL
	}
	return fmt.Sprintf("%q", l.Title)
}

// listingKey identifies a listing within its source: its identity (l.ID,
// which the crawler sets to the offer's "platform:itemid" or canonical URL,
// see crawl.Source.Identity), else its URL, or a hash of the title for
// marketplaces whose cards carry no link.
func listingKey(l domain.Listing) string {
	if l.ID != "" {
		return l.ID
	}
	if l.URL != "" {
		return l.URL
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(l.Title)))
	return "title-sha256:" + hex.EncodeToString(sum[:])
}

// alertKey identifies a listing across sources for alert uniqueness: the same
// offer (identity, else URL) found by two sources or through two URL forms is
// one alert; a title-only listing is per source.
func alertKey(l domain.Listing) string {
	if l.ID != "" {
		return l.ID
	}
	if l.URL != "" {
		return l.URL
	}
	return l.SourceID + "/" + listingKey(l)
}

// distinctMarks keeps the best match per mark, in first-seen order, so a
// matcher returning a mark twice cannot violate UNIQUE(listing, mark).
//
// A listing matches a few marks, so it looks them up in what it has kept
// rather than in a map, which was an allocation per re-sighting; past
// distinctMarksScan matches a map keeps it linear.
func distinctMarks(ms []domain.Match) []domain.Match {
	out := make([]domain.Match, 0, len(ms))
	var at map[string]int
	if len(ms) > distinctMarksScan {
		at = make(map[string]int, len(ms))
	}
	for _, m := range ms {
		i, ok := -1, false
		if at != nil {
			i, ok = at[m.MarkID]
		} else {
			i = slices.IndexFunc(out, func(o domain.Match) bool { return o.MarkID == m.MarkID })
			ok = i >= 0
		}
		if ok {
			if m.Score > out[i].Score {
				out[i] = m
			}
			continue
		}
		if at != nil {
			at[m.MarkID] = len(out)
		}
		out = append(out, m)
	}
	return out
}

const distinctMarksScan = 8

func ensureSource(ctx context.Context, tx execer, id string, now time.Time) error {
	_, err := tx.ExecContext(ctx, qEnsureSource,
		id, toMillis(now))
	if err != nil {
		return fmt.Errorf("registering source %s: %w", id, err)
	}
	return nil
}

// savedListing is what upsertListing did to a listing row.
type savedListing struct {
	id int64
	// changed: anything the index shows (title, url, price, seller,
	// location) is new or different.
	changed bool
	// moved: anything a listing version holds (title, price, seller,
	// image) may have moved: true for a listing row not seen before, whose
	// alert may exist through another source, and for one marked
	// version_stale (a recheck found it gone, so seeing it again is news).
	moved bool
	// sellerMoved: the row had another seller (none, before sellers were
	// kept).
	sellerMoved bool
	// firstSeen: the row's first sighting is this one. Then no hit of it
	// can have been seen before this sighting, so qTouchHit would match
	// nothing and qFreezeHits has nothing to freeze: a new row has no hits,
	// and an old row first seen at this very millisecond (a replay) has
	// none seen earlier. Its alerts are most likely new too.
	firstSeen bool
	// last is the listing's last_seen after this sighting (listing_seen),
	// in milliseconds; latest says this sighting is it, so the hits of its
	// verdict are live (0010_listing_seen.sql).
	last   int64
	latest bool
}

// upsertListing saves l's listing row (savedListing says what moved) and
// its last_seen, first freezing what its last sightings kept live and this
// one does not: its hits, and its alerts but those of the marks it alerts
// (marks, the sighting's distinctMarks).
//
// sid is the listing's seller (saveSeller), 0 for none.
//
// touched is what resight learnt in this transaction: the row it found
// unchanged (as qTouchListing would have), or that it found none.
func upsertListing(ctx context.Context, tx *writeTx, l domain.Listing, sid int64, seen time.Time, touched listingTouch, marks []domain.Match) (savedListing, error) {
	sl, err := saveListingRow(ctx, tx, l, sid, seen, touched)
	if err != nil {
		return savedListing{}, err
	}
	if !sl.firstSeen {
		if _, err := tx.ExecContext(ctx, qFreezeHits, sl.id, toMillis(seen)); err != nil {
			return savedListing{}, fmt.Errorf("freezing the hits of listing %d: %w", sl.id, err)
		}
		args := []any{sl.id, toMillis(seen)}
		for _, m := range marks {
			if m.Alert {
				args = append(args, m.MarkID)
			}
		}
		if _, err := tx.ExecContext(ctx, freezeAlertsSQL(len(args)-2), args...); err != nil {
			return savedListing{}, fmt.Errorf("freezing the alerts of listing %d: %w", sl.id, err)
		}
	}
	if err := tx.QueryRowContext(ctx, qSeenListing, sl.id, toMillis(seen)).Scan(&sl.last); err != nil {
		return savedListing{}, fmt.Errorf("moving the last sighting of listing %d: %w", sl.id, err)
	}
	sl.latest = sl.last == toMillis(seen)
	return sl, nil
}

// saveListingRow is upsertListing's statement on the listing row.
func saveListingRow(ctx context.Context, tx *writeTx, l domain.Listing, sid int64, seen time.Time, touched listingTouch) (savedListing, error) {
	key := listingKey(l)
	var id int64
	switch {
	case touched.id != 0:
		return savedListing{id: touched.id}, nil
	case !touched.tried:
		// Most saves are re-sightings of an unchanged listing: try that first.
		err := tx.QueryRowContext(ctx, qTouchListing,
			l.Platform, l.Query, listingFP(l, sid),
			l.SourceID, key, l.URL, l.Title, l.Price, l.Seller, l.Location, l.ImageURL, nullID(sid)).Scan(&id)
		if err == nil {
			return savedListing{id: id}, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return savedListing{}, fmt.Errorf("touching listing: %w", err)
		}
	}
	// One statement inserts a first sighting or updates a changed one;
	// bits says which of the three moved (see qUpsertListing).
	var bits, first int64
	err := tx.QueryRowContext(ctx, qUpsertListing,
		l.SourceID, key, l.URL, l.Platform, l.Title, l.Price, l.Seller, l.Location, l.ImageURL, l.Query,
		toMillis(seen), nullID(sid), listingFP(l, sid)).Scan(&id, &bits, &first)
	if err != nil {
		return savedListing{}, fmt.Errorf("upserting listing: %w", err)
	}
	return savedListing{id: id, changed: bits&1 != 0, moved: bits&2 != 0, sellerMoved: bits&4 != 0,
		firstSeen: first == toMillis(seen)}, nil
}

// hitLast is a stored hit's last_seen: its listing's while it is live.
func (sl savedListing) hitLast(last, live int64) time.Time {
	if live == 1 {
		last = max(last, sl.last)
	}
	return fromMillis(last)
}

// upsertHit stores the verdict for (listing, mark) and queues it for the index
// when it is new or changed.
func upsertHit(ctx context.Context, tx *writeTx, sl savedListing, l domain.Listing, m domain.Match, seen time.Time) (domain.Hit, error) {
	lid, listingChanged := sl.id, sl.changed
	reasons, err := encodeReasons(m.Reasons)
	if err != nil {
		return domain.Hit{}, err
	}
	h := domain.Hit{
		ListingID: lid, SourceID: l.SourceID, MarkID: m.MarkID,
		Title: l.Title, URL: l.URL, Seller: l.Seller, Location: l.Location, Price: l.Price,
		Score: m.Score, Alert: m.Alert, Reasons: nonNilReasons(m.Reasons),
		FirstSeen: seen, LastSeen: seen,
	}
	var firstMs, lastMs, live int64
	fp := hitFP(m.MarkID, m.Score, m.Alert, m.Reasons)
	latest := 0
	if sl.latest {
		latest = 1
	}
	// A later sighting with the same verdict only moves last_seen: one
	// statement, and the index hears of it only when the listing changed.
	// On a listing first seen now it would match nothing (savedListing).
	err = sql.ErrNoRows
	if !sl.firstSeen {
		err = tx.QueryRowContext(ctx, qTouchHit,
			toMillis(seen), lid, m.MarkID, m.Score, m.Alert, reasons, fp, latest).Scan(&h.ID, &firstMs, &lastMs, &live)
	}
	if err == nil {
		h.FirstSeen, h.LastSeen = fromMillis(firstMs), sl.hitLast(lastMs, live)
		if !listingChanged {
			return h, nil
		}
		return h, enqueue(ctx, tx, domain.OutboxUpsert, h.ID, seen)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return domain.Hit{}, fmt.Errorf("touching hit for mark %s: %w", m.MarkID, err)
	}
	// A first sighting or a new verdict: one statement.
	err = tx.QueryRowContext(ctx, qUpsertHit,
		lid, m.MarkID, m.Score, m.Alert, reasons, toMillis(seen), toMillis(seen), fp, latest).Scan(&h.ID, &firstMs, &lastMs, &live)
	if err == nil {
		h.FirstSeen, h.LastSeen = fromMillis(firstMs), sl.hitLast(lastMs, live)
		return h, enqueue(ctx, tx, domain.OutboxUpsert, h.ID, seen)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return domain.Hit{}, fmt.Errorf("upserting hit for mark %s: %w", m.MarkID, err)
	}
	// The same verdict on a listing first seen now (a replay at the same
	// millisecond): nothing of the hit moves.
	err = tx.QueryRowContext(ctx, qSelectHit, lid, m.MarkID).Scan(&h.ID, &firstMs, &lastMs, &live)
	if err != nil {
		return domain.Hit{}, fmt.Errorf("reading hit for mark %s: %w", m.MarkID, err)
	}
	h.FirstSeen, h.LastSeen = fromMillis(firstMs), sl.hitLast(lastMs, live)
	if !listingChanged {
		return h, nil
	}
	return h, enqueue(ctx, tx, domain.OutboxUpsert, h.ID, seen)
}

// upsertAlert creates the alert for (mark, identity) or, when it exists, moves its
// last_seen and takes the new score and reasons only if the score is higher.
// The alert keeps the seller sid of its first sighting, or of the first
// since sellers were kept: sellerMoved says the listing's seller changed,
// and only then is an alert without one given sid.
func upsertAlert(ctx context.Context, tx *writeTx, l domain.Listing, h domain.Hit, sid int64, sl savedListing, seen time.Time) (domain.Alert, bool, error) {
	reasons, err := encodeReasons(h.Reasons)
	if err != nil {
		return domain.Alert{}, false, err
	}
	key := alertKey(l)
	a := domain.Alert{
		MarkID: h.MarkID, HitID: h.ID, SourceID: l.SourceID, URL: l.URL, Title: l.Title,
		Seller: l.Seller, SellerID: sid, Location: l.Location, Score: h.Score, Reasons: h.Reasons,
		Status: domain.AlertOpen, FirstSeen: seen, LastSeen: seen,
	}
	// SET expressions all read the old row, so reasons follows the old
	// score.
	live := int64(0) // the alert follows the listing from now on (0011_alert_live.sql)
	if sl.latest {
		live = sl.id
	}
	touch := func() (bool, error) {
		res, err := tx.ExecContext(ctx, qTouchAlert,
			sl.id, toMillis(seen), nullID(live), h.Score, reasons, h.Score, h.MarkID, key)
		if err != nil {
			return false, fmt.Errorf("touching alert for mark %s: %w", h.MarkID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return false, err
		}
		if sl.sellerMoved && sid != 0 {
			if _, err := tx.ExecContext(ctx, qFillAlertSeller, sid, h.MarkID, key); err != nil {
				return false, fmt.Errorf("recording the seller of the alert for mark %s: %w", h.MarkID, err)
			}
		}
		return true, nil
	}
	// The insert does nothing when the alert exists (qTouchAlert's and its
	// conflict's key are the same), so either order gives one alert.
	insert := func() (bool, error) {
		err := tx.QueryRowContext(ctx, qInsertAlert,
			a.MarkID, key, a.HitID, a.SourceID, a.URL, a.Title, a.Seller, a.Location, a.Score, reasons,
			toMillis(seen), toMillis(seen), nullID(sid), nullID(live)).Scan(&a.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("inserting alert for mark %s: %w", h.MarkID, err)
		}
		return true, nil
	}
	// A listing first seen now most likely raises its alert now: insert
	// first; one of the same offer through another source conflicts and
	// is touched. Otherwise the alert most likely exists: touch first.
	if sl.firstSeen {
		if created, err := insert(); err != nil || created {
			return a, created, err
		}
	}
	if touched, err := touch(); err != nil || touched {
		return domain.Alert{}, false, err
	}
	if !sl.firstSeen {
		if created, err := insert(); err != nil || created {
			return a, created, err
		}
	}
	return domain.Alert{}, false, fmt.Errorf("saving alert for mark %s: neither touched nor inserted", h.MarkID)
}

// enqueue replaces any pending outbox row of the hit with a fresh one; see the
// comment on index_outbox in 0001_init.sql for why a new id matters.
func enqueue(ctx context.Context, tx *writeTx, op domain.OutboxOp, hitID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, qEnqueue,
		string(op), hitID, toMillis(now))
	if err != nil {
		return fmt.Errorf("queueing hit %d for the index: %w", hitID, err)
	}
	return nil
}
