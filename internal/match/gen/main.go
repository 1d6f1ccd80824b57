// Command gen builds the compact character tables the matcher embeds from the
// research data in ../shared/data (see its SOURCES.md for provenance and
// licences). Run through `go generate ./internal/match`. Only tables for the
// 6,763 GB2312 hanzi (plus the traditional and variant forms that fold onto
// them) are kept, so the embedded data stays well under a megabyte.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func main() {
	dataDir := flag.String("data", "../../../shared/data", "directory with the shared research data")
	outDir := flag.String("out", "data", "directory to write the tables to")
	flag.Parse()
	if err := run(*dataDir, *outDir); err != nil {
		log.Fatal(err)
	}
}

func run(dataDir, outDir string) error {
	common := gb2312Hanzi()
	fold, err := buildFold(dataDir, common)
	if err != nil {
		return err
	}
	ids, err := buildIDS(dataDir, common)
	if err != nil {
		return err
	}
	shape, err := buildShape(dataDir, common, ids)
	if err != nil {
		return err
	}
	if err := writeFold(filepath.Join(outDir, "fold.txt"), fold); err != nil {
		return err
	}
	if err := writeIDS(filepath.Join(outDir, "ids.txt"), ids); err != nil {
		return err
	}
	return writeShape(filepath.Join(outDir, "shape.txt"), shape)
}

// gb2312Hanzi lists the hanzi of GB2312 (levels 1 and 2): the characters
// marketplace titles and registered names are written in.
func gb2312Hanzi() map[rune]bool {
	set := map[rune]bool{}
	dec := simplifiedchinese.GBK.NewDecoder()
	for hi := 0xB0; hi <= 0xF7; hi++ {
		for lo := 0xA1; lo <= 0xFE; lo++ {
			s, err := dec.Bytes([]byte{byte(hi), byte(lo)})
			if err != nil {
				continue
			}
			r := []rune(string(s))
			if len(r) == 1 && r[0] >= 0x4E00 && r[0] <= 0x9FFF {
				set[r[0]] = true
			}
		}
	}
	return set
}

// buildFold maps traditional and variant characters to the simplified
// character they are read as, one rune to one rune, so positions survive.
func buildFold(dataDir string, common map[rune]bool) (map[rune]rune, error) {
	fold := map[rune]rune{}
	add := func(src, dst rune) {
		if src == dst || common[src] || !common[dst] {
			return
		}
		if _, ok := fold[src]; !ok {
			fold[src] = dst
		}
	}
	err := eachLine(filepath.Join(dataDir, "opencc_TSCharacters.txt"), func(line string) {
		f := strings.Split(line, "\t")
		if len(f) != 2 {
			return
		}
		src := []rune(f[0])
		dst := strings.Fields(f[1])
		if len(src) != 1 || len(dst) == 0 || len([]rune(dst[0])) != 1 {
			return
		}
		d := []rune(dst[0])[0]
		if common[src[0]] && d != src[0] {
			// A character that is itself simplified but also the traditional
			// spelling of another (乾→干) folds too: titles use it evasively.
			fold[src[0]] = d
			return
		}
		add(src[0], d)
	})
	if err != nil {
		return nil, err
	}
	err = eachLine(filepath.Join(dataDir, "unihan_variants_17.0.0.txt"), func(line string) {
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			return
		}
		switch f[1] {
		case "kSimplifiedVariant", "kZVariant", "kSemanticVariant", "kSpoofingVariant":
		default:
			return
		}
		src, ok := parseCodePoint(f[0])
		if !ok {
			return
		}
		for _, v := range strings.Fields(f[2]) {
			v, _, _ = strings.Cut(v, "<")
			if dst, ok := parseCodePoint(v); ok {
				add(src, dst)
			}
		}
	})
	return fold, err
}

type decomposition struct {
	op   rune
	a, b rune
}

var idsRe = regexp.MustCompile(`^\^([⿰⿱⿴⿵⿶⿷⿸⿹⿺⿻])(.)(.)\$\(([A-Z]*)\)$`)

