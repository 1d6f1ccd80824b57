package match

import (
	"hash/maphash"
	"math"
	"sync"

	"github.com/markwatch/markwatch/internal/domain"
)

// Memo is a Matcher that remembers its verdicts on recently seen listings.
// A scheduled re-crawl mostly sees the listings of the last one unchanged,
// and the matcher is pure (the same fields the matcher reads give the same
// verdicts), so judging them again is wasted work: a remembered verdict
// costs a hash and a copy instead of about 14 µs of matching a title.
//
// A Memo belongs to one Matcher and lives as long as it: a registry change
// builds a new Matcher and with it a new Memo, so no verdict outlives the
// registry it was given under.
//
// It is safe for concurrent use. What Match returns is the caller's own:
// a remembered verdict is copied out, never shared.
type Memo struct {
	m      *Matcher
	seeds  [2]maphash.Seed
	shards []memoShard
}

// MemoStats says how a Memo has done since it was built.
type MemoStats struct {
	Entries int   // verdicts remembered now
	Hits    int64 // calls answered from memory
	Misses  int64 // calls that matched
}

// memoShards is how many independently locked parts a Memo's memory is cut
// into, so that crawl goroutines hitting at once rarely wait for each other
// (BenchmarkMemoContention measures one lock against this).
const memoShards = 16

// NewMemo remembers the verdicts of m on up to size listings, forgetting
// the least recently seen first. A size below 1 remembers nothing: every
// call matches.
func NewMemo(m *Matcher, size int) *Memo {
	return newMemo(m, size, memoShards)
}

func newMemo(m *Matcher, size, shards int) *Memo {
	mm := &Memo{m: m, seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}}
	if size < 1 {
		return mm
	}
	shards = max(1, min(shards, size))
	mm.shards = make([]memoShard, shards)
	for i := range mm.shards {
		// the bound is exact: the shards' limits add up to size
		mm.shards[i].init(size/shards + boolInt(i < size%shards))
	}
	return mm
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Matcher is the matcher whose verdicts m remembers.
func (mm *Memo) Matcher() *Matcher { return mm.m }

// Match returns what the Matcher's Match returns for l, from memory when a
// listing with the same fields the matcher reads was judged recently.
func (mm *Memo) Match(l domain.Listing) []domain.Match {
	if len(mm.shards) == 0 {
		return mm.m.Match(l)
	}
	k := mm.key(&l)
	sh := &mm.shards[k[1]%uint64(len(mm.shards))]
	if ms, ok := sh.get(k); ok {
		return cloneMatches(ms)
	}
	ms := mm.m.Match(l)
	// the memory keeps its own copy, packed, so nothing the caller does to
	// the slice it was given can reach a later answer
	sh.put(k, cloneMatches(ms))
	return ms
}

// Stats reports the memo's entries and how many calls it answered.
func (mm *Memo) Stats() MemoStats {
	var st MemoStats
	for i := range mm.shards {
		sh := &mm.shards[i]
		sh.mu.Lock()
		st.Entries += len(sh.at)
		st.Hits += sh.hits
		st.Misses += sh.misses
		sh.mu.Unlock()
	}
	return st
}

// memoKey is a 128-bit hash of what the matcher reads of a listing. 128
// bits, not 64 and the fields compared on a hit: keeping the fields would
// keep the title's string, which the extractor may have cut out of the whole
// page, alive with the page, and comparing them would cost what hashing
// did. At 100,000 entries and a billion look-ups, two keys alike by chance
// are about 10⁻²⁵ likely; the seeds are the process's own, so no seller can
// aim a title at another's key.
type memoKey [2]uint64

// memoFields is every field of a listing the matcher reads (matcher.go:
// Title, ImageHash; judge.go and signals.go: Seller, Location, Price,
// SellerHistory's Confirmed and Via). memo_test holds it to domain.Listing:
// a field added there fails the test until someone says whether the
// matcher reads it.
type memoFields struct {
	title, seller, location string
	price                   uint64 // its bits: a NaN hashes the same each time
	image                   domain.PHash
	history                 bool // SellerHistory set
	confirmed               int
	via                     string
}

