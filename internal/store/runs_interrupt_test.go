package store

import (
	"context"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestInterruptSourceRunsLeavesOtherSourcesRunning(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, nil)
	dead, err := db.StartRun(ctx, "taobao")
	if err != nil {
		t.Fatal(err)
	}
	live, err := db.StartRun(ctx, "jd")
	if err != nil {
		t.Fatal(err)
	}
	n, err := db.InterruptSourceRuns(ctx, "taobao", "worker died mid-run; job retried")
	if err != nil || n != 1 {
		t.Fatalf("InterruptSourceRuns = %d, %v; want the one taobao run", n, err)
	}
	for _, tc := range []struct {
		source string
		id     int64
		want   domain.RunStatus
	}{{"taobao", dead.ID, domain.RunInterrupted}, {"jd", live.ID, domain.RunRunning}} {
		runs, err := db.ListRuns(ctx, tc.source, 5)
		if err != nil || len(runs) != 1 || runs[0].ID != tc.id || runs[0].Status != tc.want {
			t.Fatalf("%s runs = %+v, %v; want run %d %s", tc.source, runs, err, tc.id, tc.want)
		}
	}
}
