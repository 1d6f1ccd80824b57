//go:build race

package match

// raceEnabled: the race detector slows matching tenfold; tests that only
// check benchmark inputs skip under it.
const raceEnabled = true