func keyFields(l *domain.Listing) memoFields {
	f := memoFields{title: l.Title, seller: l.Seller, location: l.Location,
		price: math.Float64bits(l.Price), image: l.ImageHash}
	if h := l.SellerHistory; h != nil {
		f.history, f.confirmed, f.via = true, h.Confirmed, h.Via
	}
	return f
}

func (mm *Memo) key(l *domain.Listing) memoKey {
	f := keyFields(l)
	return memoKey{maphash.Comparable(mm.seeds[0], f), maphash.Comparable(mm.seeds[1], f)}
}

// cloneMatches copies verdicts into two allocations (the matches, all
// their reasons), keeping nil and empty apart as the matcher returned them.
// Each copy's Reasons has no spare capacity, so appending to one cannot
// write into the next.
func cloneMatches(ms []domain.Match) []domain.Match {
	if ms == nil {
		return nil
	}
	n := 0
	for _, m := range ms {
		n += len(m.Reasons)
	}
	out := make([]domain.Match, len(ms))
	copy(out, ms)
	rs := make([]domain.Reason, n)
	for i, m := range ms {
		if m.Reasons == nil {
			continue
		}
		k := copy(rs, m.Reasons)
		out[i].Reasons = rs[:k:k]
		rs = rs[k:]
	}
	return out
}

// memoShard is one locked part of a Memo: a map from key to an entry of a
// circular list in recency order. Entries live in one slice and link by
// index, so an entry costs no allocation of its own and the garbage
// collector has one pointer in it to follow (the verdicts).
type memoShard struct {
	mu           sync.Mutex
	at           map[memoKey]int32
	ents         []memoEntry
	head         int32 // most recently used; its prev is the least
	limit        int
	hits, misses int64
	// keeps neighbouring shards' locks off one cache line
	_ [64]byte
}

type memoEntry struct {
	key        memoKey
	prev, next int32
	ms         []domain.Match
}

func (s *memoShard) init(limit int) {
	s.limit = limit
	s.at = map[memoKey]int32{}
	s.head = -1
}

func (s *memoShard) get(k memoKey) ([]domain.Match, bool) {
	s.mu.Lock()
	i, ok := s.at[k]
	if !ok {
		s.misses++
		s.mu.Unlock()
		return nil, false
	}
	s.hits++
	s.toFront(i)
	// the slice is never written once stored (an evicted entry gets a new
	// one), so it is read outside the lock
	ms := s.ents[i].ms
	s.mu.Unlock()
	return ms, true
}

// put remembers ms under k; two goroutines that missed the same key both
// put, the later verdict (the same one) staying.
func (s *memoShard) put(k memoKey, ms []domain.Match) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.at[k]; ok {
		s.ents[i].ms = ms
		s.toFront(i)
		return
	}
	if len(s.ents) < s.limit {
		i := int32(len(s.ents))
		s.ents = append(s.ents, memoEntry{key: k, prev: i, next: i, ms: ms})
		s.at[k] = i
		if s.head >= 0 {
			s.link(i)
		}
		s.head = i
		return
	}
	// full: the least recently used entry becomes the newest, in place;
	// on a circular list that is only moving head back one
	t := s.ents[s.head].prev
	delete(s.at, s.ents[t].key)
	s.ents[t].key, s.ents[t].ms = k, ms
	s.at[k] = t
	s.head = t
}

// toFront makes entry i the most recently used.
func (s *memoShard) toFront(i int32) {
	if i == s.head {
		return
	}
	e := &s.ents[i]
	s.ents[e.prev].next = e.next
	s.ents[e.next].prev = e.prev
	s.link(i)
	s.head = i
}

// link puts entry i before head (the place of the newest, since the list
// is circular).
func (s *memoShard) link(i int32) {
	h := s.head
	p := s.ents[h].prev
	s.ents[i].prev, s.ents[i].next = p, h
	s.ents[p].next = i
	s.ents[h].prev = i
}
