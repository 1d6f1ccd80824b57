package store

import (
	"context"
	"fmt"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// The fast path for unchanged re-sightings (issue 12). A scheduled
// re-crawl mostly sees again what it saw last time, and saving such a
// listing one statement at a time (its listing, each hit, each alert) was
// dominated by what database/sql and the driver spend per statement, not
// by SQLite's work. These statements take a whole batch in one JSON
// parameter (jsonRows) and touch every row whose stored values equal the
// sighting's, exactly as qTouchListing, qTouchHit and qTouchAlert would
// one at a time; RETURNING says which rows they were. UPDATE … FROM cannot
// name its FROM table in RETURNING, so rows are mapped back by their keys.
//
// Measured on 256 listings (CPU time, best of 7): jsonb_each with rows as
// arrays ~11 µs a listing, json_each ~19 (its value of a nested array is
// text, parsed again by every ->>), rows as objects ~13, the same UPDATE
// from a real table ~5; reading a field with ->> is about half a µs in
// modernc's SQLite, so rows carry only what the statement compares or
// sets.
//
// They hold no state beyond the transaction, so a PostgreSQL store (UPDATE
// … FROM a jsonb_to_recordset) or several writers can do the same.
const (
	qResightListings = `UPDATE listings SET platform = t.platform, query = t.query, last_seen = max(listings.last_seen, t.seen)
		FROM (SELECT value->>0 AS src, value->>1 AS k, value->>2 AS url, value->>3 AS title, value->>4 AS price,
			value->>5 AS seller, value->>6 AS location, value->>7 AS image_url, value->>8 AS sid,
			value->>9 AS platform, value->>10 AS query, value->>11 AS seen FROM jsonb_each(?)) AS t
		WHERE listings.source_id = t.src AND listings.url_key = t.k AND listings.url = t.url
			AND listings.title = t.title AND listings.price = t.price AND listings.seller = t.seller
			AND listings.location = t.location AND listings.image_url = t.image_url
			AND listings.version_stale = 0 AND listings.seller_id IS t.sid
		RETURNING id, source_id, url_key`
	// qResightHits matches a hit whatever its last_seen: qTouchHit's
	// "last_seen < seen" only sends a replayed older sighting to
	// qSelectHit, which returns the same row unchanged, as max() leaves it.
	qResightHits = `UPDATE hits SET last_seen = max(hits.last_seen, t.seen)
		FROM (SELECT value->>0 AS lid, value->>1 AS mark, value->>2 AS score, value->>3 AS alert,
			value->>4 AS reasons, value->>5 AS seen FROM jsonb_each(?)) AS t
		WHERE hits.listing_id = t.lid AND hits.mark_id = t.mark AND hits.score = t.score
			AND hits.alert = t.alert AND hits.reasons = t.reasons
		RETURNING id, listing_id, mark_id, first_seen, last_seen`
	// qResightAlerts is qTouchAlert: SET expressions read the old row, so
	// reasons follows the old score.
	qResightAlerts = `UPDATE alerts SET last_seen = max(alerts.last_seen, t.seen),
			reasons = CASE WHEN t.score > alerts.score THEN t.reasons ELSE alerts.reasons END,
			score = max(alerts.score, t.score)
		FROM (SELECT value->>0 AS mark, value->>1 AS k, value->>2 AS score, value->>3 AS reasons,
			value->>4 AS seen FROM jsonb_each(?)) AS t
		WHERE alerts.mark_id = t.mark AND alerts.url_key = t.k
		RETURNING mark_id, url_key`
)

// sighting is what saveListings knows of a batch entry before saving it.
type sighting struct {
	seen time.Time // seenAt
	sid  int64     // its seller (saveSeller), 0 for none
}

// listingRef is a listing row's key, UNIQUE (source_id, url_key).
type listingRef struct{ source, key string }

// alertRef is an alert's key, UNIQUE (mark_id, url_key).
type alertRef struct{ mark, key string }

// listingTouch is what resight learnt of an entry's listing row, for
// saveInTx: tried, it sent qTouchListing's conditions for the row; id is
// the row they touched, 0 for none (a first sighting, or a change), so
// saveInTx skips qTouchListing, whose answer it knows.
type listingTouch struct {
	tried bool
	id    int64
}

// resighted is a batch entry on the fast path.
type resighted struct {
	at      int            // its index in the batch
	lid     int64          // its listing row, once qResightListings touched it
	marks   []domain.Match // distinctMarks of its matches
	reasons []string       // the encoded reasons of each mark
	hits    []domain.Hit   // one per mark; ID 0 until its row came back
	back    int            // hits that came back
	alerts  int            // alerting marks
	touched int            // their alerts that came back
}

// resight saves on the fast path the entries of batch that are unchanged
// re-sightings, writes their results and reports which entries it saved;
// saveInTx saves the others, in batch order. An entry it tries but cannot
// finish (a hit or an alert that did not come back: a new verdict, a new
// mark, an alert deleted or merged away) is left to saveInTx too, which
// then finds the rows already touched: touching again with the same values
// changes nothing, so its result is the one saveInTx alone would give.
//
// Entries with evidence, or whose listing or alert key occurs twice in the
// batch, are left to saveInTx: saved in order, so the last sighting wins,
// as it does one save after another.
//
// touched[i] says what it learnt of entry i's listing row (listingTouch).
func (db *DB) resight(ctx context.Context, tx *writeTx, batch []ListingMatches, sg []sighting, results []SaveResult) (done []bool, touched []listingTouch, err error) {
	done, touched = make([]bool, len(batch)), make([]listingTouch, len(batch))
	if db.slowOnly {
		return done, touched, nil
	}
	rs, err := resightListings(ctx, tx, batch, sg, touched)
	if err != nil || len(rs) == 0 {
		return done, touched, err
	}
	if err := resightHits(ctx, tx, batch, sg, rs); err != nil {
		return done, touched, err
	}
	if err := resightAlerts(ctx, tx, batch, sg, rs); err != nil {
		return done, touched, err
	}
	for i := range rs {
		r := &rs[i]
		if r.back < len(r.marks) || r.touched < r.alerts {
			continue
		}
		results[r.at] = SaveResult{ListingID: r.lid, Hits: r.hits, TouchedAlerts: r.touched}
		done[r.at] = true
	}
	return done, touched, nil
}

// resightListings touches the listing rows of the batch's candidates that
// nothing moved and returns those candidates.
func resightListings(ctx context.Context, tx *writeTx, batch []ListingMatches, sg []sighting, touched []listingTouch) ([]resighted, error) {
	listingKeys := make(map[listingRef]int, len(batch))
	alertKeys := make(map[string]int, len(batch))
	for _, b := range batch {
		listingKeys[listingRef{b.Listing.SourceID, listingKey(b.Listing)}]++
		alertKeys[alertKey(b.Listing)]++
	}
	j := newJSONRows(256 * len(batch))
	at := make(map[listingRef]int, len(batch))
	for i, b := range batch {
		l := b.Listing
		ref := listingRef{l.SourceID, listingKey(l)}
		if b.Evidence != nil || listingKeys[ref] > 1 || alertKeys[alertKey(l)] > 1 {
			continue
		}
		j.begin()
		j.str(l.SourceID)
		j.str(ref.key)
		j.str(l.URL)
		j.str(l.Title)
		j.float(l.Price)
		j.str(l.Seller)
		j.str(l.Location)
		j.str(l.ImageURL)
		j.id(sg[i].sid)
		j.str(l.Platform)
		j.str(l.Query)
		j.int(toMillis(sg[i].seen))
		if j.end() {
			at[ref] = i
		}
	}
	if len(at) == 0 {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, qResightListings, j.text())
	if err != nil {
		return nil, fmt.Errorf("touching %d unchanged listings: %w", len(at), err)
	}
	defer rows.Close()
	rs := make([]resighted, 0, len(at))
	for rows.Next() {
		var (
			id  int64
			ref listingRef
		)
		if err := rows.Scan(&id, &ref.source, &ref.key); err != nil {
			return nil, fmt.Errorf("touching unchanged listings: %w", err)
		}
		i, ok := at[ref]
		if !ok {
			return nil, fmt.Errorf("touching unchanged listings: touched %s %q, which the batch does not hold", ref.source, ref.key)
		}
		rs = append(rs, resighted{at: i, lid: id})
		touched[i].id = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("touching unchanged listings: %w", err)
	}
	for _, i := range at {
		touched[i].tried = true
	}
	return rs, nil
}

// resightHits touches the hits of the touched listings whose verdict is
// unchanged and fills in the results' hits.
func resightHits(ctx context.Context, tx *writeTx, batch []ListingMatches, sg []sighting, rs []resighted) error {
	j := newJSONRows(256 * len(rs))
	byLID := make(map[int64]int, len(rs))
	for i := range rs {
		r := &rs[i]
		l, seen := batch[r.at].Listing, sg[r.at].seen
		r.marks = distinctMarks(batch[r.at].Matches)
		if len(r.marks) == 0 {
			continue
		}
		r.reasons = make([]string, len(r.marks))
		r.hits = make([]domain.Hit, len(r.marks))
		for k, m := range r.marks {
			reasons, err := encodeReasons(m.Reasons)
			if err != nil {
				return fmt.Errorf("listing %s: %w", describe(l), err)
			}
			r.reasons[k] = reasons
			r.hits[k] = domain.Hit{
				ListingID: r.lid, SourceID: l.SourceID, MarkID: m.MarkID,
				Title: l.Title, URL: l.URL, Seller: l.Seller, Location: l.Location, Price: l.Price,
				Score: m.Score, Alert: m.Alert, Reasons: nonNilReasons(m.Reasons),
			}
			if m.Alert {
				r.alerts++
			}
			j.begin()
			j.int(r.lid)
			j.str(m.MarkID)
			j.float(m.Score)
			j.bool(m.Alert)
			j.str(reasons)
			j.int(toMillis(seen))
			j.end() // a dropped row does not come back: the slow path takes the listing
		}
		byLID[r.lid] = i
	}
	if j.rows == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, qResightHits, j.text())
	if err != nil {
		return fmt.Errorf("touching %d unchanged hits: %w", j.rows, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id, lid     int64
			mark        string
			first, last int64
		)
		if err := rows.Scan(&id, &lid, &mark, &first, &last); err != nil {
			return fmt.Errorf("touching unchanged hits: %w", err)
		}
		i, ok := byLID[lid]
		if !ok {
			return fmt.Errorf("touching unchanged hits: touched a hit of listing %d, which the batch does not hold", lid)
		}
		r := &rs[i]
		for k := range r.hits {
			if h := &r.hits[k]; h.MarkID == mark && h.ID == 0 {
				h.ID, h.FirstSeen, h.LastSeen = id, fromMillis(first), fromMillis(last)
				r.back++
				break
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("touching unchanged hits: %w", err)
	}
	return nil
}

// resightAlerts touches the alerts of the listings whose hits all came
// back; TouchedAlerts counts those that came back.
func resightAlerts(ctx context.Context, tx *writeTx, batch []ListingMatches, sg []sighting, rs []resighted) error {
	j := newJSONRows(192 * len(rs))
	byKey := make(map[string]int, len(rs))
	for i := range rs {
		r := &rs[i]
		if r.alerts == 0 || r.back < len(r.marks) {
			continue
		}
		key := alertKey(batch[r.at].Listing)
		seen := toMillis(sg[r.at].seen)
		for k, m := range r.marks {
			if !m.Alert {
				continue
			}
			j.begin()
			j.str(m.MarkID)
			j.str(key)
			j.float(m.Score)
			j.str(r.reasons[k])
			j.int(seen)
			j.end()
		}
		// Keys are unique in the batch (resightListings), so a key names
		// one entry.
		byKey[key] = i
	}
	if j.rows == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, qResightAlerts, j.text())
	if err != nil {
		return fmt.Errorf("touching %d alerts seen again: %w", j.rows, err)
	}
	defer rows.Close()
	for rows.Next() {
		var ref alertRef
		if err := rows.Scan(&ref.mark, &ref.key); err != nil {
			return fmt.Errorf("touching alerts seen again: %w", err)
		}
		i, ok := byKey[ref.key]
		if !ok {
			return fmt.Errorf("touching alerts seen again: touched the alert of mark %s for %q, which the batch does not hold", ref.mark, ref.key)
		}
		rs[i].touched++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("touching alerts seen again: %w", err)
	}
	return nil
}
