package schedule

import "sort"

func sortEntries(es []Entry) {
	sort.Slice(es, func(i, k int) bool { return es[i].SourceID < es[k].SourceID })
}
