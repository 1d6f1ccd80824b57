package match

import "slices"

// presence is a small filter of what a title contains (characters,
// toneless and fuzzy syllables), so a candidate missing too much is dropped
// before any alignment work. It may answer yes wrongly, never no: it is
// only a filter in front of alignment, which decides. Two bits of one word
// a key; the words a title uses grow with its length.
type presence struct {
	bits []uint64
	mask uint32
}

const (
	presRune  = 0
	presSyl   = 0x400000
	presFuzzy = 0x800000
)

func (ps *presence) reset(keys int) {
	n := 16 // words: 1,024 bits hold a title of a few dozen characters
	for n*64 < 16*keys {
		n <<= 1
	}
	if cap(ps.bits) < n {
		ps.bits = make([]uint64, n)
	} else {
		ps.bits = ps.bits[:n]
		clear(ps.bits)
	}
	ps.mask = uint32(n - 1)
}

func (ps *presence) slot(k uint32) (uint32, uint64) {
	h := k * 0x9E3779B1
	return (h >> 12) & ps.mask, 1<<(h&63) | 1<<((h>>6)&63)
}

func (ps *presence) add(k uint32) {
	w, b := ps.slot(k)
	ps.bits[w] |= b
}

func (ps *presence) has(k uint32) bool {
	w, b := ps.slot(k)
	return ps.bits[w]&b == b
}

func (m *Matcher) fillPresence(hs *hanSeq, ps *presence) {
	ps.reset(len(hs.r) * 5)
	for i, r := range hs.r {
		ps.add(presRune | uint32(r))
		for _, s := range hs.syl[i] {
			if s == 0 {
				break
			}
			ps.add(presSyl | uint32(s))
			ps.add(presFuzzy | uint32(m.t.fuzzy[s]))
		}
	}
}

// enoughPresent reports whether the title holds, somewhere, enough of the
// pattern's characters (or their sounds, shapes or parts) for an alignment
// to possibly succeed: all but one when a character may be swapped, all but
// the generic tail when that may be traded.
func (m *Matcher) enoughPresent(p *pattern, ps *presence) bool {
	k := len(p.runes)
	allowance := 0
	if p.coreHi-p.coreLo >= 3 && !p.gi {
		allowance = 1
	}
	allowance = max(allowance, p.genericTail)
	if p.tailWord {
		allowance = max(allowance, 2)
	}
	missing := 0
	for i, r := range p.runes {
		if i > 0 && slices.Contains(p.runes[:i], r) {
			continue // a repeated character, replaced at each place alike, is one change
		}
		if !m.charPresent(p, i, r, ps) {
			missing++
			if missing > allowance {
				return false
			}
		}
	}
	return k-missing >= 1
}

func (m *Matcher) charPresent(p *pattern, i int, r rune, ps *presence) bool {
	if ps.has(presRune | uint32(r)) {
		return true
	}
	for _, s := range p.chars[i].syl {
		if s == 0 {
			break
		}
		if ps.has(presSyl|uint32(s)) || ps.has(presFuzzy|uint32(m.t.fuzzy[s])) {
			return true
		}
	}
	if d := p.chars[i].split; d.a != 0 && (ps.has(presRune|uint32(d.a)) || ps.has(presRune|uint32(p.chars[i].splitStd.a))) {
		return true
	}
	if i+1 < len(p.runes) && p.chars[i].merge != 0 && ps.has(presRune|uint32(p.chars[i].merge)) {
		return true
	}
	if i > 0 && p.chars[i-1].merge != 0 && ps.has(presRune|uint32(p.chars[i-1].merge)) {
		return true
	}
	for _, s := range p.chars[i].shape {
		if ps.has(presRune | uint32(s)) {
			return true
		}
	}
	return false
}
