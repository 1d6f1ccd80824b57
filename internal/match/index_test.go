package match

import "testing"

// A key its class filter turns away is a look-alike never found: every key
// of the index must pass the filter its probes test.
func TestBloomHoldsEveryIndexKey(t *testing.T) {
	m, err := New(syntheticMarks(t, 1000), Options{})
	if err != nil {
		t.Fatal(err)
	}
	seen := [4]int{}
	for _, s := range m.index.slots {
		if s.key == 0 {
			continue
		}
		c := keyClass(s.key)
		seen[c]++
		if !m.bloom[c].has(s.key) {
			t.Fatalf("key %x (class %d) rejected by its filter", s.key, c)
		}
	}
	for c, n := range seen {
		if n == 0 {
			t.Errorf("no index key of class %d: the classes are not told apart", c)
		}
	}
	if got := keyClass(pairKey('红', sylClass|7)); got != classSyl {
		t.Errorf("keyClass(红, syllable) = %d, want %d", got, classSyl)
	}
	if got := keyClass(pairKey('康', altClass|'帅')); got != classAlt {
		t.Errorf("keyClass(康, look-alike) = %d, want %d", got, classAlt)
	}
	if got := keyClass(pairKey(tonedClass|3, tonedClass|9)); got != classToned {
		t.Errorf("keyClass(toned, toned) = %d, want %d", got, classToned)
	}
}
