package store

import (
	"context"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestFinishedRunsCountsEndedRunsOnly(t *testing.T) {
	db := openTest(t, newClock())
	ctx := context.Background()
	for i, status := range []domain.RunStatus{domain.RunSucceeded, domain.RunFailed, domain.RunInterrupted} {
		r, err := db.StartRun(ctx, "jd")
		if err != nil {
			t.Fatal(err)
		}
		r.Status = status
		if err := db.FinishRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		if n, err := db.FinishedRuns(ctx, "jd"); err != nil || n != i+1 {
			t.Fatalf("after %d ended runs: %d, %v", i+1, n, err)
		}
	}
	if _, err := db.StartRun(ctx, "jd"); err != nil { // running: not counted
		t.Fatal(err)
	}
	if n, _ := db.FinishedRuns(ctx, "jd"); n != 3 {
		t.Errorf("a running run counted: %d", n)
	}
	if n, _ := db.FinishedRuns(ctx, "taobao"); n != 0 {
		t.Errorf("another source's runs counted: %d", n)
	}
}
