package store

import (
	"slices"
	"sync"

	"github.com/markwatch/markwatch/internal/domain"
)

// resightCache keeps, for listings the fast path (resight.go) saved, what
// its read would return for them again, so a scheduled re-crawl of
// unchanged pages reads nothing before touching last_seen. On SQLite that
// read was the writer's largest cost on a re-crawl (4.2 µs of about 11 a
// listing, see BenchmarkPipelineVsRawColly).
//
// It must answer exactly what the read would, so every way a cached row
// can change empties the entries it could affect:
//   - the writer connection's pre-update hook (sqlitehook.go) sees every
//     row any statement on it changes or deletes, in listings,
//     listing_seen, hits and alerts, and drops the entries of those rows;
//     the fast path's own last_seen touches, which the cache applies
//     itself, are let through;
//   - PRAGMA data_version, read at the start of each batch, changes when
//     another connection committed (another process on the same file, a
//     test's second handle): then everything goes;
//   - a new writer connection empties it (its data_version counts anew);
//   - a batch that fails empties it, since what it put in may be rolled
//     back.
//
// Only SQLite has one: PostgreSQL has several writers, whose changes one
// process cannot see happen. Entries go only in after a fast-path save,
// so it holds listings seen at least twice.
type resightCache struct {
	mu      sync.Mutex
	max     int
	entries map[listingRef]*cachedListing
	// Reverse maps from the rows an entry holds to the entry, for the
	// hook. An alert can be shared: one offer through two sources.
	byListing map[int64]listingRef
	byHit     map[int64]listingRef
	byAlert   map[int64][]listingRef
	// touching is set while the fast path's touches run.
	touching bool
	// version is the writer connection's data_version when last read; 0
	// for none read since the connection opened.
	version int64
}

// cachedListing is what resightQueries.read returned for a listing row:
// its fingerprint and the alert key the read joined on, its id and
// last_seen, and its rows, as they stand after the save that cached them.
type cachedListing struct {
	fp       int64
	alertKey string
	id, last int64
	hits     []readRow
	// as is the sighting that cached it, fps its marks' fingerprints, so
	// an equal sighting is not hashed again.
	as  cachedSighting
	fps []int64
}

// cachedSighting is what listingFP and hitFP cover of a sighting: equal
// ones have equal fingerprints.
type cachedSighting struct {
	url, title, seller, location, image, platform, query string
	price                                                float64
	sid                                                  int64
	marks                                                []domain.Match
}

func cachedSightingOf(l domain.Listing, sid int64, marks []domain.Match) cachedSighting {
	return cachedSighting{url: l.URL, title: l.Title, seller: l.Seller, location: l.Location, image: l.ImageURL,
		platform: l.Platform, query: l.Query, price: l.Price, sid: sid, marks: marks}
}

// same says whether l, sid and marks are the sighting s was taken of.
// Scores and prices compare as numbers: a NaN is never the same, and so
// is hashed again.
func (s *cachedSighting) same(l domain.Listing, sid int64, marks []domain.Match) bool {
	if s.url != l.URL || s.title != l.Title || s.seller != l.Seller || s.location != l.Location ||
		s.image != l.ImageURL || s.platform != l.Platform || s.query != l.Query || s.price != l.Price ||
		s.sid != sid || len(s.marks) != len(marks) {
		return false
	}
	for k, m := range marks {
		o := s.marks[k]
		if o.MarkID != m.MarkID || o.Score != m.Score || o.Alert != m.Alert || !slices.Equal(o.Reasons, m.Reasons) {
			return false
		}
	}
	return true
}

// readRow is one row of resightQueries.read: a hit with its fingerprint,
// times and liveness, and its alert (0 for none) with the alert's score
// and the listing it is live through (0 for none).
type readRow struct {
	hit, fp, first, last, live int64
	alert, alertLive           int64
	score                      float64
}

// resightCacheMax bounds the entries: about 600 bytes each with the
// sighting they keep (its text fields and verdicts), so about 60 MB at
// most. Past it an arbitrary entry makes room; its listing is read and
// hashed again.
const resightCacheMax = 100_000

func newResightCache(limit int) *resightCache {
	c := &resightCache{max: limit}
	c.reset()
	return c
}

func (c *resightCache) reset() {
	c.entries = map[listingRef]*cachedListing{}
	c.byListing = map[int64]listingRef{}
	c.byHit = map[int64]listingRef{}
	c.byAlert = map[int64][]listingRef{}
}

// clear empties the cache (a failed batch, a new connection).
func (c *resightCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reset()
	c.version = 0
}

// checkVersion empties the cache unless the connection's data_version is
// the one read last time: another connection committed in between.
func (c *resightCache) checkVersion(v int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v != c.version {
		c.reset()
		c.version = v
	}
}

// get returns a copy of ref's entry.
func (c *resightCache) get(ref listingRef) (cachedListing, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[ref]
	if !ok {
		return cachedListing{}, false
	}
	return *e, true
}

// put stores ref's entry, replacing any; e's rows are its own from now on.
func (c *resightCache) put(ref listingRef, e *cachedListing) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropLocked(ref)
	if len(c.entries) >= c.max {
		for other := range c.entries {
			c.dropLocked(other)
			break
		}
	}
	c.entries[ref] = e
	c.byListing[e.id] = ref
	for _, r := range e.hits {
		c.byHit[r.hit] = ref
		if r.alert != 0 {
			c.byAlert[r.alert] = append(c.byAlert[r.alert], ref)
		}
	}
}

// seen moves the cached listing's last_seen to at, as the fast path's
// touch did, when ref's entry is still that of listing row id; false when
// it is not (put it again).
func (c *resightCache) seen(ref listingRef, id int64, at int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[ref]
	if !ok || e.id != id {
		return false
	}
	e.last = max(e.last, at)
	return true
}

// drop forgets ref's entry.
func (c *resightCache) drop(ref listingRef) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropLocked(ref)
}

func (c *resightCache) dropLocked(ref listingRef) {
	e, ok := c.entries[ref]
	if !ok {
		return
	}
	delete(c.entries, ref)
	delete(c.byListing, e.id)
	for _, r := range e.hits {
		delete(c.byHit, r.hit)
		if r.alert == 0 {
			continue
		}
		refs := c.byAlert[r.alert]
		for i, o := range refs {
			if o == ref {
				refs = append(refs[:i], refs[i+1:]...)
				break
			}
		}
		if len(refs) == 0 {
			delete(c.byAlert, r.alert)
		} else {
			c.byAlert[r.alert] = refs
		}
	}
}

// setTouching brackets the fast path's touches, whose rows the cache
// updates itself.
func (c *resightCache) setTouching(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.touching = on
}

// changed is the pre-update hook's report of a row of table about to be
// changed, inserted or deleted; rowid is the row's id (an INTEGER PRIMARY
// KEY in each of these tables; listing_seen's is the listing's).
func (c *resightCache) changed(table string, rowid int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.touching {
		return
	}
	switch table {
	case "listings", "listing_seen":
		if ref, ok := c.byListing[rowid]; ok {
			c.dropLocked(ref)
		}
	case "hits":
		if ref, ok := c.byHit[rowid]; ok {
			c.dropLocked(ref)
		}
	case "alerts":
		for _, ref := range append([]listingRef(nil), c.byAlert[rowid]...) {
			c.dropLocked(ref)
		}
	}
}

// len is how many listings it holds (tests).
func (c *resightCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
