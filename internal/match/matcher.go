package match

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/markwatch/markwatch/internal/domain"
)

// DefaultAlertThreshold is the score at or above which a hit becomes an alert.
const DefaultAlertThreshold = 0.6

// Options tune the matcher; the zero value means defaults.
type Options struct {
	// AlertThreshold is the score in (0,1] at which a hit alerts; 0 means
	// DefaultAlertThreshold.
	AlertThreshold float64
}

// Matcher holds the indexed registry. It is read-only after New and safe for
// concurrent use.
type Matcher struct {
	t                                                                        *tables
	threshold                                                                float64
	marks                                                                    []compiled
	patterns                                                                 []pattern // values, not pointers: one cache miss less a candidate
	index                                                                    pairIndex
	building                                                                 map[uint64][]int32 // the index while New runs
	bloom                                                                    [4]bloom           // by keyClass
	latin                                                                    pairIndex          // latin spelling hash → indices into latinKeys
	latinKeys                                                                []latinKey
	latinBuilding                                                            map[uint64][]int32
	latinAlt                                                                 pairIndex // latin forms with b/d folded as well
	latinNear                                                                pairIndex // whole spellings with one letter dropped
	latinSyl                                                                 pairIndex // pinyin with one syllable's final wild
	latinWord                                                                pairIndex // a word of a two-word latin form, by its place
	latinAltBuilding, latinNearBuilding, latinSylBuilding, latinWordBuilding map[uint64][]int32
	images                                                                   imageIndex // reference images by perceptual hash
	pool                                                                     sync.Pool  // *scratch, per-goroutine working memory
}

// scratch is the working memory of one Match call.
type scratch struct {
	stamps        []candStamp // by pattern id
	gen           uint32
	cands         []candidate
	cost          []float64
	from          []int
	how           []op
	text          text
	hs            hanSeq
	present       presence
	presentFilled bool
	work          int // steps taken by the last match (alignment cells, index probes, bytes scanned)
	// reused between titles: occurrences and the alignment steps they hold
	// live only until the title is judged
	occs   []occurrence
	ops    []op
	images []imageHit
}

// candStamp marks a pattern as already a candidate of the current title
// (gen) and where; one slot, so a repeated hit costs one cache miss.
type candStamp struct {
	gen  uint32
	slot int32
}

