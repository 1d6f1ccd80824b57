package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// The fast path for unchanged re-sightings (issue 12). A scheduled
// re-crawl mostly sees again what it saw last time, and saving such a
// listing one statement at a time (its listing, each hit, each alert) was
// dominated by what database/sql and the driver spend per statement, not
// by SQLite's work. The fast path reads, in one statement for up to
// maxListRows entries, the listing rows of the batch whose fingerprint
// (fingerprint.go) is the sighting's, with their hits and the alerts of
// those hits; compares the hits' fingerprints and the alerts' scores with
// the verdicts; then moves last_seen on what matched, one statement per
// table and sighting time. That is what qTouchListing, qTouchHit and
// qTouchAlert would do one at a time; the rest goes through saveInTx.
//
// Reading and then writing by id costs less than one UPDATE … FROM …
// RETURNING per table, as an earlier version did: SQLite materialises an
// UPDATE … FROM's join before writing (on 256 hits: 4.4 µs a hit against
// 1.7 by id after a 2.1 read), and each returned row costs about a µs in
// database/sql and the driver, so one read returns everything. Rows carry
// a fingerprint rather than the values it covers, each bound as a
// parameter (valuerows.go).
//
// A row written before fingerprints (NULL) matches nothing; its entry
// takes the slow path, which stores what touching it would have stored
// and gives it its fingerprint.
//
// They hold no state beyond the transaction, so a PostgreSQL store or
// several writers can do the same.
type resightQueries struct {
	// read returns, for each entry whose listing row matches (key,
	// fingerprint, not version_stale), the listing's last_seen and one
	// row per hit (or one with hit 0 when there is none) with its
	// fingerprint (0 for none), times and liveness, and the alert of the
	// hit's mark and the entry's alert key when the hit alerts (or alert
	// 0), with its score and the listing it is live through (0 for none).
	// Rows: entry, source, key, fp, alert key.
	read listQuery
	// listings moves listing_seen.last_seen, as qSeenListing would, for a
	// listing row whose fingerprint matched: url, title, price, seller,
	// location, image_url, seller_id, platform and query hold what
	// qTouchListing compares or sets, so it would change nothing else. Its
	// hits, all of them live and of this verdict, take their last_seen
	// from it, so nothing of them is written (0010_listing_seen.sql).
	// Runs of consecutive ids go through qTouchListingSpan instead
	// (touchSpans). Fixed: seen; ids.
	listings listQuery
	// alerts is qTouchAlert on an alert whose score the sighting does not
	// raise and that is live through another listing (the offer through
	// another source): then qTouchAlert keeps score and reasons and only
	// moves last_seen. One live through the entry's listing takes its
	// last_seen from it, and is not written; a frozen one (no listing) is
	// left to the slow path, which makes it live. An alert the sighting
	// would raise sends its entry to the slow path. An unchanged verdict
	// should never raise it (every save of the hit touched the alert with
	// this score, and no statement lowers an alert's score: merges keep
	// the best), but comparing makes the fast path exact without relying
	// on that. Fixed: seen; ids.
	alerts listQuery
	// sellers is qSelectSeller for the sellers of a batch
	// (preloadSellers). Rows: seller, platform, shop key.
	sellers listQuery
}

func newResightQueries(dialect string) *resightQueries {
	return &resightQueries{
		read: newTypedValuesQuery(dialect, `SELECT t.column1, l.id, s.last_seen, coalesce(h.id, 0), coalesce(h.fp, 0),
			coalesce(h.first_seen, 0), coalesce(h.last_seen, 0), coalesce(h.live, 0), coalesce(a.id, 0), coalesce(a.score, 0),
			coalesce(a.live_listing, 0)
		FROM (VALUES) AS t
		JOIN listings l ON l.source_id = t.column2 AND l.url_key = t.column3
		JOIN listing_seen s ON s.listing_id = l.id
		LEFT JOIN hits h ON h.listing_id = l.id
		LEFT JOIN alerts a ON h.alert = 1 AND a.mark_id = h.mark_id AND a.url_key = t.column5
		WHERE l.fp = t.column4 AND l.version_stale = 0`, "INTEGER", "TEXT", "TEXT", "INTEGER", "TEXT"),
		listings: newInQuery("UPDATE listing_seen SET last_seen = max(last_seen, ?) WHERE listing_id IN (IDS)"),
		alerts:   newInQuery("UPDATE alerts SET last_seen = max(last_seen, ?) WHERE id IN (IDS)"),
		sellers: newTypedValuesQuery(dialect, `SELECT t.column1, s.id, s.network_id, s.name, s.location, s.last_seen,
			coalesce(c.kind, ''), coalesce(c.value, '')
		FROM (VALUES) AS t
		JOIN sellers s ON s.platform = t.column2 AND s.shop_key = t.column3
		LEFT JOIN seller_contacts c ON c.seller_id = s.id`, "INTEGER", "TEXT", "TEXT"),
	}
}

