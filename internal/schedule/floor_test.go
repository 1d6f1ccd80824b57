package schedule

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// The floor (issue 11, fault 4): a spec that runs a source more often than
// its floor is refused with the spec, the interval and the floor named, and
// the schedule it would replace keeps running.
func TestSetRefusesSpecsUnderTheFloor(t *testing.T) {
	cases := []struct {
		name  string
		spec  string
		floor time.Duration // of source "demo"; 0 = the default, 1m
		want  string        // the interval named in the refusal; "" = accepted
	}{
		{"every second", "* * * * * *", 0, "every 1s"},
		{"every 5 s", "@every 5s", 0, "every 5s"},
		{"every 30 s, seconds field", "*/30 * * * * *", 0, "every 30s"},
		{"two seconds of one minute a day", "0,30 0 8 * * *", 0, "every 30s"},
		{"every 30 min under the default", "*/30 * * * *", 0, ""},
		{"every 30 min under an hour", "*/30 * * * *", time.Hour, "every 30m"},
		{"every minute is the floor itself", "@every 1m", 0, ""},
		{"every minute, five fields", "* * * * *", 0, ""},
		{"23:00 then 00:00", "0 0,23 * * *", 2 * time.Hour, "every 1h"},
		{"Monday then Tuesday", "0 9 * * 1,2", 25 * time.Hour, "every 24h"},
		{"weekly", "0 9 * * 1", 25 * time.Hour, ""},
		{"JD at 03:00 Beijing time", "CRON_TZ=Asia/Shanghai 0 3 * * *", 6 * time.Hour, ""},
		{"29 February", "0 0 29 2 *", 24 * time.Hour, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := Options{Location: time.UTC}
			if c.floor > 0 {
				opts.SourceMinInterval = map[string]time.Duration{"demo": c.floor}
			}
			s, err := New(func(context.Context, string) {}, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Stop(context.Background())
			if err := s.Set("demo", "@weekly"); err != nil {
				t.Fatal(err)
			}
			err = s.Set("demo", c.spec)
			if c.want == "" {
				if err != nil {
					t.Fatalf("Set(%q) = %v, want accepted", c.spec, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Set(%q) accepted, want refused as running %s", c.spec, c.want)
			}
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("code %q, want invalid", domain.ErrorCode(err))
			}
			floor := "1m"
			if c.floor > 0 {
				floor = short(c.floor)
			}
			for _, part := range []string{`"` + c.spec + `"`, c.want, "floor of " + floor} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not say %q", err, part)
				}
			}
			if es := s.Entries(); len(es) != 1 || es[0].Spec != "@weekly" || es[0].Next.IsZero() {
				t.Errorf("old schedule not kept: %+v", es)
			}
			if err := s.Check("demo", c.spec); err == nil {
				t.Error("Check accepts what Set refused")
			}
		})
	}
}

func TestFloorOfOneSourceLeavesOthersAtTheDefault(t *testing.T) {
	s, err := New(func(context.Context, string) {}, Options{SourceMinInterval: map[string]time.Duration{"jd": 6 * time.Hour, "demo": time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	for _, c := range []struct {
		id, spec string
		ok       bool
	}{
		{"jd", "0 */2 * * *", false},
		{"jd", "CRON_TZ=Asia/Shanghai 0 3 * * *", true},
		{"taobao", "0 */2 * * *", true},
		{"taobao", "@every 10s", false},
		{"demo", "@every 10s", true},
	} {
		if err := s.Set(c.id, c.spec); (err == nil) != c.ok {
			t.Errorf("Set(%s, %q) = %v, want ok=%v", c.id, c.spec, err, c.ok)
		}
	}
}

// The interval read from a spec's fields is the one its runs keep, walked
// with cron's own Next over 1,500 runs.
func TestIntervalMatchesTheRuns(t *testing.T) {
	specs := []string{
		"* * * * *", "*/7 * * * *", "0 0,23 * * *", "5,55 23,0 * * *",
		"0 9 * * 1,2", "0 9 * * 1-5", "0 9 1,15 * *", "0 9 1 * 1", "0 12 31 * *",
		"30 59 23 31 12 *", "0 8-18/3 * * *", "@every 90m", "@hourly", "@weekly",
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, spec := range specs {
		got, err := Interval(spec)
		if err != nil {
			t.Fatalf("Interval(%q): %v", spec, err)
		}
		sched, _ := NewParser().Parse("CRON_TZ=UTC " + strings.TrimPrefix(spec, "CRON_TZ=UTC "))
		if strings.HasPrefix(spec, "@") {
			sched, _ = NewParser().Parse(spec)
		}
		if want := walkGap(sched, from, 1500); got != want {
			t.Errorf("Interval(%q) = %s, its runs come %s apart", spec, got, want)
		}
	}
	if got, err := Interval("0 0 30 2 *"); err != nil || got != 0 {
		t.Errorf("a spec that never runs: %s, %v; want 0", got, err)
	}
}

// A changed schedule's first run can fall just after the old one's last;
// the floor holds there too.
func TestGuardSkipsARunCloserThanTheFloorAfterAChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fired := make(chan time.Time, 16)
		s, err := New(func(context.Context, string) { fired <- time.Now() }, Options{Location: time.UTC, MinInterval: 5 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Stop(context.Background())
		if err := s.Set("demo", "0 * * * *"); err != nil {
			t.Fatal(err)
		}
		s.Start()
		first := waitFor(t, fired, 2*time.Hour, "the first run")
		if first.Minute() != 0 {
			t.Fatalf("first run at %s", first)
		}
		time.Sleep(30 * time.Second)
		if err := s.Set("demo", "1 * * * *"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute) // past hh:01, a minute after the last run
		synctest.Wait()
		if n := len(fired); n != 0 {
			t.Fatalf("%d runs a minute after the previous one, under a floor of 5m", n)
		}
		next := waitFor(t, fired, 2*time.Hour, "the next hour's run")
		if got := next.Sub(first); got != time.Hour+time.Minute {
			t.Fatalf("next run %s after the first, want 1h1m", got)
		}
	})
}
