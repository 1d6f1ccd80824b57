package match

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/registry"
)

// The realistic benchmark: a registry of 10,000 marks (the real ones of the
// dev and real sets plus synthetic marks) and titles most of which resemble
// one of them, so that it times candidates, alignment and judgement rather
// than the no-hit path BenchmarkMatch's titles mostly take.

const realisticMarks = 10000

// benchRegistries are the real marks the realistic benchmark starts from.
var benchRegistries = []string{"../evaluate/testdata/registry.yaml", "../evaluate/testdata/real/registry.yaml"}

// benchCaseFiles hold labelled listings; their positive titles resemble a
// real mark by construction.
var benchCaseFiles = []string{"../evaluate/testdata/dev.jsonl", "../evaluate/testdata/real/cases.jsonl"}

// realMarks loads the real registries, one mark per id.
func realMarks(tb testing.TB) []domain.Mark {
	tb.Helper()
	var out []domain.Mark
	seen := map[string]bool{}
	for _, path := range benchRegistries {
		marks, err := registry.Load(path)
		if err != nil {
			tb.Fatal(err)
		}
		for _, mk := range marks {
			if !seen[mk.ID] {
				seen[mk.ID] = true
				out = append(out, mk)
			}
		}
	}
	return out
}

// labelledCase is the part of a labelled listing the benchmarks read.
type labelledCase struct {
	domain.Listing
	Expect []string `json:"expect"`
	Tactic string   `json:"tactic"`
}

