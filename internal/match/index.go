package match

// The index maps pairs of character classes to the patterns containing them,
// so a title meets only the marks it shares a pair with, not every mark.
// A class is an exact character, a toneless syllable or a toned one. Exact
// pairs span neighbours and next-but-one neighbours, so a replaced, inserted
// or split character still leaves an exact pair in names of three or more
// characters. Two-character names also index their neighbours' sounds, toned
// homophones, look-alike shapes and components; four-character names their
// neighbours' sounds (for the two middle characters replaced at once).

const (
	altClass    = 0x400000 // a look-alike second character after an exact first (康帅)
	sylClass    = 0x200000 // syllable classes sit above every rune
	tonedClass  = 0x300000 // toned syllables, for two-character homophones
	repeatClass = 0x1FFFFF // "some character repeated around this one" (X利X)
	headClass   = 0x1FFFFE // "a two-character word ending in this one" (X仔)
)

// Keys fall in three classes, each behind its own bloom filter: exact pairs,
// pairs with a syllable, pairs of toned syllables. A title probes each class
// about equally often, but the toned keys are few, so their filter stays in
// the nearest cache even at ten thousand marks.
const (
	classExact = iota
	classSyl
	classToned
	classAlt
)

func keyClass(key uint64) int {
	switch hi := uint32(key); { // the larger element (see pairKey)
	case hi >= altClass:
		return classAlt
	case hi >= tonedClass:
		return classToned
	case hi >= sylClass:
		return classSyl
	}
	return classExact
}

func pairKey(x, y uint32) uint64 {
	if x > y {
		x, y = y, x
	}
	return uint64(x)<<32 | uint64(y)
}

func (m *Matcher) indexPattern(pid int32, p *pattern) {
	k := len(p.runes)
	seen := map[uint64]bool{}
	emit := func(key uint64) {
		if !seen[key] {
			seen[key] = true
			m.building[key] = append(m.building[key], pid)
		}
	}
	alt := func(i int) []uint32 {
		r := p.runes[i]
		out := []uint32{uint32(r)}
		if p.kind == patPlace {
			return out
		}
		for _, s := range p.chars[i].syl {
			if s != 0 {
				out = append(out, sylClass|uint32(s))
			}
		}
		if k == 2 {
			for _, s := range m.t.shape[r] {
				out = append(out, uint32(s))
			}
			if d, ok := m.t.ids[r]; ok {
				out = append(out, uint32(d.a), uint32(d.b))
			}
		}
		return out
	}
	if p.kind != patPlace && !p.gi {
		switch k {
		case 3:
			// the first character with the second heard or seen alike: a
			// name with its last two characters changed (康帅博)
			// (look-alike shapes in a class of their own, in that order, so
			// that they neither crowd the exact pairs' filter nor meet
			// pairs further apart)
			for _, s := range p.chars[1].syl {
				if s != 0 {
					emit(pairKey(uint32(p.runes[0]), sylClass|uint32(s)))
				}
			}
			for _, s := range p.chars[1].shape {
				emit(pairKey(uint32(p.runes[0]), altClass|uint32(s)))
			}
		case 2:
			// a two-character word ending in the name's second character:
			// the first replaced (旺仔 → 哈仔)
			emit(pairKey(headClass, uint32(p.runes[1])))
		case 4:
			// first and last: a name with its two middle characters changed
			emit(pairKey(uint32(p.runes[0]), uint32(p.runes[3])))
		}
		// the character before a closing swap word with the first character
		// of each word of its class (张妈妈 → 张阿姨)
		if p.tailWord {
			cls := m.t.wordClass[[2]rune{p.runes[k-2], p.runes[k-1]}]
			for w, c := range m.t.wordClass {
				if c == cls {
					emit(pairKey(uint32(p.runes[k-3]), uint32(w[0])))
				}
			}
		}
		// a character repeated next-but-one (奥利奥, 可口可乐): the title
		// repeating any character around the one between is a candidate
		for i := 0; i+2 < k; i++ {
			if p.runes[i] == p.runes[i+2] && p.runes[i+1] != p.runes[i] {
				emit(pairKey(repeatClass, uint32(p.runes[i+1])))
			}
		}
	}
	for i := 0; i < k; i++ {
		ai := alt(i)
		for j := i + 1; j < k && j <= i+2; j++ {
			if j > i+1 || (k != 2 && k != 4) {
				// Exact characters only: with next-but-one neighbours a name
				// of three or more keeps an exact pair through any change
				// alignment allows, except a four-character name with its two
				// middle characters replaced, which keeps sound keys below.
				// Sound keys for every pair would flood a large registry with
				// candidates.
				emit(pairKey(uint32(p.runes[i]), uint32(p.runes[j])))
				continue
			}
			aj := alt(j)
			for _, y := range aj {
				emit(pairKey(uint32(p.runes[i]), y))
			}
			for _, x := range ai {
				emit(pairKey(x, uint32(p.runes[j])))
			}
			if k == 2 && p.kind != patPlace {
				for _, x := range p.chars[i].toned {
					for _, y := range p.chars[j].toned {
						if x != 0 && y != 0 {
							emit(pairKey(tonedClass|uint32(x), tonedClass|uint32(y)))
						}
					}
				}
			}
		}
	}
}

// candidate is a pattern some title pair hit, with the Han positions hit.
type candidate struct {
	pid    int32
	lo, hi int
}

