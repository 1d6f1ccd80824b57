package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/store"
)

func TestFailureBackoff(t *testing.T) {
	cases := []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {2, 0},
		{3, 15 * time.Minute}, {4, 30 * time.Minute}, {5, time.Hour},
		{8, 8 * time.Hour}, {9, 12 * time.Hour}, {50, 12 * time.Hour},
	}
	for _, c := range cases {
		if got := failureBackoff(c.failures); got != c.want {
			t.Errorf("failureBackoff(%d) = %v, want %v", c.failures, got, c.want)
		}
	}
}

func TestBackingOffReadsTheStore(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "m.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.InitSource(ctx, "jd", "0 * * * *"); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		run, err := db.StartRun(ctx, "jd")
		if err != nil {
			t.Fatal(err)
		}
		run.Status, run.EndReason = domain.RunFailed, "HTTP 403 from every page"
		if err := db.FinishRun(ctx, run); err != nil {
			t.Fatal(err)
		}
		if _, skip, err := backingOff(ctx, db, "jd", now); err != nil || skip != (i == 2) {
			t.Fatalf("after %d failures: skip=%v err=%v", i+1, skip, err)
		}
	}
	if until, skip, _ := backingOff(ctx, db, "jd", now.Add(16*time.Minute)); skip {
		t.Fatalf("still backing off after the 15 min wait (until %v)", until)
	}
}
