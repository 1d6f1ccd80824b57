package match

import "slices"

// Alignment of a mark's name against a stretch of a title, the way an
// examiner reads two names side by side: character by character, allowing
// a character heard or seen alike, a character written as its parts, and a
// few characters slipped in between.

// rel is how a title character relates to the mark character it stands for.
type rel uint8

const (
	relExact rel = iota
	relSound     // same toneless pinyin (heteronyms included)
	relShape     // visually confusable
	relNear      // near pinyin (z/zh, l/n, an/ang …)
	relSwap      // a different character in the same slot
	relNone
)

// op is one step of an alignment.
type op struct {
	kind opKind
	rel  rel
	p    int // pattern index (first of two for merges)
	t    int // title Han index (first of two for splits)
	tEnd int // exclusive
}

type opKind uint8

const (
	opSub opKind = iota
	opSplit
	opMerge
	opInsert
	opDelete
)

// Costs of each kind of difference; similarity is one minus their sum.
const (
	costSound = 0.12
	costShape = 0.15
	costNear  = 0.2
	costSwap  = 0.35
	// A swap outside a class of interchangeable morphemes is priced out:
	// the first character carries a name (examiners' rule), and in a
	// three-character name any other swap leaves too little of it.
	costSwapFirst = 0.6
	costSplit     = 0.1
	costInsert    = 0.12
	costDelete    = 0.3
	costSpaceGap  = 0.05
	maxAlignCost  = 0.5
)

// hanSeq is the Han-only view of a title the aligner walks.
type hanSeq struct {
	r     []rune
	syl   []syllables
	toned []syllables
	gap   []gap // before each character; gapOther when letters or digits intervene
	unit  []int32
}

const gapOther gap = 3

func (m *Matcher) relate(pt *pattern, i int, h rune, hs syllables) rel {
	p, ps := pt.runes[i], pt.chars[i].syl
	if p == h {
		return relExact
	}
	for _, a := range ps {
		if a == 0 {
			break
		}
		for _, b := range hs {
			if b == 0 {
				break
			}
			if a == b {
				return relSound
			}
		}
	}
	if pt.chars[i].shapeSig&(1<<(uint32(h)&63)) != 0 {
		for _, r := range pt.chars[i].shape {
			if r == h {
				return relShape
			}
		}
	}
	for _, a := range ps {
		if a == 0 {
			break
		}
		for _, b := range hs {
			if b == 0 {
				break
			}
			if m.t.fuzzy[a] == m.t.fuzzy[b] {
				return relNear
			}
		}
	}
	return relSwap
}

func sameSwapClass(a, b uint8) bool { return a != 0 && a == b }

func relCost(r rel) float64 {
	switch r {
	case relExact:
		return 0
	case relSound:
		return costSound
	case relShape:
		return costShape
	case relNear:
		return costNear
	}
	return costSwap
}

// alignment is the best reading of a pattern inside a title window.
type alignment struct {
	start, end int // Han indices, end exclusive
	cost       float64
	ops        []op
	kept       bool // read whole by patternKept, not step by step
}

