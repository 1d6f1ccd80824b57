package crawl

import (
	"bufio"
	"bytes"
	_ "embed"
	"strings"
	"sync"
	"unicode"
)

var (
	//go:embed data/pycorrector_same_pinyin.txt
	samePinyinData []byte
	//go:embed data/pycorrector_same_stroke.txt
	sameStrokeData []byte
)

// lookalikes maps a character to its shape-alike then sound-alike
// characters. Parsed once on first use and read-only afterwards.
var lookalikes = sync.OnceValue(func() map[rune][]rune {
	out := map[rune][]rune{}
	add := func(c rune, alts []rune) {
		for _, a := range alts {
			if a != c && !containsRune(out[c], a) && unicode.Is(unicode.Han, a) {
				out[c] = append(out[c], a)
			}
		}
	}
	// Shape first: a character that looks the same survives a glance at the
	// packaging, which is what a counterfeit title is for.
	sc := bufio.NewScanner(bytes.NewReader(sameStrokeData))
	for sc.Scan() {
		group := []rune(strings.Join(strings.Fields(sc.Text()), ""))
		for _, c := range group {
			add(c, group)
		}
	}
	sc = bufio.NewScanner(bytes.NewReader(samePinyinData))
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 2 || strings.HasPrefix(cols[0], "#") {
			continue
		}
		c := []rune(cols[0])
		if len(c) != 1 {
			continue
		}
		add(c[0], []rune(cols[1])) // same pinyin and tone only
	}
	return out
})

func containsRune(rs []rune, r rune) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// variants returns up to limit spellings of name with one character
// replaced by a look-alike, spread over the positions: first alternative at
// each position, then the second, and so on.
func variants(name string, limit int) []string {
	rs := []rune(name)
	table := lookalikes()
	var out []string
	for depth := 0; len(out) < limit; depth++ {
		any := false
		for i, c := range rs {
			alts := table[c]
			if depth >= len(alts) {
				continue
			}
			any = true
			v := append([]rune(nil), rs...)
			v[i] = alts[depth]
			out = append(out, string(v))
			if len(out) == limit {
				break
			}
		}
		if !any {
			break
		}
	}
	return out
}
