package match

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"六個核桃", "ＪＵＮ ＬＥ ＢＡ0", "衡*水*老*白*干", "六\u200b个", "\xff\xfe", "㈱①Ⅻ", "ﬁ ß İ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q: invalid UTF-8", s, n)
		}
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Fatalf("Normalize(%q) = %q: stray spaces", s, n)
		}
		if again := Normalize(n); again != n {
			t.Fatalf("Normalize not idempotent: %q → %q → %q", s, n, again)
		}
	})
}

func FuzzMatch(f *testing.F) {
	m, err := New(testMarks(), Options{})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"稻香材 糕点", "哇哈哈 纯净水", "五常大米 10斤", "雲南白藥 牙膏 A货", "禾舀香村", "D A O X I A N G C U N",
		"稻·香·村·稻·香·村", "适用于云南白药", "仿西湖龙井品种", "\u200b\u200b稻", "1:1 高仿",
	} {
		f.Add(s, "山东 临沂")
	}
	f.Fuzz(func(t *testing.T, title, location string) {
		ms := m.Match(domain.Listing{Title: title, Location: location, Seller: location})
		checkOffsets(t, title, ms)
	})
}

// BenchmarkMatchLength shows the work per title growing linearly with its
// length: ns per rune should stay flat from 50 to 5,000 runes.
func BenchmarkMatchLength(b *testing.B) {
	m, err := New(syntheticMarks(b, 1000), Options{})
	if err != nil {
		b.Fatal(err)
	}
	unit := []rune("稻香村 月饼 哇哈哈 纯净水 五常大米 新米 云南白药 牙膏 适用于 1:1 高仿 ")
	for _, n := range []int{50, 500, 5000, 50000} {
		var sb strings.Builder
		for i := 0; sb.Len() < n*3; i++ {
			sb.WriteRune(unit[i%len(unit)])
		}
		title := sb.String()
		runes := utf8.RuneCountInString(title)
		b.Run(fmt.Sprintf("runes=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				m.Match(domain.Listing{Title: title})
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(runes), "ns/rune")
		})
	}
}

// TestWorkLinear checks that matching a title ten and a hundred times as
// long takes about ten and a hundred times the steps, even when the title
// is full of near misses of every kind.
func TestWorkLinear(t *testing.T) {
	m := newTestMatcher(t)
	unit := "稻香材 糕点 哇哈哈 纯净水 五常 稻花香 雲南白藥 牙膏 禾舀香村 稻·香·村 DAOXIANGCUN 适用于 1:1 高仿 老干爹 "
	work := func(reps int) int {
		sc := m.pool.Get().(*scratch)
		defer m.pool.Put(sc)
		m.match(domain.Listing{Title: strings.Repeat(unit, reps), Location: "山东 临沂"}, sc)
		return sc.work
	}
	base := work(1)
	for _, reps := range []int{10, 100} {
		if w := work(reps); w > base*reps*2 {
			t.Errorf("%d× the title took %d steps, %.1f× the %d of one copy", reps, w, float64(w)/float64(base), base)
		}
	}
}