// align finds the cheapest alignment of pattern p within hs[lo:hi]. Work is
// O(len(p) × (hi-lo)).
func (m *Matcher) align(p *pattern, hs *hanSeq, lo, hi int, sc *scratch) (alignment, bool) {
	k := len(p.runes)
	w := hi - lo
	if w <= 0 || k == 0 {
		return alignment{}, false
	}
	cols := w + 1
	n := (k + 1) * cols
	sc.work += n
	sc.cost = grow(sc.cost, n)
	sc.from = growInt(sc.from, n)
	sc.how = growOp(sc.how, n)
	const inf = 1e9
	for i := range n {
		sc.cost[i] = inf
		sc.from[i] = -1
	}
	for j := 0; j <= w; j++ {
		sc.cost[j] = 0
	}
	allowSwap := p.coreHi-p.coreLo >= 3 && !p.gi
	allowDelete := p.coreHi-p.coreLo >= 4 && !p.gi
	relax := func(to int, c float64, from int, o op) {
		if c < sc.cost[to] {
			sc.cost[to] = c
			sc.from[to] = from
			sc.how[to] = o
		}
	}
	// rowMin is the cheapest cell of row i so far.
	rowMin := func(i int) float64 {
		best := inf
		for _, c := range sc.cost[i*cols : (i+1)*cols] {
			best = min(best, c)
		}
		return best
	}
	for i := 0; i < k; i++ {
		// Costs only grow along a path, and every path to the last row
		// passes through row i or merges from row i-1 into row i+1: when
		// both are already too dear, no alignment can succeed. Most windows
		// a large registry proposes fail on their first characters.
		if i > 0 && rowMin(i) > maxAlignCost && rowMin(i+1) > maxAlignCost {
			return alignment{}, false
		}
		for j := 0; j < w; j++ {
			cur := i*cols + j
			c := sc.cost[cur]
			if c >= inf {
				continue
			}
			t := lo + j
			g := hs.gap[t]
			if i > 0 && g == gapOther {
				continue
			}
			extra := 0.0
			if i > 0 && g == gapSpace {
				extra = costSpaceGap
			}
			// substitution (or identity)
			r := m.relate(p, i, hs.r[t], hs.syl[t])
			rc := relCost(r)
			if r == relSwap {
				if !allowSwap || i < p.coreLo || i >= p.coreHi {
					rc = inf
				} else if (i == p.coreLo || p.coreHi-p.coreLo == 3) && !sameSwapClass(m.t.swapClass(p.runes[i]), m.t.swapClass(hs.r[t])) {
					rc = costSwapFirst
				}
			}
			if rc < inf {
				relax((i+1)*cols+j+1, c+rc+extra, cur, op{kind: opSub, rel: r, p: i, t: t, tEnd: t + 1})
			}
			// split: one mark character written as its two components, one
			// of them perhaps by a look-alike (沙 → 氵小)
			if d, ds := p.chars[i].split, p.chars[i].splitStd; d.a != 0 && j+1 < w && hs.gap[t+1] <= gapSymbol {
				a, b := hs.r[t], hs.r[t+1]
				okA, okB := a == d.a || a == ds.a, b == d.b || b == ds.b
				switch {
				case okA && okB:
					relax((i+1)*cols+j+2, c+costSplit+extra, cur, op{kind: opSplit, p: i, t: t, tEnd: t + 2})
				case okA && slices.Contains(p.chars[i].splitAlt[1], b), okB && slices.Contains(p.chars[i].splitAlt[0], a):
					relax((i+1)*cols+j+2, c+costSplit+costShape+extra, cur, op{kind: opSplit, rel: relShape, p: i, t: t, tEnd: t + 2})
				}
			}
			// merge: two mark characters written as one
			if i+1 < k {
				if mc := p.chars[i].merge; mc != 0 && mc == hs.r[t] {
					relax((i+2)*cols+j+1, c+costSplit+extra, cur, op{kind: opMerge, p: i, t: t, tEnd: t + 1})
				}
			}
			// insertion: title characters slipped inside the name
			if i > 0 && k >= 3 && g == gapNone {
				relax(i*cols+j+1, c+costInsert, cur, op{kind: opInsert, p: i, t: t, tEnd: t + 1})
			}
			// deletion: an inner character of a long name left out (衡水老干)
			if allowDelete && i > 0 && i < k-1 && g == gapNone {
				relax((i+1)*cols+j, c+costDelete, cur, op{kind: opDelete, p: i, t: t, tEnd: t})
			}
		}
	}
	best, bj := inf, -1
	for j := 0; j <= w; j++ {
		if c := sc.cost[k*cols+j]; c < best {
			best, bj = c, j
		}
	}
	if bj < 0 || best > maxAlignCost {
		return alignment{}, false
	}
	// the steps go to the title's arena, not a fresh slice: most
	// alignments found are judged and dropped with the title
	from := len(sc.ops)
	cur := k*cols + bj
	for sc.from[cur] >= 0 {
		sc.ops = append(sc.ops, sc.how[cur])
		cur = sc.from[cur]
	}
	ops := sc.ops[from:len(sc.ops):len(sc.ops)]
	for i, j := 0, len(ops)-1; i < j; i, j = i+1, j-1 {
		ops[i], ops[j] = ops[j], ops[i]
	}
	if len(ops) == 0 {
		return alignment{}, false
	}
	a := alignment{start: ops[0].t, end: ops[len(ops)-1].tEnd, cost: best, ops: ops}
	if !m.plausible(p, hs, a) {
		return alignment{}, false
	}
	return a, true
}