func growSlice[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// New indexes marks for matching.
func New(marks []domain.Mark, opts Options) (*Matcher, error) {
	th := opts.AlertThreshold
	if th == 0 {
		th = DefaultAlertThreshold
	}
	if th < 0 || th > 1 {
		return nil, fmt.Errorf("building matcher: alert threshold %v outside (0,1]", th)
	}
	m := &Matcher{
		t:                 defaultTables(),
		threshold:         th,
		building:          map[uint64][]int32{},
		latinBuilding:     map[uint64][]int32{},
		latinAltBuilding:  map[uint64][]int32{},
		latinNearBuilding: map[uint64][]int32{},
		latinSylBuilding:  map[uint64][]int32{},
		latinWordBuilding: map[uint64][]int32{},
	}
	if err := m.compile(marks); err != nil {
		return nil, err
	}
	m.patterns = slices.Clone(m.patterns) // drop the spare capacity of values
	m.images = buildImageIndex(marks)

	m.index = freezeIndex(m.building)
	var perClass [4]int
	for key := range m.building {
		perClass[keyClass(key)]++
	}
	for c, n := range perClass {
		m.bloom[c] = newBloom(n)
	}
	for key := range m.building {
		m.bloom[keyClass(key)].add(key)
	}
	m.latin = freezeIndex(m.latinBuilding)
	m.latinAlt = freezeIndex(m.latinAltBuilding)
	m.latinNear = freezeIndex(m.latinNearBuilding)
	m.latinSyl = freezeIndex(m.latinSylBuilding)
	m.latinWord = freezeIndex(m.latinWordBuilding)
	m.building, m.latinBuilding, m.latinAltBuilding, m.latinNearBuilding, m.latinSylBuilding, m.latinWordBuilding = nil, nil, nil, nil, nil, nil
	np := len(m.patterns)
	m.pool.New = func() any {
		return &scratch{stamps: make([]candStamp, np)}
	}
	return m, nil
}

// Match returns one Match per mark the listing resembles (also those below
// the alert threshold, with Alert false), sorted by score descending.
func (m *Matcher) Match(l domain.Listing) []domain.Match {
	sc := m.pool.Get().(*scratch)
	defer m.pool.Put(sc)
	return m.match(l, sc)
}

// match does the work of Match in the given scratch; sc.work counts the
// steps taken, so tests can check that work grows linearly with the title.
func (m *Matcher) match(l domain.Listing, sc *scratch) []domain.Match {
	sc.work = 0
	tx := &sc.text
	m.t.analyse(l.Title, tx)
	hs := m.hanSeq(tx, &sc.hs)
	sc.presentFilled = false
	occs := sc.occs[:0]
	sc.ops = sc.ops[:0]
	for _, c := range m.candidates(hs, sc) {
		occs = m.verify(c, hs, tx, sc, occs)
	}
	occs = m.latinOccurrences(tx, occs)
	sc.occs = occs
	sc.images = m.images.lookup(l.ImageHash, sc.images[:0])
	ms := m.judgeAll(l, tx, hs, occs, sc.images)
	sc.work += len(tx.units) + tx.scanned
	return ms
}

func (m *Matcher) hanSeq(tx *text, hs *hanSeq) *hanSeq {
	n := len(tx.han)
	hs.r = growSlice(hs.r, n)
	hs.syl = growSlice(hs.syl, n)
	hs.toned = growSlice(hs.toned, n)
	hs.gap = growSlice(hs.gap, n)
	hs.unit = tx.han
	for i, ui := range tx.han {
		u := tx.units[ui]
		r := u.r
		if u.tens {
			r = '十'
		} else if u.kind == kindDigit {
			r = numeralOf(r)
		}
		hs.r[i] = r
		hs.syl[i] = m.t.sylOf(r)
		hs.toned[i] = m.t.tonedOf(r)
		hs.gap[i] = u.gap
		if i > 0 && tx.han[i-1] != ui-1 {
			hs.gap[i] = gapOther // letters or digits stand between
		}
	}
	return hs
}

// verify turns a candidate into an occurrence when the pattern really is
// there: exactly, as a look-alike, or reordered.
func (m *Matcher) verify(c candidate, hs *hanSeq, tx *text, sc *scratch, occs []occurrence) []occurrence {
	p := &m.patterns[c.pid]
	k := len(p.runes)
	lo := max(0, c.lo-k-2)
	hi := min(len(hs.r), c.hi+k+3)
	if k == 2 {
		// two-character names take no insertions: the hit pair itself, or
		// one more character for a split, is the whole window
		lo, hi = max(0, c.lo-1), min(len(hs.r), c.hi+2)
	}
	if p.kind == patPlace {
		for s := lo; s+k <= hi; s++ {
			if m.exactAt(p, hs, s) {
				occs = append(occs, m.occurrenceOf(p, hs, tx, alignment{start: s, end: s + k, ops: identityOps(s, k)}, false))
			}
		}
		return occs
	}
	// The presence test is only a filter: every alignment, reordering or
	// traded generic word it lets through keeps all but at most the
	// allowance of characters. A two-character name has no allowance, and
	// the index pair that made it a candidate already holds both characters
	// (or their sound, shape or parts), so it is tested by alignment alone.
	if k > 2 {
		if !sc.presentFilled {
			// built on the first longer candidate only: most titles have none
			m.fillPresence(hs, &sc.present)
			sc.presentFilled = true
		}
		if !m.enoughPresent(p, &sc.present) {
			return occs
		}
	}
	if a, ok := m.align(p, hs, lo, hi, sc); ok {
		spaced := false
		for t := a.start + 1; t < a.end; t++ {
			spaced = spaced || hs.gap[t] == gapSpace
		}
		// a name read across a space is weaker than its words glued in
		// another order (核桃六个 核桃乳: the name's two words swapped)
		if !spaced {
			return append(occs, m.occurrenceOf(p, hs, tx, a, false))
		}
		if _, ok := m.reordered(p, hs, lo, hi); !ok {
			return append(occs, m.occurrenceOf(p, hs, tx, a, false))
		}
	}
	if s, ok := m.reordered(p, hs, lo, hi); ok {
		o := m.occurrenceOf(p, hs, tx, alignment{start: s, end: s + k}, false)
		o.sim = 1 - costReorder
		o.lookalike, o.strong, o.how = true, false, howReordered
		return append(occs, o)
	}
	if s, ok := m.interleaved(p, hs, lo, hi); ok {
		o := m.occurrenceOf(p, hs, tx, alignment{start: s, end: s + 4}, false)
		o.sim = minKeptSim
		o.lookalike, o.strong, o.how = true, false, howInterleaved
		return append(occs, o)
	}
	if a, ok := m.headSwapped(p, hs, lo, hi, sc); ok {
		return append(occs, m.occurrenceOf(p, hs, tx, a, false))
	}
	if a, ok := m.patternKept(p, hs, lo, hi, sc); ok {
		return append(occs, m.occurrenceOf(p, hs, tx, a, false))
	}
	if s, ok := m.wordSwapped(p, hs, lo, hi); ok {
		o := m.occurrenceOf(p, hs, tx, alignment{start: s, end: s + k}, false)
		o.sim = 1 - costSwap
		o.lookalike, o.strong, o.how = true, false, howWordSwap
		return append(occs, o)
	}
	if s, ok := m.genericSwapped(p, hs, lo, hi); ok {
		o := m.occurrenceOf(p, hs, tx, alignment{start: s, end: s + k}, false)
		o.sim = 1 - costSwap
		o.lookalike, o.strong, o.how = true, false, howGenericSwap
		return append(occs, o)
	}
	return occs
}

// Costs of the overall-impression reading (patternKept).
const (
	costKeptSwap  = 0.3  // a character replaced outright while the name's shape holds
	minKeptSim    = 0.62 // a name read whole is still that name
	maxKeptChange = 2
)

// patternKept reads a name of three or more characters as a whole, the way
// examiners judge the overall impression: up to two characters changed in
// place while the name's pattern holds (康师傅 → 康帅博, 五粮液 → 五良夜,
// 六个核桃 → 大仁核桃), or its repeated character kept or replaced
// consistently (奥利奥 → 奥密奥 or 粤利粤, 可口可乐 → 司口司乐).
//
// The limits: at most two changes, a repeated character replaced the same
// way at each place counting once; at most one of them a character of
// neither like sound nor like shape; the first character kept, unless a
// longer name changes it by sound or shape or the repeated character it is
// changes consistently; in a three-character name, two changes only by sound
// or shape with the first character kept, and one outright replacement only
// where a repeated character carries the pattern.
func (m *Matcher) patternKept(p *pattern, hs *hanSeq, lo, hi int, sc *scratch) (alignment, bool) {
	k := len(p.runes)
	if k < 3 || k > 8 || p.gi || p.coreLo != 0 || p.coreHi != k {
		return alignment{}, false
	}
	var rels [8]rel
	for s := lo; s+k <= hi; s++ {
		ok := true
		changes, swaps, cost := 0, 0, 0.0
		repeatHeld, firstOK := false, true
		for i := 0; i < k && ok; i++ {
			if i > 0 && hs.gap[s+i] > gapSymbol {
				ok = false
				break
			}
			h := hs.r[s+i]
			// a repeated character of the name: the title must repeat too
			first := -1
			for j := 0; j < i; j++ {
				if p.runes[j] == p.runes[i] {
					first = j
					break
				}
			}
			if first >= 0 {
				if hs.r[s+first] != h {
					ok = false
				}
				rels[i] = rels[first]
				repeatHeld = true
				continue
			}
			r := m.relate(p, i, h, hs.syl[s+i])
			rels[i] = r
			if r == relExact {
				continue
			}
			changes++
			grouped := false
			for j := i + 1; j < k; j++ {
				grouped = grouped || p.runes[j] == p.runes[i]
			}
			if r == relSwap {
				swaps++
				cost += costKeptSwap
			} else {
				cost += relCost(r)
			}
			if i == 0 && !grouped && (k == 3 || r == relSwap) {
				firstOK = false
			}
		}
		// A three-character name whose first character alone is replaced
		// keeps its last two as a word (士力架 → 给力架, 大白兔 → 奶白兔):
		// similar when the title word is just that, starting where the
		// name starts.
		// (Not when those two are a form of address or kinship word, 师傅
		// in 康师傅: then the first character is what tells names apart.)
		headSwap := k == 3 && changes == 1 && swaps == 1 && rels[0] == relSwap && !repeatHeld && !p.tailWord &&
			(s == 0 || hs.gap[s] != gapNone)
		if headSwap {
			firstOK = true
		}
		if !ok || changes == 0 || changes > maxKeptChange || swaps > 1 || !firstOK {
			continue
		}
		if k == 3 && !repeatHeld && !headSwap && (swaps > 0 || changes < 2) {
			continue // one change of a three-character name is the aligner's
		}
		if changes >= distinctRunes(p.runes) {
			continue // something of the name itself must remain
		}
		sim := max(minKeptSim, 1-cost)
		from := len(sc.ops)
		for i := 0; i < k; i++ {
			sc.ops = append(sc.ops, op{kind: opSub, rel: rels[i], p: i, t: s + i, tEnd: s + i + 1})
		}
		ops := sc.ops[from:len(sc.ops):len(sc.ops)]
		return alignment{start: s, end: s + k, cost: 1 - sim, ops: ops, kept: true}, true
	}
	return alignment{}, false
}

func distinctRunes(rs []rune) int {
	n := 0
	for i, r := range rs {
		if !slices.Contains(rs[:i], r) {
			n++
		}
	}
	return n
}

func hasRepeat(rs []rune) bool { return distinctRunes(rs) < len(rs) }

// interleaved finds a two-character name with a character slipped in after
// each of its characters, as a four-character word of its own or two
// two-character words side by side (红牛 → 红天牛下, 红天 牛下): the name
// read at every other character.
func (m *Matcher) interleaved(p *pattern, hs *hanSeq, lo, hi int) (int, bool) {
	if len(p.runes) != 2 || p.gi || p.kind != patName || p.runes[0] == p.runes[1] {
		return 0, false
	}
	a, b := p.runes[0], p.runes[1]
	for s := lo; s+4 <= hi; s++ {
		if hs.r[s] != a || hs.r[s+2] != b || (s > 0 && hs.gap[s] < gapSpace) ||
			(s+4 < len(hs.r) && hs.gap[s+4] == gapNone) {
			continue
		}
		if hs.gap[s+1] != gapNone || hs.gap[s+3] != gapNone || hs.gap[s+2] > gapSpace {
			continue // one word of four, or two of two
		}
		ok := true
		for _, x := range []rune{hs.r[s+1], hs.r[s+3]} {
			if x == a || x == b || strings.ContainsRune(measureChars, x) {
				ok = false
			}
		}
		if ok {
			return s, true
		}
	}
	return 0, false
}

// minHeadSwapSim is the similarity of a two-character name with its first
// character replaced: enough to alert among the mark's goods, not beyond.
const minHeadSwapSim = 0.6

// headSwapped finds a two-character name written as a word of its own (set
// off by spaces or punctuation) with
// the first character replaced and the second kept (旺仔 → 哈仔, 红牛 →
// 动牛): the pattern of such names (X仔, X牛) is their second character.
func (m *Matcher) headSwapped(p *pattern, hs *hanSeq, lo, hi int, sc *scratch) (alignment, bool) {
	if len(p.runes) != 2 || p.gi || p.kind != patName || p.runes[0] == p.runes[1] {
		return alignment{}, false
	}
	for s := lo; s+2 <= hi; s++ {
		if hs.r[s+1] != p.runes[1] || hs.gap[s+1] != gapNone || (s > 0 && hs.gap[s] < gapSpace) ||
			(s+2 < len(hs.r) && hs.gap[s+2] == gapNone) {
			continue // a word of its own, not the start of a longer one (纯牛奶)
		}
		h := hs.r[s]
		if h == p.runes[0] || h == p.runes[1] || strings.ContainsRune(measureChars, h) || m.relate(p, 0, h, hs.syl[s]) != relSwap {
			continue
		}
		from := len(sc.ops)
		sc.ops = append(sc.ops, op{kind: opSub, rel: relSwap, p: 0, t: s, tEnd: s + 1}, op{kind: opSub, rel: relExact, p: 1, t: s + 1, tEnd: s + 2})
		return alignment{start: s, end: s + 2, cost: 1 - minHeadSwapSim, ops: sc.ops[from:len(sc.ops):len(sc.ops)], kept: true}, true
	}
	return alignment{}, false
}

// wordSwapped finds a name whose last two characters are a word of a class
// of related meaning (a form of address, a kinship word) with that word
// traded for another of its class and the rest kept (老干妈 → 老姨妈,
// 鲍师傅 → 鲍老师).
func (m *Matcher) wordSwapped(p *pattern, hs *hanSeq, lo, hi int) (int, bool) {
	k := len(p.runes)
	if k < 3 || p.gi || p.kind == patPlace {
		return 0, false
	}
	cls := m.t.wordClass[[2]rune{p.runes[k-2], p.runes[k-1]}]
	if cls == 0 {
		return 0, false
	}
	for s := lo; s+k <= hi; s++ {
		ok := true
		for i := 0; i < k && ok; i++ {
			if i > 0 && hs.gap[s+i] > gapSymbol {
				ok = false
			} else if i < k-2 && hs.r[s+i] != p.runes[i] {
				ok = false
			}
		}
		if !ok {
			continue
		}
		w := [2]rune{hs.r[s+k-2], hs.r[s+k-1]}
		if w != [2]rune{p.runes[k-2], p.runes[k-1]} && m.t.wordClass[w] == cls {
			return s, true
		}
	}
	return 0, false
}

// genericSwapped finds the distinctive part of a name followed by another
// word in place of its generic tail (六个核桃 → 六个坚果): the name's pattern
// kept, its generic word traded.
func (m *Matcher) genericSwapped(p *pattern, hs *hanSeq, lo, hi int) (int, bool) {
	gl := p.genericTail
	if gl == 0 {
		return 0, false
	}
	k := len(p.runes)
	d := k - gl
	for s := lo; s+k <= hi; s++ {
		ok := true
		for i := 0; i < k && ok; i++ {
			switch {
			case i > 0 && i < d && hs.gap[s+i] > gapSymbol:
				ok = false
			case i >= d && hs.gap[s+i] != gapNone:
				ok = false
			case i < d && hs.r[s+i] != p.runes[i]:
				ok = false
			case i >= d && strings.ContainsRune(measureChars, hs.r[s+i]):
				ok = false
			}
		}
		if !ok || string(hs.r[s+d:s+k]) == string(p.runes[d:]) {
			continue
		}
		if s+k < len(hs.r) && hs.gap[s+k] == gapNone {
			continue // the replacement must be a whole word
		}
		return s, true
	}
	return 0, false
}

const costReorder = 0.25

func identityOps(s, k int) []op {
	ops := make([]op, k)
	for i := range ops {
		ops[i] = op{kind: opSub, rel: relExact, p: i, t: s + i, tEnd: s + i + 1}
	}
	return ops
}

func (m *Matcher) exactAt(p *pattern, hs *hanSeq, s int) bool {
	for i, r := range p.runes {
		if hs.r[s+i] != r || (i > 0 && hs.gap[s+i] > gapSymbol) {
			return false
		}
	}
	return true
}

func sortMatches(ms []domain.Match) {
	sort.SliceStable(ms, func(i, j int) bool {
		if ms[i].Score != ms[j].Score {
			return ms[i].Score > ms[j].Score
		}
		return ms[i].MarkID < ms[j].MarkID
	})
}
