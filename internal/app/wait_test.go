package app

import (
	"testing"
	"time"
)

// within receives from ch, failing the test when nothing comes in d: no
// test of the daemon waits forever on a run that never ends.
func within[T any](t *testing.T, ch <-chan T, d time.Duration, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		t.Fatalf("timed out after %v waiting for %s", d, what)
		var zero T
		return zero
	}
}
