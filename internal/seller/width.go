package seller

// fold maps full-width ASCII to half-width and the ideographic space to a
// plain space, so "１３８" and "：" read as "138" and ":".
func fold(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFF01 + '!'
	case r == 0x3000:
		return ' '
	}
	return r
}

// foldAll folds every rune of s.
func foldAll(s string) []rune {
	rs := []rune(s)
	for i, r := range rs {
		rs[i] = fold(r)
	}
	return rs
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isASCIILetter(r rune) bool { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') }

func isASCIIAlnum(r rune) bool { return isDigit(r) || isASCIILetter(r) }

// lowerASCII lower-cases ASCII letters only: ids and keywords are latin,
// and unicode.ToLower would also touch letters that are not.
func lowerASCII(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}