// plausible applies the limits that keep a look-alike a look-alike: at most
// half the characters replaced, one free swap and then nothing else, at most
// two characters inserted, and names split by spaces only when every
// character is.
func (m *Matcher) plausible(p *pattern, hs *hanSeq, a alignment) bool {
	k := len(p.runes)
	subs, swaps, inserts, other, sounds, deletes := 0, 0, 0, 0, 0, 0
	for _, o := range a.ops {
		switch o.kind {
		case opSub:
			switch o.rel {
			case relExact:
			case relSwap:
				swaps++
				subs++
			case relSound:
				sounds++
				subs++
				other++
			default:
				subs++
				other++
			}
		case opInsert:
			inserts++
			other++
		case opDelete:
			deletes++
		default:
			other++
		}
	}
	if inserts > 2 || swaps > 1 || (swaps == 1 && other > 0) || deletes > 1 || (deletes == 1 && other+swaps > 0) {
		return false
	}
	if k == 2 && subs == 2 {
		// both characters of a two-character name replaced: only an exact
		// homophone, tones included, is still that name (露露 → 璐璐)
		if sounds != 2 {
			return false
		}
		for _, o := range a.ops {
			if !sharesReading(p.chars[o.p].toned, hs.toned[o.t]) {
				return false
			}
		}
	}
	if k >= 3 && subs > k/2 {
		return false
	}
	// a space inside the name only counts when the name is spelled out, or
	// where the name itself has a word break (迁西 板栗: place, product)
	breakAt := -1
	if p.wordBreak > 0 {
		for _, o := range a.ops {
			if o.p == p.wordBreak && o.kind != opInsert && o.kind != opDelete {
				breakAt = o.t
			}
		}
	}
	spaces, glued := 0, 0
	for t := a.start + 1; t < a.end; t++ {
		if t == breakAt {
			continue
		}
		switch hs.gap[t] {
		case gapSpace:
			spaces++
		case gapNone:
			glued++
		}
	}
	// (a name split once by a space, 衡水 老白干, is still the name, only
	// not an evasive spelling: see scriptReasons)
	if spaces > 0 && other+subs+swaps+deletes > 0 {
		return false // spaced out and altered as well is no longer the name
	}
	// an inserted character must sit inside a glued word
	for i, o := range a.ops {
		if o.kind == opInsert && i+1 < len(a.ops) && hs.gap[a.ops[i+1].t] != gapNone {
			return false
		}
	}
	return true
}

// reordered finds the mark's characters in another order (金河沙, 醉刘伶).
func (m *Matcher) reordered(p *pattern, hs *hanSeq, lo, hi int) (int, bool) {
	k := len(p.runes)
	if k < 2 {
		return 0, false
	}
	for s := lo; s+k <= hi; s++ {
		same := true
		ok := true
		for i := 0; i < k; i++ {
			if i > 0 && hs.gap[s+i] > gapSymbol {
				ok = false
				break
			}
			if hs.r[s+i] != p.runes[i] {
				same = false
			}
		}
		if !ok || same || !sameMultiset(p.runes, hs.r[s:s+k]) {
			continue
		}
		return s, true
	}
	return 0, false
}

func sameMultiset(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	used := uint64(0)
	for _, x := range a {
		found := false
		for j, y := range b {
			if used&(1<<uint(j)) == 0 && x == y {
				used |= 1 << uint(j)
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

func growInt(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}

func growOp(s []op, n int) []op {
	if cap(s) < n {
		return make([]op, n)
	}
	return s[:n]
}
