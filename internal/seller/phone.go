package seller

// group is a run of digits in folded text, t[start:end].
type group struct{ start, end int }

// isPhoneSep reports whether r may sit between the digits of one phone
// number as sellers write them: "138 1234 5678", "0311-8888 1234",
// "(0311)88881234", "138—1234—5678".
func isPhoneSep(r rune) bool {
	switch r {
	case ' ', '-', '(', ')', '—', '–', '\u00a0':
		return true
	}
	return false
}

// digitGroups reads the digit groups of the number starting at t[i] (a
// digit): digits, then up to two separators, then digits again, until
// something else. It returns the groups and where the run ends.
func digitGroups(t []rune, i int) ([]group, int) {
	var gs []group
	for i < len(t) && isDigit(t[i]) {
		g := group{start: i}
		for i < len(t) && isDigit(t[i]) {
			i++
		}
		g.end = i
		gs = append(gs, g)
		j := i
		for k := 0; k < 2 && j < len(t) && isPhoneSep(t[j]); k++ {
			j++
		}
		if j == i || j >= len(t) || !isDigit(t[j]) {
			break
		}
		i = j
	}
	return gs, i
}

// digitsOf concatenates the digits of gs.
func digitsOf(t []rune, gs []group) string {
	var b []byte
	for _, g := range gs {
		for _, r := range t[g.start:g.end] {
			b = append(b, byte(r))
		}
	}
	return string(b)
}

// isMobile reports whether d is a mainland mobile number: 1[3-9] and nine
// more digits.
func isMobile(d string) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9'
}

// isAreaCode reports whether d is a mainland area code: 010 and 02x have
// three digits, all others (03xx … 09xx) four.
func isAreaCode(d string) bool {
	switch len(d) {
	case 3:
		return d[0] == '0' && (d[1] == '1' || d[1] == '2')
	case 4:
		return d[0] == '0' && d[1] >= '3' && d[1] <= '9'
	}
	return false
}

// phoneOf classifies the groups gs as one phone number and returns its
// digits: a mobile (with or without 86 before it) or a landline whose area
// code stands apart as the first group, so that an order number or a date
// written with dashes is not taken for one.
func phoneOf(t []rune, gs []group) (string, bool) {
	d := digitsOf(t, gs)
	switch {
	case isMobile(d):
		return d, true
	case len(d) == 13 && d[:2] == "86" && isMobile(d[2:]):
		return d[2:], true
	case len(gs) >= 2:
		area := digitsOf(t, gs[:1])
		local := d[len(area):]
		if isAreaCode(area) && (len(local) == 7 || len(local) == 8) && local[0] >= '2' && local[0] <= '9' {
			return d, true
		}
	}
	return "", false
}

// maxPhoneDigits bounds how many digits one number may span: 86 and a
// mobile number.
const maxPhoneDigits = 13

// phonesIn finds the phone numbers of the digit run gs: the shortest run
// of groups from each start that reads as a number, so two numbers
// written side by side are two.
func phonesIn(t []rune, gs []group, emit func(start, end int, value string)) {
	for a := 0; a < len(gs); {
		found := false
		n := 0
		for b := a; b < len(gs); b++ {
			n += gs[b].end - gs[b].start
			if n > maxPhoneDigits {
				break
			}
			if gs[b].end < len(t) && isASCIILetter(t[gs[b].end]) {
				continue
			}
			if v, ok := phoneOf(t, gs[a:b+1]); ok {
				emit(gs[a].start, gs[b].end, v)
				a, found = b+1, true
				break
			}
		}
		if !found {
			a++
		}
	}
}

// phoneAt reads the first phone number of the run starting at t[i], as
// after 微信: a number there is both a phone and a WeChat id.
func phoneAt(t []rune, i int) (string, int, bool) {
	if i >= len(t) || !isDigit(t[i]) {
		return "", i, false
	}
	gs, _ := digitGroups(t, i)
	n := 0
	for b := range gs {
		n += gs[b].end - gs[b].start
		if n > maxPhoneDigits {
			break
		}
		if gs[b].end < len(t) && isASCIIAlnum(t[gs[b].end]) {
			continue
		}
		if v, ok := phoneOf(t, gs[:b+1]); ok {
			return v, gs[b].end, true
		}
	}
	return "", i, false
}

// findPhones finds every phone number in t. A number must not continue a
// latin word or another number (an item id, a model code).
func findPhones(t []rune, emit func(start, end int, value string)) {
	for i := 0; i < len(t); {
		r := t[i]
		start := i
		if r == '+' && i+1 < len(t) && isDigit(t[i+1]) {
			start = i + 1
		} else if !isDigit(r) {
			i++
			continue
		}
		if i > 0 && isASCIIAlnum(t[i-1]) {
			i++ // past r, which may be a '+' and no part of the word
			for i < len(t) && isASCIIAlnum(t[i]) {
				i++
			}
			continue
		}
		gs, end := digitGroups(t, start)
		phonesIn(t, gs, emit)
		i = end
	}
}
