package match

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/evaluate"
	"github.com/markwatch/markwatch/internal/imagesig"
	"github.com/markwatch/markwatch/internal/registry"
)

// memoKeyed are the fields of domain.Listing the matcher reads, and where;
// memoUnread the ones it does not, and who reads them instead. Every field
// of domain.Listing is in exactly one (TestMemoKeyCoversListing), so a field
// added to Listing fails the test until someone reads the matcher and says.
var (
	memoKeyed = map[string]string{
		"Title":         "matcher.go: analysed, every occurrence read from it",
		"Price":         "signals.go: price anomaly; signalsMayLift",
		"Seller":        "judge.go: authorised shops, and their reason's text",
		"Location":      "judge.go: a GI's origin, and its reason's text",
		"ImageHash":     "matcher.go: the reference images the photo shows",
		"SellerHistory": "signals.go: Confirmed lifts a hit, Via is in its reason",
	}
	memoUnread = map[string]string{
		"ID":       "the store's identity of the offer",
		"SourceID": "set by the pipeline for the store",
		"Platform": "the store, alerts and subscriptions",
		"URL":      "the store's identity, evidence",
		"ImageURL": "the crawler fetches it; the matcher reads ImageHash",
		"Query":    "the store",
		"SeenAt":   "the store",
		// the pipeline turns them into SellerHistory before matching
		// (pipeline/sellers.go via seller.Keys), which is keyed
		"Contacts":    "the pipeline's seller signal, the store",
		"Fetch":       "evidence",
		"DetailFetch": "evidence",
	}
	memoKeyedHistory  = map[string]string{"Confirmed": "signals.go", "Via": "signals.go: sellerReason"}
	memoUnreadHistory = map[string]string{"NetworkID": "the store and the console"}
)

// evalSet is a labelled set of evaluate's testdata and its registry.
type evalSet struct{ name, registry, cases string }

var memoEvalSets = []evalSet{
	{"dev", "../evaluate/testdata/registry.yaml", "../evaluate/testdata/dev.jsonl"},
	{"real", "../evaluate/testdata/real/registry.yaml", "../evaluate/testdata/real/cases.jsonl"},
	{"unseen", "../evaluate/testdata/unseen-registry.yaml", "../evaluate/testdata/unseen.jsonl"},
}