// all are the statements, prepared at Open.
func (q *resightQueries) all() []string {
	var out []string
	for _, v := range []*listQuery{&q.read, &q.listings, &q.alerts, &q.sellers} {
		out = append(out, v.q[:]...)
	}
	return out
}

// sighting is what saveListings knows of a batch entry before saving it.
type sighting struct {
	seen time.Time // seenAt
	sid  int64     // its seller (saveSeller), 0 for none
}

// listingRef is a listing row's key, UNIQUE (source_id, url_key).
type listingRef struct{ source, key string }

// listingTouch is what resight learnt of an entry's listing row, for
// saveInTx: tried, it sent qTouchListing's conditions for the row; id is
// the row they matched, 0 for none (a first sighting, or a change), so
// saveInTx skips qTouchListing, whose answer it knows. resight writes
// nothing of an entry it leaves to saveInTx, which moves its last_seen.
type listingTouch struct {
	tried bool
	id    int64
}

// resighted is a batch entry on the fast path.
type resighted struct {
	at     int            // its index in the batch
	seen   int64          // its sighting, in milliseconds
	ref    listingRef     // its listing row's key
	lfp    int64          // its listing fingerprint (listingFP)
	akey   string         // its alert key
	lid    int64          // its listing row, once read
	last   int64          // the row's last_seen (listing_seen), once read
	stale  bool           // a live hit is not of this verdict, or a hit of it is not live
	rows   []readRow      // what the read returned for it (the cache's entry)
	cached bool           // the cache answered for it
	marks  []domain.Match // distinctMarks of its matches
	fps    []int64        // hitFP of each mark
	hits   []domain.Hit   // one per mark; ID 0 until its row was read
	alerts []int64        // the alert of each alerting mark, once read
	follow []bool         // that alert is live through the entry's listing
}

// done says whether every row the entry's save touches was read: its
// listing, a live hit per mark, an alert per alerting mark; and that no
// other hit of the listing is live, which this sighting must freeze.
func (r *resighted) done() bool {
	if r.lid == 0 || r.stale {
		return false
	}
	for k, m := range r.marks {
		if r.hits[k].ID == 0 || m.Alert && r.alerts[k] == 0 {
			return false
		}
	}
	return true
}

// resight saves on the fast path the entries of batch that are unchanged
// re-sightings, writes their results and reports which entries it saved;
// saveInTx saves the others, in batch order. An entry whose listing row
// matched but not all of whose hits or alerts did (a new verdict, a new
// mark, an alert deleted or merged away) is left to saveInTx, which knows
// its listing row (touched).
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
	rs, err := resightCandidates(batch, sg)
	if err != nil || len(rs) == 0 {
		db.forgetUnsaved(batch, done)
		return done, touched, err
	}
	if err := db.resightRead(ctx, tx, batch, sg, rs); err != nil {
		return done, touched, err
	}
	var listings, alerts touchList
	for i := range rs {
		r := &rs[i]
		touched[r.at].tried = true
		if r.lid == 0 {
			continue
		}
		touched[r.at].id = r.lid
		if !r.done() {
			continue
		}
		listings.add(r.seen, r.lid)
		n := 0
		for k, m := range r.marks {
			if m.Alert {
				if !r.follow[k] {
					alerts.add(r.seen, r.alerts[k])
				}
				n++
			}
		}
		results[r.at] = SaveResult{ListingID: r.lid, Hits: r.hits, TouchedAlerts: n}
		done[r.at] = true
	}
	if err := db.touch(ctx, tx, &listings, &alerts); err != nil {
		return done, touched, err
	}
	db.remember(batch, sg, rs, done)
	db.forgetUnsaved(batch, done)
	return done, touched, nil
}

// touch moves last_seen on the rows resight read unchanged; the cache,
// which updates its copies itself (remember), does not count them as
// changes.
func (db *DB) touch(ctx context.Context, tx *writeTx, listings, alerts *touchList) error {
	if db.cache != nil {
		db.cache.setTouching(true)
		defer db.cache.setTouching(false)
	}
	for _, t := range []struct {
		what string
		q    *listQuery
		span string
		ids  *touchList
	}{{"listings", &db.resightQ.listings, qTouchListingSpan, listings}, {"alerts", &db.resightQ.alerts, "", alerts}} {
		if err := t.ids.exec(ctx, tx, t.q, t.span); err != nil {
			return fmt.Errorf("touching unchanged %s: %w", t.what, err)
		}
	}
	return nil
}