// candidates looks up every nearby pair of title characters.
func (m *Matcher) candidates(hs *hanSeq, sc *scratch) []candidate {
	sc.gen++
	if sc.gen == 0 { // wrapped: clear stale stamps
		clear(sc.stamps)
		sc.gen = 1
	}
	cands := sc.cands[:0]
	ble, bls, blt, bla := m.bloom[classExact], m.bloom[classSyl], m.bloom[classToned], m.bloom[classAlt]
	// hit is called only for keys the bloom filter lets through; the filter
	// test stays inline at each probe, since most probes stop there.
	hit := func(key uint64, t, u int) {
		for _, pid := range m.index.get(key) {
			st := &sc.stamps[pid]
			if st.gen == sc.gen {
				// Hits near the last cluster widen it; a hit far away opens a
				// new one, so each alignment window stays small.
				c := &cands[st.slot]
				reach := len(m.patterns[pid].runes) + 3
				if t <= c.hi+reach && u >= c.lo-reach {
					c.lo = min(c.lo, t)
					c.hi = max(c.hi, u)
					continue
				}
			}
			*st = candStamp{gen: sc.gen, slot: int32(len(cands))}
			cands = append(cands, candidate{pid: pid, lo: t, hi: u})
		}
	}
	n := len(hs.r)
	probes := 0
	for t := 0; t < n; t++ {
		rt := uint32(hs.r[t])
		st := hs.syl[t]
		if t+1 < n && (t == 0 || hs.gap[t] >= gapSpace) && hs.gap[t+1] == gapNone && (t+2 == n || hs.gap[t+2] != gapNone) {
			// a two-character word of its own
			probes++
			if k := pairKey(headClass, uint32(hs.r[t+1])); ble.has(k) {
				hit(k, t, t+1)
			}
		}
		if t+2 < n && hs.r[t] == hs.r[t+2] && hs.r[t+1] != hs.r[t] {
			probes++
			if k := pairKey(repeatClass, uint32(hs.r[t+1])); ble.has(k) {
				hit(k, t, t+2)
			}
		}
		for d := 1; d <= 3 && t+d < n; d++ {
			u := t + d
			ru := uint32(hs.r[u])
			probes++
			if k := pairKey(rt, ru); ble.has(k) {
				hit(k, t, u)
			}
			if d > 1 {
				continue
			}
			probes++
			if k := pairKey(rt, altClass|ru); bla.has(k) {
				hit(k, t, u)
			}
			su := hs.syl[u]
			for _, y := range su {
				if y == 0 {
					break
				}
				probes++
				if k := pairKey(rt, sylClass|uint32(y)); bls.has(k) {
					hit(k, t, u)
				}
			}
			for _, x := range st {
				if x == 0 {
					break
				}
				probes++
				if k := pairKey(sylClass|uint32(x), ru); bls.has(k) {
					hit(k, t, u)
				}
			}
			tu := hs.toned[u]
			for _, x := range hs.toned[t] {
				if x == 0 {
					break
				}
				for _, y := range tu {
					if y == 0 {
						break
					}
					probes++
					if k := pairKey(tonedClass|uint32(x), tonedClass|uint32(y)); blt.has(k) {
						hit(k, t, u)
					}
				}
			}
		}
	}
	sc.work += probes
	sc.cands = cands
	return cands
}

// bloom is a bit filter in front of the pair index: most pairs of title
// characters belong to no mark, and a bit test is far cheaper than a probe of
// the index, which at ten thousand marks is a cache miss. Each key sets two
// bits of one word, from one hash: two bits cut false positives (index
// probes for nothing) about fivefold against one, and one word keeps a test
// to one cache line.
type bloom struct{ bits []uint64 }

func newBloom(keys int) bloom {
	n := 1 << 10
	for n < keys*12 { // about 1-2% false positives with two bits a word
		n <<= 1
	}
	return bloom{bits: make([]uint64, n/64)}
}

func (b bloom) slot(key uint64) (int, uint64) {
	h := key * 0x9E3779B97F4A7C15
	h ^= h >> 29
	w := (h >> 12) & uint64(len(b.bits)-1)
	return int(w), 1<<(h&63) | 1<<((h>>6)&63)
}

func (b bloom) add(key uint64) {
	w, bits := b.slot(key)
	b.bits[w] |= bits
}

func (b bloom) has(key uint64) bool {
	w, bits := b.slot(key)
	return b.bits[w]&bits == bits
}

// pairIndex is the frozen pair index: open addressing over one array of
// slots, each with its key and the range of its postings in one shared
// slice, so a probe touches one cache line. A Go map of slices costs several
// times the memory and, at ten thousand marks, the cache misses with it.
type pairIndex struct {
	slots    []indexSlot
	postings []int32
	mask     uint64
}

type indexSlot struct {
	key      uint64 // 0 marks an empty slot (no real key is 0)
	from, to uint32 // postings[from:to]
}

func freezeIndex(m map[uint64][]int32) pairIndex {
	n := 16
	for n*7 < len(m)*10 { // load factor at most 0.7
		n <<= 1
	}
	ix := pairIndex{slots: make([]indexSlot, n), mask: uint64(n - 1)}
	for key, ps := range m {
		i := ix.slot(key)
		for ix.slots[i].key != 0 {
			i = (i + 1) & ix.mask
		}
		from := uint32(len(ix.postings))
		ix.postings = append(ix.postings, ps...)
		ix.slots[i] = indexSlot{key: key, from: from, to: uint32(len(ix.postings))}
	}
	return ix
}

func (ix *pairIndex) slot(key uint64) uint64 {
	h := key * 0x9E3779B97F4A7C15
	return (h ^ h>>31) & ix.mask
}

func (ix *pairIndex) get(key uint64) []int32 {
	if len(ix.slots) == 0 {
		return nil
	}
	for i := ix.slot(key); ; i = (i + 1) & ix.mask {
		switch s := &ix.slots[i]; s.key {
		case key:
			return ix.postings[s.from:s.to]
		case 0:
			return nil
		}
	}
}
