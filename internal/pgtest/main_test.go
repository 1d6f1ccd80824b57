package pgtest

import "testing"

// The package's own tests share a cluster too, so Shared is tested the way
// other packages will use it.
func TestMain(m *testing.M) { Main(m) }