// remember puts in the cache what the fast path saved, its rows as the
// touches left them: the listing's last_seen moved, its hits' rows not.
func (db *DB) remember(batch []ListingMatches, sg []sighting, rs []resighted, done []bool) {
	if db.cache == nil {
		return
	}
	for i := range rs {
		r := &rs[i]
		if !done[r.at] || r.cached && db.cache.seen(r.ref, r.lid, r.seen) {
			continue
		}
		e := &cachedListing{fp: r.lfp, alertKey: r.akey, id: r.lid, last: max(r.last, r.seen), hits: make([]readRow, len(r.rows)),
			as: cachedSightingOf(batch[r.at].Listing, sg[r.at].sid, r.marks), fps: r.fps}
		copy(e.hits, r.rows)
		db.cache.put(r.ref, e)
	}
}

// forgetUnsaved drops from the cache the listings of the batch the fast
// path did not save: saveInTx changes their rows, and the hook sees only
// rows changed, not hits added.
func (db *DB) forgetUnsaved(batch []ListingMatches, done []bool) {
	if db.cache == nil {
		return
	}
	for i, b := range batch {
		if !done[i] {
			db.cache.drop(listingRef{b.Listing.SourceID, listingKey(b.Listing)})
		}
	}
}

// resightCandidates are the entries the fast path tries, with their
// marks; resightRead gives them their fingerprints.
func resightCandidates(batch []ListingMatches, sg []sighting) ([]resighted, error) {
	listingKeys := make(map[listingRef]int, len(batch))
	alertKeys := make(map[string]int, len(batch))
	for _, b := range batch {
		listingKeys[listingRef{b.Listing.SourceID, listingKey(b.Listing)}]++
		alertKeys[alertKey(b.Listing)]++
	}
	rs := make([]resighted, 0, len(batch))
	for i, b := range batch {
		l := b.Listing
		if b.Evidence != nil || listingKeys[listingRef{l.SourceID, listingKey(l)}] > 1 || alertKeys[alertKey(l)] > 1 {
			continue
		}
		r := resighted{at: i, seen: toMillis(sg[i].seen), ref: listingRef{l.SourceID, listingKey(l)}, marks: distinctMarks(b.Matches)}
		if len(r.marks) == 0 {
			rs = append(rs, r) // Hits stays nil, as saveInTx leaves it
			continue
		}
		r.fps = make([]int64, len(r.marks))
		r.hits = make([]domain.Hit, len(r.marks))
		r.alerts = make([]int64, len(r.marks))
		r.follow = make([]bool, len(r.marks))
		rs = append(rs, r)
	}
	return rs, nil
}

// resightRead reads the candidates' rows (resightQueries.read), from the
// cache where it holds them, and fills in what matched: listing ids, hits,
// alerts.
func (db *DB) resightRead(ctx context.Context, tx *writeTx, batch []ListingMatches, sg []sighting, rs []resighted) error {
	if db.cache != nil {
		var v int64
		if err := tx.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
			return fmt.Errorf("reading the data version: %w", err)
		}
		db.cache.checkVersion(v)
	}
	args := make([]any, 0, 5*len(rs))
	var fp fpBuf
	for i := range rs {
		r := &rs[i]
		l, sid := batch[r.at].Listing, sg[r.at].sid
		r.akey = alertKey(l)
		if db.cache != nil {
			if e, ok := db.cache.get(r.ref); ok {
				// A sighting equal to the cached one has its
				// fingerprints: hashing is most of what is left of an
				// unchanged re-sighting's cost in Go.
				if e.as.same(l, sid, r.marks) {
					r.lfp = e.fp
					copy(r.fps, e.fps)
				} else {
					r.fingerprint(&fp, l, sid)
				}
				// A fingerprint or alert key other than the entry's is
				// a read that finds nothing: the slow path's.
				if e.fp == r.lfp && e.alertKey == r.akey {
					r.rows, r.cached, r.last = e.hits, true, e.last
					for _, row := range e.hits {
						r.take(l, e.id, row)
					}
					r.lid = e.id
				}
				continue
			}
		}
		r.fingerprint(&fp, l, sid)
		args = append(args, i, l.SourceID, r.ref.key, r.lfp, r.akey)
	}
	if len(args) == 0 {
		return nil
	}
	err := db.resightQ.read.chunks(nil, args, func(q string, args []any) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				i         int
				lid, last int64
				row       readRow
			)
			if err := rows.Scan(&i, &lid, &last, &row.hit, &row.fp, &row.first, &row.last, &row.live, &row.alert, &row.score, &row.alertLive); err != nil {
				return err
			}
			if i < 0 || i >= len(rs) {
				return fmt.Errorf("read entry %d of %d", i, len(rs))
			}
			r := &rs[i]
			r.lid, r.last = lid, last
			if row.hit != 0 {
				r.rows = append(r.rows, row)
				r.take(batch[r.at].Listing, lid, row)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("reading %d listings seen again: %w", len(rs), err)
	}
	return nil
}