// buildIDS keeps, for each common character, its top-level decomposition
// into exactly two components that can each be typed as one character; that
// is what a seller writes when splitting a character (沙 → 氵少).
func buildIDS(dataDir string, common map[rune]bool) (map[rune]decomposition, error) {
	ids := map[rune]decomposition{}
	// Components disunified from a character China's sources still write
	// with it (𫜹 "=U+5F50(GP)": 彐) are typed as that character.
	alias := map[rune]rune{}
	aliasRe := regexp.MustCompile(`^\*U\+([0-9A-F]+)=U\+([0-9A-F]+)\(G`)
	if err := eachLine(filepath.Join(dataDir, "babelstone_IDS.TXT"), func(line string) {
		for _, f := range strings.Split(strings.TrimRight(line, "\r"), "\t") {
			if m := aliasRe.FindStringSubmatch(f); m != nil {
				from, ok1 := parseCodePoint("U+" + m[1])
				to, ok2 := parseCodePoint("U+" + m[2])
				if ok1 && ok2 {
					alias[from] = to
				}
			}
		}
	}); err != nil {
		return nil, err
	}
	typed := func(r rune) rune {
		if a, ok := alias[r]; ok {
			return a
		}
		return r
	}
	err := eachLine(filepath.Join(dataDir, "babelstone_IDS.TXT"), func(line string) {
		f := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if len(f) < 3 || !strings.HasPrefix(f[0], "U+") {
			return
		}
		c := []rune(f[1])
		if len(c) != 1 || !common[c[0]] {
			return
		}
		for _, alt := range f[2:] {
			m := idsRe.FindStringSubmatch(alt)
			if m == nil || (m[4] != "" && !strings.Contains(m[4], "G")) {
				continue
			}
			ids[c[0]] = decomposition{op: []rune(m[1])[0], a: typed([]rune(m[2])[0]), b: typed([]rune(m[3])[0])}
			return
		}
	})
	return ids, err
}

// buildShape lists visually confusable characters from several independent
// sources, each filtered so that only close look-alikes survive.
func buildShape(dataDir string, common map[rune]bool, ids map[rune]decomposition) (map[rune]map[rune]bool, error) {
	pairs := map[rune]map[rune]bool{}
	add := func(a, b rune) {
		if a == b || !common[a] || !common[b] {
			return
		}
		for _, p := range [][2]rune{{a, b}, {b, a}} {
			if pairs[p[0]] == nil {
				pairs[p[0]] = map[rune]bool{}
			}
			pairs[p[0]][p[1]] = true
		}
	}
	// Hand-curated groups of characters that differ by a stroke or two.
	if err := eachLine(filepath.Join(dataDir, "pycorrector_same_stroke.txt"), func(line string) {
		if strings.HasPrefix(line, "#") {
			return
		}
		g := strings.Fields(line)
		for i := range g {
			for j := i + 1; j < len(g); j++ {
				add([]rune(g[i])[0], []rune(g[j])[0])
			}
		}
	}); err != nil {
		return nil, err
	}
	// Glyph-embedding neighbours; the closest quarter only.
	re := regexp.MustCompile(`\('(.)', ([0-9.e-]+)\)`)
	if err := eachLine(filepath.Join(dataDir, "unicode_ml_cjk_confusables_dis.txt"), func(line string) {
		k, v, ok := strings.Cut(line, ":")
		if !ok || len([]rune(k)) != 1 {
			return
		}
		for _, m := range re.FindAllStringSubmatch(v, -1) {
			d, err := strconv.ParseFloat(m[2], 64)
			if err == nil && d <= 0.07 {
				add([]rune(k)[0], []rune(m[1])[0])
			}
		}
	}); err != nil {
		return nil, err
	}
	// One stroke added, dropped or changed, confirmed by the four-corner code
	// (the shape of the character's corners) agreeing in three of five digits.
	order, err := readJSONMap(filepath.Join(dataDir, "charsimilar_char_order.json"))
	if err != nil {
		return nil, err
	}
	corner, err := readJSONMap(filepath.Join(dataDir, "charsimilar_char_fourangle.json"))
	if err != nil {
		return nil, err
	}
	byLen := map[int][]rune{}
	for c := range common {
		if s := order[c]; len(s) >= 3 {
			byLen[len(s)] = append(byLen[len(s)], c)
		}
	}
	for c := range common {
		s := order[c]
		if len(s) < 3 {
			continue
		}
		for _, l := range []int{len(s), len(s) + 1} {
			for _, d := range byLen[l] {
				if d != c && editDistanceAtMost1(s, order[d]) && sameDigits(corner[c], corner[d]) >= 3 {
					add(c, d)
				}
				// one stroke added at the start or the end (木 → 本, 王 → 玉)
				if t := order[d]; len(t) == len(s)+1 && (t[1:] == s || t[:len(s)] == s) {
					add(c, d)
				}
			}
		}
	}
	// Written with the very same strokes in the same order (甲/申, 人/入,
	// 午/牛): they differ only in stroke length.
	byOrder := map[string][]rune{}
	for c := range common {
		if s := order[c]; s != "" {
			byOrder[s] = append(byOrder[s], c)
		}
	}
	for _, g := range byOrder {
		if len(g) > 6 {
			continue
		}
		for i := range g {
			for j := i + 1; j < len(g); j++ {
				add(g[i], g[j])
			}
		}
	}
	// Top-bottom characters written alike but for their last few strokes
	// (雪/雩, 奥/粤, 慕/暮): the same top read first, a small bottom changed.
	// Left-right characters share their radical's strokes, which says little,
	// so only top-bottom structures count.
	structs, err := readJSONMap(filepath.Join(dataDir, "charsimilar_char_struct.json"))
	if err != nil {
		return nil, err
	}
	var topBottom []rune
	for c := range common {
		if structs[c] == "2" && len(order[c]) >= 6 {
			topBottom = append(topBottom, c)
		}
	}
	for i, c := range topBottom {
		for _, d := range topBottom[i+1:] {
			a, b := order[c], order[d]
			p := 0
			for p < len(a) && p < len(b) && a[p] == b[p] {
				p++
			}
			if long := max(len(a), len(b)); 10*p >= 7*long && len(a)-p >= 1 && len(a)-p <= 3 && len(b)-p >= 1 && len(b)-p <= 3 {
				add(c, d)
			}
		}
	}
	// Radical swaps (扳/板, 浦/铺): same structure, same larger component.
	type key struct {
		op   rune
		keep rune
	}
	groups := map[key][]rune{}
	for c, d := range ids {
		switch d.op {
		case '⿰':
			if len(order[d.b]) >= 3 {
				groups[key{d.op, d.b}] = append(groups[key{d.op, d.b}], c)
			}
		case '⿱':
			if len(order[d.b]) >= 3 {
				groups[key{d.op, d.b}] = append(groups[key{d.op, d.b}], c)
			}
		}
	}
	for _, g := range groups {
		if len(g) > 12 { // a very productive component says little about shape
			continue
		}
		for i := range g {
			for j := i + 1; j < len(g); j++ {
				add(g[i], g[j])
			}
		}
	}
	// A radical added to a whole character (化 → 花).
	for c, d := range ids {
		if (d.op == '⿰' || d.op == '⿱') && common[d.b] && len(order[d.b]) >= 4 && len(order[d.a]) <= 4 {
			add(c, d.b)
		}
	}
	return pairs, nil
}

