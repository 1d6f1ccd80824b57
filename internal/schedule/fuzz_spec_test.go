package schedule

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// FuzzSet: an operator's spec (API, console, source YAML) is accepted or
// refused as invalid, never a panic; an accepted spec's runs are never
// closer than the floor, and never closer than the interval Interval reads
// from its fields.
func FuzzSet(f *testing.F) {
	for _, spec := range []string{
		"* * * * * *", "@every 5s", "*/30 * * * *", "CRON_TZ=Asia/Shanghai 0 3 * * *", "0 0,23 * * *",
		"0 9 * * 1,2", "0 0 29 2 *", "0 0 30 2 *", "@every 1h30m", "TZ=UTC */2 * * * *", "每小时", "0 99 * * *",
		"@every -1s", "5-1 * * * *", "*/0 * * * *", "? ? ? ? ?", "0 0 L * *",
	} {
		f.Add(spec)
	}
	s, err := New(func(context.Context, string) {}, Options{Location: time.UTC})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Stop(context.Background()) })
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, spec string) {
		err := s.Set("demo", spec)
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "schedule ") {
				t.Fatalf("Set(%q) = %v: want an invalid-spec error naming the schedule", spec, err)
			}
			return
		}
		sched, err := NewParser().Parse(spec)
		if err != nil {
			t.Fatalf("Set accepted %q, the parser refuses it: %v", spec, err)
		}
		if strings.Contains(spec, "TZ=") {
			return // a zone with summer time may bring two runs closer (the guard's case)
		}
		gap, _ := Interval(spec)
		if walked := walkGap(sched, from, 40); walked > 0 && (walked < gap || walked < s.Floor("demo")) {
			t.Fatalf("%q: runs %s apart, Interval says %s, floor %s", spec, walked, gap, s.Floor("demo"))
		}
	})
}