// fingerprint computes r's listing fingerprint and its marks'.
func (r *resighted) fingerprint(fp *fpBuf, l domain.Listing, sid int64) {
	r.lfp = fp.listingFP(l, sid)
	for k, m := range r.marks {
		r.fps[k] = fp.hitFP(m.MarkID, m.Score, m.Alert, m.Reasons)
	}
}

// take matches a row the read returned for r's listing row lid with the
// first of r's marks whose verdict has the row's fingerprint. r is stale
// when the row is a live hit of no mark of r, or r's hit but not live.
func (r *resighted) take(l domain.Listing, lid int64, row readRow) {
	for k, m := range r.marks {
		if row.fp == 0 || r.fps[k] != row.fp || r.hits[k].ID != 0 {
			continue
		}
		r.hits[k] = domain.Hit{
			ID: row.hit, ListingID: lid, SourceID: l.SourceID, MarkID: m.MarkID,
			Title: l.Title, URL: l.URL, Seller: l.Seller, Location: l.Location, Price: l.Price,
			Score: m.Score, Alert: m.Alert, Reasons: nonNilReasons(m.Reasons),
			FirstSeen: fromMillis(row.first), LastSeen: fromMillis(max(row.last, r.last, r.seen)),
		}
		if m.Alert && row.alert != 0 && row.score >= m.Score && row.alertLive != 0 {
			r.alerts[k], r.follow[k] = row.alert, row.alertLive == lid
		}
		r.stale = r.stale || row.live != 1
		return
	}
	r.stale = r.stale || row.live == 1
}

// touchList gathers ids to touch by sighting time: a batch holds a few
// pages, each seen at one time.
type touchList struct {
	seen []int64
	ids  [][]int64
}

func (t *touchList) add(seen, id int64) {
	for i, s := range t.seen {
		if s == seen {
			t.ids[i] = append(t.ids[i], id)
			return
		}
	}
	t.seen = append(t.seen, seen)
	t.ids = append(t.ids, []int64{id})
}

// minSpan is the shortest run of consecutive ids touched as a range
// (touchSpans): one statement of three parameters and a cursor walking
// the rows, instead of an IN list SQLite sorts into a temporary index and
// probes id by id. A page's listings are stored together when first seen,
// so a re-crawl's ids mostly come in such runs.
const minSpan = 8

// touchSpans splits ids (sorted in place) into runs of at least minSpan
// consecutive ids, as [first, last] pairs, and the ids left over.
func touchSpans(ids []int64) (spans [][2]int64, rest []any) {
	slices.Sort(ids)
	for i := 0; i < len(ids); {
		j := i + 1
		for j < len(ids) && ids[j] == ids[j-1]+1 {
			j++
		}
		if j-i >= minSpan {
			spans = append(spans, [2]int64{ids[i], ids[j-1]})
		} else {
			for _, id := range ids[i:j] {
				rest = append(rest, id)
			}
		}
		i = j
	}
	return spans, rest
}

// exec runs q on each time's ids, span on its runs of consecutive ids
// ("" for none); each id names one row, so they must all be there.
func (t *touchList) exec(ctx context.Context, tx *writeTx, q *listQuery, span string) error {
	for i, seen := range t.seen {
		ids := t.ids[i] // distinct: so are the batch's listing and alert keys
		var spans [][2]int64
		var rest []any
		if span != "" {
			spans, rest = touchSpans(ids)
		} else {
			for _, id := range ids {
				rest = append(rest, id)
			}
		}
		var n int64
		for _, sp := range spans {
			res, err := tx.ExecContext(ctx, span, seen, sp[0], sp[1])
			if err != nil {
				return err
			}
			c, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += c
		}
		if len(rest) > 0 {
			c, err := q.exec(ctx, tx, []any{seen}, rest)
			if err != nil {
				return err
			}
			n += c
		}
		if n != int64(len(ids)) {
			return fmt.Errorf("touched %d rows of %d read in this transaction", n, len(ids))
		}
	}
	return nil
}
