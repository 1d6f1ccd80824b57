package schedule

import (
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/markwatch/markwatch/internal/domain"
)

// Floor is the least time allowed between two scheduled runs of a source.
func (s *Scheduler) Floor(sourceID string) time.Duration {
	if d := s.opts.SourceMinInterval[sourceID]; d > 0 {
		return d
	}
	return s.opts.MinInterval
}

// Check reports whether Set would accept spec for the source, without
// changing anything, so a caller can refuse a spec before storing it.
func (s *Scheduler) Check(sourceID, spec string) error {
	_, err := s.parse(sourceID, spec)
	return err
}

// Interval is the shortest time between two consecutive runs of spec, or 0
// for a spec that never runs (31 February).
func Interval(spec string) (time.Duration, error) {
	sched, err := NewParser().Parse(spec)
	if err != nil {
		return 0, Validate(spec)
	}
	return shortestGap(sched), nil
}

func (s *Scheduler) parse(sourceID, spec string) (cron.Schedule, error) {
	sched, err := s.parser.Parse(spec)
	if err != nil {
		return nil, Validate(spec)
	}
	gap, floor := shortestGap(sched), s.Floor(sourceID)
	if gap > 0 && gap < floor {
		return nil, domain.Errorf(domain.EINVALID,
			"schedule %q of source %s runs as often as every %s, closer than the floor of %s; choose a spec whose runs are at least %s apart (e.g. \"@every %s\"), or lower schedule.min_interval",
			spec, sourceID, short(gap), short(floor), short(floor), short(floor))
	}
	return sched, nil
}

// short writes whole minutes and hours without their zero tails (1m, not
// 1m0s), as an operator would type them.
func short(d time.Duration) string {
	out := d.String()
	if strings.HasSuffix(out, "m0s") {
		out = strings.TrimSuffix(out, "0s")
	}
	if strings.HasSuffix(out, "h0m") {
		out = strings.TrimSuffix(out, "0m")
	}
	return out
}

// NextAfter is when spec, as Set would accept it for the source, next
// runs after t, in the scheduler's time zone; the zero time for a spec
// that never runs again. The distributed mode's planner
// (sources.Control.Plan) schedules from the store with it instead of the
// clock.
func (s *Scheduler) NextAfter(sourceID, spec string, t time.Time) (time.Time, error) {
	sched, err := s.parse(sourceID, spec)
	if err != nil {
		return time.Time{}, err
	}
	return sched.Next(t.In(s.opts.Location)), nil
}
