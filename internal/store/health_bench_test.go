package store

import (
	"context"
	"testing"
)

// BenchmarkReadinessProbe: CheckWritable (a header read, a fresh read-only
// connection, a committed test write) against the Ping it replaces in
// /readyz, in the same run.
func BenchmarkReadinessProbe(b *testing.B) {
	ctx := context.Background()
	b.Run("baseline-ping", func(b *testing.B) {
		db := openTest(b, nil)
		for b.Loop() {
			if err := db.Ping(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("check-writable", func(b *testing.B) {
		db := openTest(b, nil)
		for b.Loop() {
			if err := db.CheckWritable(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
