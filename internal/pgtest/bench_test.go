package pgtest

import (
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// benchBase makes an empty directory in parent for a benchmark's clusters,
// enterable by the user the servers run as; owned, so that the next start
// sweeps it if the benchmark is killed.
func benchBase(b *testing.B, parent string) string {
	b.Helper()
	r, err := currentRunner()
	if err != nil {
		b.Fatal(err)
	}
	dir, err := newOwnedDir(r, parent, dirPrefix+"bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o711); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkStart measures a start and stop of a cluster from the cached
// template in /dev/shm (what Start does) against the baseline of a start
// without a template (initdb every time) and one from a template in the
// disk's temp dir, in the same run; and the CREATE and DROP DATABASE of
// NewDatabase, what a test under Main pays instead of a cluster.
func BenchmarkStart(b *testing.B) {
	perOp := func(b *testing.B) float64 { return float64(b.Elapsed().Nanoseconds()) / float64(b.N) }
	startStop := func(b *testing.B, base string) {
		c, err := startIn([]string{base}, freePort)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.stop(); err != nil {
			b.Fatal(err)
		}
	}
	shmBase, diskBase := benchBase(b, shm), benchBase(b, os.TempDir())
	startStop(b, shmBase) // builds the templates, outside the timings
	startStop(b, diskBase)

	var initdb, disk, mem float64
	b.Run("baseline-initdb-each-start", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			base := benchBase(b, shm) // no template: initdb runs
			b.StartTimer()
			startStop(b, base)
		}
		initdb = perOp(b)
	})
	b.Run("template-on-disk", func(b *testing.B) {
		for b.Loop() {
			startStop(b, diskBase)
		}
		disk = perOp(b)
	})
	b.Run("template-in-shm", func(b *testing.B) {
		for b.Loop() {
			startStop(b, shmBase)
		}
		mem = perOp(b)
		b.ReportMetric(initdb/mem, "initdb/shm")
		b.ReportMetric(disk/mem, "disk/shm")
	})
	c := Shared(b)
	b.Run("new-database", func(b *testing.B) {
		n := int64(0)
		for b.Loop() {
			n++
			name := pgx.Identifier{databaseName(n, b.Name())}.Sanitize()
			if err := c.admin("CREATE DATABASE " + name); err != nil {
				b.Fatal(err)
			}
			if err := c.admin("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(mem/perOp(b), "cluster/database")
	})
}
