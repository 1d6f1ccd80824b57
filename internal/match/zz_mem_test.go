package match

import (
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
)

func TestZZMem(t *testing.T) {
	runtime.MemProfileRate = 1
	defaultTables()
	marks := syntheticMarks(t, 10000)
	b := heapInUse()
	m, _ := New(marks, Options{})
	t.Logf("MB %.1f patterns %d keys %d postings %d latin %d", float64(heapInUse()-b)/(1<<20), len(m.patterns), len(m.index.keys), len(m.index.postings), len(m.latinKeys))
	f, _ := os.Create("/tmp/heap.out")
	pprof.WriteHeapProfile(f)
	f.Close()
	runtime.KeepAlive(m)
}