func editDistanceAtMost1(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		return a[i+min(1, len(a)-i):] == b[i+min(1, len(b)-i):]
	}
	return a[i:] == b[i+1:]
}

func sameDigits(a, b string) int {
	n := 0
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] == b[i] {
			n++
		}
	}
	return n
}

func readJSONMap(path string) (map[rune]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var raw map[string]string
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	out := make(map[rune]string, len(raw))
	for k, v := range raw {
		if r := []rune(k); len(r) == 1 {
			out[r[0]] = v
		}
	}
	return out, nil
}

func parseCodePoint(s string) (rune, bool) {
	if !strings.HasPrefix(s, "U+") {
		return 0, false
	}
	v, err := strconv.ParseUint(s[2:], 16, 32)
	return rune(v), err == nil
}

func eachLine(path string, fn func(string)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		fn(strings.TrimPrefix(sc.Text(), "\ufeff"))
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	return nil
}

func sortedKeys[V any](m map[rune]V) []rune {
	ks := make([]rune, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i] < ks[j] })
	return ks
}

func writeLines(path, header string, lines []string) error {
	body := header + strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func writeFold(path string, fold map[rune]rune) error {
	var lines []string
	for _, k := range sortedKeys(fold) {
		lines = append(lines, string(k)+string(fold[k]))
	}
	return writeLines(path, "# traditional/variant → simplified, generated by gen from OpenCC TSCharacters and Unihan variants\n", lines)
}

func writeIDS(path string, ids map[rune]decomposition) error {
	var lines []string
	for _, k := range sortedKeys(ids) {
		d := ids[k]
		lines = append(lines, string([]rune{k, d.op, d.a, d.b}))
	}
	return writeLines(path, "# char, IDS operator, two components; generated by gen from BabelStone IDS\n", lines)
}

func writeShape(path string, shape map[rune]map[rune]bool) error {
	var lines []string
	for _, k := range sortedKeys(shape) {
		lines = append(lines, string(k)+string(sortedKeys(shape[k])))
	}
	return writeLines(path, "# char followed by its visually confusable characters; generated by gen\n", lines)
}
