package yamlcheck

// Closest suggests the known name nearest to a misspelt one, or "" when none
// is near enough to be a plausible typo. The bound grows with the length of
// got so that a short name does not "suggest" an unrelated short name.
func Closest(got string, known []string) string {
	best, bestDist := "", len(got)/2+2
	for _, k := range known {
		if d := editDistance(got, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance over bytes; field names and
// environment variables are ASCII, so bytes are characters.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
