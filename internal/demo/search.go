package demo

import (
	"hash/fnv"
	"sort"
	"strings"
)

// search returns the catalogue entries for a query, best first, the way a
// marketplace's fuzzy search does: an entry matches when its title holds at
// least half of the query's characters (so 六个核桃 also finds 陆个核桃 and
// 六個核桃 — which is why look-alikes get found at all). When few entries
// match, unrelated goods fill the list, chosen by the query so the same
// search always gives the same pages.
func search(items []Item, query string, minResults int) []Item {
	q := []rune(strings.Join(strings.Fields(query), ""))
	if len(q) == 0 {
		return nil
	}
	type scored struct {
		item  Item
		score int
	}
	var hits []scored
	seen := map[int]bool{}
	for _, it := range items {
		s := overlap(q, it.Title)
		if strings.Contains(it.Title, string(q)) {
			s += len(q) // exact phrase first
		}
		if s*2 >= len(q) && s > 0 && (len(q) == 1 || s >= 2) {
			hits = append(hits, scored{it, s})
			seen[it.ID] = true
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].score > hits[j].score })
	out := make([]Item, 0, max(len(hits), minResults))
	for _, h := range hits {
		out = append(out, h.item)
	}
	if len(out) >= minResults {
		return out
	}
	var filler []Item
	for _, it := range items {
		if it.Kind == KindUnrelated && !seen[it.ID] {
			filler = append(filler, it)
		}
	}
	if len(filler) == 0 {
		return out
	}
	h := fnv.New32a()
	h.Write([]byte(string(q)))
	start := int(h.Sum32() % uint32(len(filler)))
	for i := 0; len(out) < minResults && i < len(filler); i++ {
		out = append(out, filler[(start+i)%len(filler)])
	}
	return out
}

// overlap counts the query's distinct characters that occur in the title.
func overlap(q []rune, title string) int {
	n := 0
	counted := map[rune]bool{}
	for _, r := range q {
		if !counted[r] && strings.ContainsRune(title, r) {
			n++
		}
		counted[r] = true
	}
	return n
}