// loadEvalSet builds the matcher of a set's registry, its reference images
// hashed as `markwatch eval` does, and reads its listings as evaluate does.
func loadEvalSet(tb testing.TB, s evalSet) (*Matcher, []domain.Mark, []domain.Listing) {
	tb.Helper()
	marks, err := registry.Load(s.registry)
	if err != nil {
		tb.Fatal(err)
	}
	if err := registry.HashImages(os.DirFS(filepath.Dir(s.registry)), ".", marks, imagesig.Hasher{}.Hash); err != nil {
		tb.Fatal(err)
	}
	m, err := New(marks, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	f, err := os.Open(s.cases)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	cases, err := evaluate.ReadCases(f)
	if err != nil {
		tb.Fatal(err)
	}
	ls := make([]domain.Listing, len(cases))
	for i, c := range cases {
		ls[i] = c.Listing
	}
	return m, marks, ls
}

// TestMemoAnswersAsMatcher: on every listing of the labelled sets, the memo
// answers what the matcher does, when it matches (first call) and when it
// remembers (second call, and a pass over the whole set again); a memo too
// small for the set, evicting all along, as well.
func TestMemoAnswersAsMatcher(t *testing.T) {
	for _, s := range memoEvalSets {
		t.Run(s.name, func(t *testing.T) {
			m, _, ls := loadEvalSet(t, s)
			big, small := NewMemo(m, 100_000), NewMemo(m, 7)
			want := make([][]domain.Match, len(ls))
			alerts := 0
			for i, l := range ls {
				want[i] = m.Match(l)
				for _, alert := range want[i] {
					alerts += boolInt(alert.Alert)
				}
				for _, mm := range []*Memo{big, small} {
					for call := 1; call <= 2; call++ {
						if got := mm.Match(l); !reflect.DeepEqual(got, want[i]) {
							t.Fatalf("%s call %d on %q: memo says %+v, matcher %+v", s.name, call, l.Title, got, want[i])
						}
					}
				}
			}
			for i, l := range ls {
				if got := big.Match(l); !reflect.DeepEqual(got, want[i]) {
					t.Fatalf("second pass on %q: memo says %+v, matcher %+v", l.Title, got, want[i])
				}
			}
			st := big.Stats()
			if st.Hits < int64(2*len(ls)) || st.Entries == 0 || st.Entries > len(ls) || st.Hits+st.Misses != int64(3*len(ls)) {
				t.Errorf("memo of %d listings: %+v; want every second call and the second pass answered from memory", len(ls), st)
			}
			if alerts == 0 {
				t.Fatalf("%s: no listing alerts; the set is not what this test is about", s.name)
			}
		})
	}
}

// setNonZero sets v to a value of its type other than the zero value, so that
// a test can tell whether the field counts; a kind it does not know fails.
func setNonZero(t *testing.T, v reflect.Value, what string) {
	t.Helper()
	switch {
	case v.Type() == reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("鑫旺食品专营店")
	case reflect.Float32, reflect.Float64:
		v.SetFloat(39.9)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(3)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(0x8f3c_0011_a5a5_7e01)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		setNonZeroStruct(t, v.Index(0), what)
	case reflect.Struct:
		setNonZeroStruct(t, v, what)
	default:
		t.Fatalf("%s is a %s: teach setNonZero a value of it", what, v.Type())
	}
}

func setNonZeroStruct(t *testing.T, v reflect.Value, what string) {
	t.Helper()
	if v.Kind() != reflect.Struct {
		setNonZero(t, v, what)
		return
	}
	for i := range v.NumField() {
		if v.Field(i).CanSet() {
			setNonZero(t, v.Field(i), what+"."+v.Type().Field(i).Name)
			return
		}
	}
	t.Fatalf("%s has no field to set", what)
}

// TestMemoKeyCoversListing holds the key to domain.Listing: every field is
// either keyed or said not to be read by the matcher, and setting a field
// changes the key exactly when it is keyed. The same for SellerHistory's
// fields.
func TestMemoKeyCoversListing(t *testing.T) {
	mm := NewMemo(nil, 1)
	check := func(typ reflect.Type, keyed, unread map[string]string, base domain.Listing, field func(*domain.Listing) reflect.Value) {
		t.Helper()
		seen := map[string]bool{}
		for i := range typ.NumField() {
			name := typ.Field(i).Name
			seen[name] = true
			_, k := keyed[name]
			_, u := unread[name]
			if k == u {
				t.Errorf("%s.%s: say whether the matcher reads it (memoKeyed, with where) or not (memoUnread, with who does); "+
					"a field it reads must go into keyFields too", typ.Name(), name)
				continue
			}
			l := base
			if base.SellerHistory != nil {
				h := *base.SellerHistory
				l.SellerHistory = &h
			}
			setNonZero(t, field(&l).Field(i), typ.Name()+"."+name)
			if changed := mm.key(&l) != mm.key(&base); changed != k {
				t.Errorf("%s.%s set: key changed %v, but it is keyed %v", typ.Name(), name, changed, k)
			}
		}
		for name := range keyed {
			if !seen[name] {
				t.Errorf("memoKeyed names %s, which %s does not have", name, typ.Name())
			}
		}
		for name := range unread {
			if !seen[name] {
				t.Errorf("memoUnread names %s, which %s does not have", name, typ.Name())
			}
		}
	}
	check(reflect.TypeFor[domain.Listing](), memoKeyed, memoUnread, domain.Listing{},
		func(l *domain.Listing) reflect.Value { return reflect.ValueOf(l).Elem() })
	check(reflect.TypeFor[domain.SellerHistory](), memoKeyedHistory, memoUnreadHistory,
		domain.Listing{Title: "六个核桃", SellerHistory: &domain.SellerHistory{}},
		func(l *domain.Listing) reflect.Value { return reflect.ValueOf(l.SellerHistory).Elem() })
}

// keyedVariants are listings differing from ls[i] in one keyed field, by
// values that move verdicts: other listings' values, the authorised shops
// and origins of the marks it hits, another photo, a seller history.
func keyedVariants(ls []domain.Listing, i int, marks map[string]domain.Mark, base []domain.Match) map[string][]domain.Listing {
	l := ls[i]
	next := ls[(i+1)%len(ls)]
	out := map[string][]domain.Listing{}
	add := func(field string, f func(*domain.Listing)) {
		v := l
		f(&v)
		out[field] = append(out[field], v)
	}
	add("Title", func(v *domain.Listing) { v.Title = next.Title })
	add("Title", func(v *domain.Listing) { v.Title += " 高仿" })
	add("Price", func(v *domain.Listing) { v.Price = next.Price })
	add("Price", func(v *domain.Listing) { v.Price = 0 })
	add("Price", func(v *domain.Listing) { v.Price = max(l.Price, 10) / 5 })
	add("Seller", func(v *domain.Listing) { v.Seller = next.Seller })
	add("Location", func(v *domain.Listing) { v.Location = next.Location })
	add("Location", func(v *domain.Listing) { v.Location = "" })
	for _, hit := range base {
		mk := marks[hit.MarkID]
		for _, s := range mk.AuthorizedSellers {
			add("Seller", func(v *domain.Listing) { v.Seller = s })
		}
		for _, loc := range mk.Origin.SellerLocations {
			add("Location", func(v *domain.Listing) { v.Location = loc })
		}
		for _, img := range mk.Images {
			add("ImageHash", func(v *domain.Listing) { v.ImageHash = img.Hash })
		}
	}
	add("ImageHash", func(v *domain.Listing) { v.ImageHash = 0 })
	for j := 1; j < len(ls); j++ {
		if h := ls[(i+j)%len(ls)].ImageHash; h != 0 && h != l.ImageHash {
			add("ImageHash", func(v *domain.Listing) { v.ImageHash = h })
			break
		}
	}
	add("SellerHistory", func(v *domain.Listing) { v.SellerHistory = nil })
	add("SellerHistory", func(v *domain.Listing) {
		v.SellerHistory = &domain.SellerHistory{Confirmed: 2, Via: "电话 138****5678 与 鑫旺食品专营店"}
	})
	add("SellerHistory", func(v *domain.Listing) {
		v.SellerHistory = &domain.SellerHistory{Confirmed: 2, Via: "微信 sp_food001 与 聚福副食商行"}
	})
	add("SellerHistory", func(v *domain.Listing) { v.SellerHistory = &domain.SellerHistory{Confirmed: 5} })
	return out
}

// TestMemoFollowsKeyedFields: a listing differing from one the memo
// remembers in any field the matcher reads gets the matcher's verdict on
// it, not the remembered one; each field is shown to move some verdict, so
// a field dropped from the key fails here. Changing a field the matcher does
// not read leaves the matcher's verdict as it was (what memoUnread says).
func TestMemoFollowsKeyedFields(t *testing.T) {
	for _, s := range memoEvalSets[:2] {
		t.Run(s.name, func(t *testing.T) {
			m, marks, ls := loadEvalSet(t, s)
			byID := map[string]domain.Mark{}
			for _, mk := range marks {
				byID[mk.ID] = mk
			}
			mm := NewMemo(m, 100_000)
			moved := map[string]int{}
			for i, l := range ls {
				base := m.Match(l)
				mm.Match(l)
				for field, vs := range keyedVariants(ls, i, byID, base) {
					for _, v := range vs {
						want := m.Match(v)
						if got := mm.Match(v); !reflect.DeepEqual(got, want) {
							t.Fatalf("%q with %s changed: memo says %+v, matcher %+v", l.Title, field, got, want)
						}
						if !reflect.DeepEqual(want, base) {
							moved[field]++
						}
					}
				}
				if got := mm.Match(l); !reflect.DeepEqual(got, base) {
					t.Fatalf("%q after its variants: memo says %+v, matcher %+v", l.Title, got, base)
				}
				typ := reflect.TypeFor[domain.Listing]()
				for fi := range typ.NumField() {
					name := typ.Field(fi).Name
					if _, ok := memoUnread[name]; !ok {
						continue
					}
					v := l
					setNonZero(t, reflect.ValueOf(&v).Elem().Field(fi), name)
					if got := m.Match(v); !reflect.DeepEqual(got, base) {
						t.Errorf("%q with %s set: the matcher's verdict moved (%+v, was %+v), so it reads %s", l.Title, name, got, base, name)
					}
				}
			}
			t.Logf("verdicts moved by a keyed field: %v", moved)
			if s.name != "real" {
				return
			}
			// the real set has prices, photos, authorised shops, origins and
			// seller histories: every keyed field must move something there
			for field := range memoKeyed {
				if moved[field] == 0 {
					t.Errorf("no change of %s moved a verdict: the test cannot tell whether the memo keys it", field)
				}
			}
		})
	}
}

// TestMemoAnswersAreTheCallers: what Match returns, from the matcher or
// from memory, is the caller's to change; no later answer sees it.
func TestMemoAnswersAreTheCallers(t *testing.T) {
	m, _, ls := loadEvalSet(t, memoEvalSets[1])
	mm := NewMemo(m, 1000)
	tried := 0
	for _, l := range ls {
		want := m.Match(l)
		if len(want) == 0 || len(want[0].Reasons) == 0 {
			continue
		}
		tried++
		first := mm.Match(l)  // matched
		second := mm.Match(l) // remembered
		if &first[0] == &second[0] || &first[0].Reasons[0] == &second[0].Reasons[0] {
			t.Fatalf("%q: two answers share memory", l.Title)
		}
		for _, got := range [][]domain.Match{first, second} {
			got[0].Score, got[0].MarkID, got[0].Alert = -1, "篡改", !got[0].Alert
			got[0].Reasons[0].Text = "篡改"
			got[0].Reasons = append(got[0].Reasons, domain.Reason{Tactic: "forged"})
			if len(got) > 1 {
				_ = append(got[0].Reasons[:1], domain.Reason{Tactic: "overwrite"})
			}
		}
		if third := mm.Match(l); !reflect.DeepEqual(third, want) {
			t.Fatalf("%q after callers changed their answers: memo says %+v, matcher %+v", l.Title, third, want)
		}
	}
	if tried < 100 {
		t.Fatalf("only %d listings with reasons; the test needs hits", tried)
	}
}

// TestMemoEvictionKeepsBound: the memo never holds more than its size, and
// forgets the least recently seen first.
func TestMemoEvictionKeepsBound(t *testing.T) {
	m, _, _ := loadEvalSet(t, memoEvalSets[0])
	listing := func(i int) domain.Listing {
		return domain.Listing{Title: fmt.Sprintf("六个核桃 核桃乳 第%d箱", i), Seller: "鑫源副食批发部", Price: 39.9}
	}
	for _, size := range []int{1, 5, 100, 1000} {
		mm := NewMemo(m, size)
		for i := range 3 * size {
			mm.Match(listing(i))
			if n := mm.Stats().Entries; n > size {
				t.Fatalf("memo of %d holds %d after %d listings", size, n, i+1)
			}
		}
		if n := mm.Stats().Entries; n < size/2 {
			t.Errorf("memo of %d holds only %d after %d distinct listings", size, n, 3*size)
		}
	}

	// one shard: exact recency order
	mm := newMemo(m, 3, 1)
	a, b, c, d := listing(1), listing(2), listing(3), listing(4)
	for _, l := range []domain.Listing{a, b, c, a, d} { // a seen again: b is the oldest
		mm.Match(l)
	}
	before := mm.Stats()
	mm.Match(a)
	mm.Match(c)
	mm.Match(d)
	if st := mm.Stats(); st.Hits-before.Hits != 3 || st.Entries != 3 {
		t.Fatalf("a, c, d after b was evicted: %+v (before %+v), want 3 hits", st, before)
	}
	mm.Match(b)
	if st := mm.Stats(); st.Misses-before.Misses != 1 {
		t.Fatalf("b should have been forgotten: %+v (before %+v)", st, before)
	}
	// b came back in place of the oldest, a
	mm.Match(a)
	if st := mm.Stats(); st.Misses-before.Misses != 2 {
		t.Fatalf("a should have been forgotten for b: %+v (before %+v)", st, before)
	}

	// size below 1: nothing remembered, answers still the matcher's
	none := NewMemo(m, 0)
	for range 2 {
		if got, want := none.Match(a), m.Match(a); !reflect.DeepEqual(got, want) {
			t.Fatalf("memo of 0: %+v, matcher %+v", got, want)
		}
	}
	if st := none.Stats(); st != (MemoStats{}) {
		t.Fatalf("memo of 0 remembers: %+v", st)
	}
}

// TestMemoConcurrent: many goroutines on one memo, small enough to evict
// all along and large enough to hit, each changing what it is given; every
// answer is the matcher's (run under -race).
func TestMemoConcurrent(t *testing.T) {
	m, _, ls := loadEvalSet(t, memoEvalSets[1])
	want := make([][]domain.Match, len(ls))
	for i, l := range ls {
		want[i] = m.Match(l)
	}
	passes := 3
	if testing.Short() {
		passes = 1
	}
	for _, size := range []int{64, 100_000} {
		mm := NewMemo(m, size)
		var wg sync.WaitGroup
		errs := make(chan string, 16)
		for g := range 16 {
			wg.Go(func() {
				for p := range passes {
					for k := range ls {
						i := (k*(2*g+1) + p*97) % len(ls) // every goroutine its own order
						got := mm.Match(ls[i])
						if !reflect.DeepEqual(got, want[i]) {
							errs <- fmt.Sprintf("goroutine %d, %q: memo says %+v, matcher %+v", g, ls[i].Title, got, want[i])
							return
						}
						for j := range got {
							got[j].Score = -1
							for r := range got[j].Reasons {
								got[j].Reasons[r].Text = "篡改"
							}
						}
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
		if st := mm.Stats(); st.Entries > size || st.Hits == 0 {
			t.Errorf("memo of %d after 16 goroutines: %+v", size, st)
		}
	}
}