func labelledCases(tb testing.TB) []labelledCase {
	tb.Helper()
	var out []labelledCase
	for _, path := range benchCaseFiles {
		f, err := os.Open(path)
		if err != nil {
			tb.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			var c labelledCase
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				tb.Fatalf("%s: %v", path, err)
			}
			out = append(out, c)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

// realisticRegistry is the real marks topped up with synthetic ones to n,
// the synthetic ones with ids of their own.
func realisticRegistry(tb testing.TB, n int) (all, synthetic []domain.Mark) {
	real := realMarks(tb)
	names := map[string]bool{}
	for _, mk := range real {
		names[mk.Name] = true
	}
	for _, mk := range syntheticMarks(tb, n) {
		if len(real)+len(synthetic) >= n {
			break
		}
		if !names[mk.Name] {
			synthetic = append(synthetic, mk)
		}
	}
	return append(real, synthetic...), synthetic
}

// benchPlaces, benchPrefixes and benchSuffixes are what knock-offs insert
// around or into a name (issue 9: place names, 老/正宗/新/原, 牌).
var (
	benchPlaces   = []string{"河北", "天津", "正定", "沧州", "港版", "北京"}
	benchPrefixes = []string{"老", "正宗", "新", "原", "金典"}
	benchSuffixes = []string{"牌", "王", "坊"}
	benchPacks    = []string{"500g*2袋", "240ml*20罐", "整箱", "礼盒装", "5斤装", "6瓶", "批发", "包邮"}
)

// lookalikeTitles writes n titles that imitate synthetic marks the ways
// the issue lists: a character of like shape or sound (from the package's
// tables), words inserted before, after or inside, the name in pinyin,
// each with the mark's goods words and packaging.
func lookalikeTitles(marks []domain.Mark, n int) []domain.Listing {
	t := defaultTables()
	bySyl := map[uint16][]rune{}
	for _, r := range level1Hanzi() {
		if s := t.sylOf(r); s[0] != 0 {
			bySyl[s[0]] = append(bySyl[s[0]], r)
		}
	}
	rng := rand.New(rand.NewPCG(7, 11))
	out := make([]domain.Listing, 0, n)
	for len(out) < n {
		mk := marks[rng.IntN(len(marks))]
		name := []rune(mk.Name)
		goods := slices.Concat(mk.Goods, mk.Product)
		var title string
		switch kind := rng.IntN(6); kind {
		case 0, 1: // a later character by shape (0) or by sound (1)
			i := 1 + rng.IntN(len(name)-1)
			alt := name[i]
			if sh := t.shape[name[i]]; kind == 0 && len(sh) > 0 {
				alt = sh[rng.IntN(len(sh))]
			} else if same := bySyl[t.sylOf(name[i])[0]]; len(same) > 1 {
				alt = same[rng.IntN(len(same))]
			}
			look := append([]rune(nil), name...)
			look[i] = alt
			title = string(look)
		case 2: // a word before or after
			if rng.IntN(2) == 0 {
				title = benchPrefixes[rng.IntN(len(benchPrefixes))] + string(name)
			} else {
				title = benchPlaces[rng.IntN(len(benchPlaces))] + string(name) + benchSuffixes[rng.IntN(len(benchSuffixes))]
			}
		case 3: // a character inside a longer name
			if len(name) < 3 {
				title = "正宗" + string(name)
				break
			}
			i := 1 + rng.IntN(len(name)-1)
			title = string(name[:i]) + benchPrefixes[rng.IntN(3)] + string(name[i:])
		case 4: // pinyin
			var py strings.Builder
			for _, r := range name {
				if s := t.sylOf(r)[0]; s != 0 {
					py.WriteString(strings.ToUpper(t.sylName[s]))
				}
			}
			title = py.String()
		default: // the name itself, among its goods
			title = string(name)
		}
		g := goods[rng.IntN(len(goods))]
		title = fmt.Sprintf("%s %s %s %s", title, g, benchPacks[rng.IntN(len(benchPacks))], benchPacks[rng.IntN(len(benchPacks))])
		out = append(out, domain.Listing{Title: title, Seller: "某某专营店", Location: "山东 临沂", Price: 29.9})
	}
	return out
}

// realisticTitles mixes the labelled positive titles, generated
// look-alikes of synthetic marks and the no-hit titles of testdata, in a
// fixed shuffled order.
func realisticTitles(tb testing.TB, synthetic []domain.Mark) []domain.Listing {
	var titles []domain.Listing
	for _, c := range labelledCases(tb) {
		if len(c.Expect) > 0 {
			l := c.Listing
			l.ImageHash, l.SellerHistory = 0, nil // the title alone; signals are BenchmarkSignals'
			titles = append(titles, l)
		}
	}
	titles = append(titles, lookalikeTitles(synthetic, len(titles))...)
	titles = append(titles, benchTitles(tb)...)
	rng := rand.New(rand.NewPCG(3, 5))
	rng.Shuffle(len(titles), func(i, j int) { titles[i], titles[j] = titles[j], titles[i] })
	return titles
}

// BenchmarkMatchRealistic reports titles per second on one core with
// 10,000 marks on titles most of which hit a mark, the share that does
// (hit-rate), the ratio to an exact Aho-Corasick scan of the same titles in
// the same run (x-exact) and the memory the index holds.
func BenchmarkMatchRealistic(b *testing.B) {
	defaultTables()
	marks, synthetic := realisticRegistry(b, realisticMarks)
	titles := realisticTitles(b, synthetic)
	before := heapInUse()
	m, err := New(marks, Options{})
	if err != nil {
		b.Fatal(err)
	}
	indexBytes := heapInUse() - before
	hits, alerts := 0, 0
	for _, l := range titles {
		ms := m.Match(l)
		if len(ms) > 0 {
			hits++
		}
		if len(alerted(ms)) > 0 {
			alerts++
		}
	}
	exact := newExactScanner(b, marks, titles)
	b.Run(fmt.Sprintf("marks=%d", len(marks)), func(b *testing.B) {
		timeAgainstExact(b, func(i int) { m.Match(titles[i%len(titles)]) }, exact)
		b.ReportMetric(float64(hits)/float64(len(titles)), "hit-rate")
		b.ReportMetric(float64(alerts)/float64(len(titles)), "alert-rate")
		b.ReportMetric(float64(indexBytes)/(1<<20), "index-MB")
	})
	runtime.KeepAlive(m)
}

// TestRealisticTitlesMostlyHit keeps the realistic benchmark honest: most
// of its titles must resemble a mark, or it would time the no-hit path
// again.
func TestRealisticTitlesMostlyHit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 10,000-mark index and matches 1,800 titles")
	}
	marks, synthetic := realisticRegistry(t, realisticMarks)
	if len(marks) != realisticMarks {
		t.Fatalf("registry of %d marks, want %d", len(marks), realisticMarks)
	}
	titles := realisticTitles(t, synthetic)
	m, err := New(marks, Options{})
	if err != nil {
		t.Fatal(err)
	}
	hits := 0
	gen := lookalikeTitles(synthetic, 500)
	genHits := 0
	for _, l := range titles {
		if len(m.Match(l)) > 0 {
			hits++
		}
	}
	for _, l := range gen {
		if len(m.Match(l)) > 0 {
			genHits++
		}
	}
	if rate := float64(hits) / float64(len(titles)); rate < 0.6 {
		t.Errorf("%d of %d titles hit a mark (%.2f), want at least 0.6", hits, len(titles), rate)
	}
	if rate := float64(genHits) / float64(len(gen)); rate < 0.6 {
		t.Errorf("%d of %d generated look-alikes hit a mark (%.2f), want at least 0.6", genHits, len(gen), rate)
	}
	t.Logf("%d titles, %d hit (%.2f); generated look-alikes %d of %d", len(titles), hits, float64(hits)/float64(len(titles)), genHits, len(gen))
}
