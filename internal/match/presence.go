package match

// presence is a small set of what a title contains (characters, toneless
// and fuzzy syllables), so a candidate missing too much is dropped before
// any alignment work.
type presence struct {
	slots []uint32 // open addressing; 0 is empty
	mask  uint32
}

const (
	presRune  = 0
	presSyl   = 0x400000
	presFuzzy = 0x800000
)

func (ps *presence) reset(keys int) {
	n := 64
	for n < 2*keys {
		n <<= 1
	}
	if cap(ps.slots) < n {
		ps.slots = make([]uint32, n)
	} else {
		ps.slots = ps.slots[:n]
		clear(ps.slots)
	}
	ps.mask = uint32(n - 1)
}

func (ps *presence) add(k uint32) {
	k++ // keep 0 free
	for i := (k * 0x9E3779B1) >> 7 & ps.mask; ; i = (i + 1) & ps.mask {
		switch ps.slots[i] {
		case k:
			return
		case 0:
			ps.slots[i] = k
			return
		}
	}
}

func (ps *presence) has(k uint32) bool {
	k++
	for i := (k * 0x9E3779B1) >> 7 & ps.mask; ; i = (i + 1) & ps.mask {
		switch ps.slots[i] {
		case k:
			return true
		case 0:
			return false
		}
	}
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
	missing := 0
	for i, r := range p.runes {
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
