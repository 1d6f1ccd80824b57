package schedule

import (
	"time"

	"github.com/robfig/cron/v3"
)

// starBit is the bit robfig/cron sets in a field written "*" or "?"; it
// changes how day of month and day of week combine (see daysAllowed).
const starBit = 1 << 63

// gregorianCycle is the length in days after which the Gregorian calendar,
// weekdays included, repeats (400 years), so a walk over one cycle sees
// every pair of days a spec can ever fire on.
const gregorianCycle = 146097

// shortestGap is the least time between two consecutive runs of sched, or
// 0 when it never runs. Cron specs are judged from their fields rather than
// by walking their runs: "* * * * *" passes the floor of a minute with half
// a million runs a year, too many to walk on every Set. Wall-clock shifts
// (summer time in a CRON_TZ= zone) can bring one pair of runs closer than
// this; the scheduler's guard in fire skips such a run.
func shortestGap(sched cron.Schedule) time.Duration {
	switch s := sched.(type) {
	case cron.ConstantDelaySchedule:
		return s.Delay
	case *cron.SpecSchedule:
		return specGap(s)
	}
	// No other kind comes out of the parser; judge one by its next runs.
	return walkGap(sched, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), 1000)
}

// specGap splits a spec's runs into times of day and days: consecutive runs
// are either neighbours within a day or the last of one day and the first
// of the next day the spec allows.
func specGap(s *cron.SpecSchedule) time.Duration {
	first, last, within := -1, -1, -1 // seconds of the day
	for h := 0; h < 24; h++ {
		if s.Hour&(1<<h) == 0 {
			continue
		}
		for m := 0; m < 60; m++ {
			if s.Minute&(1<<m) == 0 {
				continue
			}
			for sec := 0; sec < 60; sec++ {
				if s.Second&(1<<sec) == 0 {
					continue
				}
				t := h*3600 + m*60 + sec
				if last >= 0 && (within < 0 || t-last < within) {
					within = t - last
				}
				if first < 0 {
					first = t
				}
				last = t
			}
		}
	}
	days := closestDays(s)
	if first < 0 || days == 0 {
		return 0 // never runs
	}
	across := days*86400 - (last - first)
	if within > 0 && within < across {
		return time.Duration(within) * time.Second
	}
	return time.Duration(across) * time.Second
}

// closestDays is the fewest days between two consecutive days s allows, or
// 0 when it allows none; it stops early at 1, the usual answer. The walk
// counts dates itself: through the time package it took 100 ms for a
// weekly spec, which never stops early.
func closestDays(s *cron.SpecSchedule) int {
	firstDay, prev, best := -1, -1, 0
	i, weekday := 0, int(time.Saturday) // 1 January 2000
	for year := 2000; year < 2400; year++ {
		for month := time.January; month <= time.December; month++ {
			for day := 1; day <= daysIn(year, month); day++ {
				if dayAllowed(s, month, day, time.Weekday(weekday)) {
					if prev >= 0 && (best == 0 || i-prev < best) {
						best = i - prev
						if best == 1 {
							return 1
						}
					}
					if firstDay < 0 {
						firstDay = i
					}
					prev = i
				}
				i, weekday = i+1, (weekday+1)%7
			}
		}
	}
	if firstDay < 0 {
		return 0
	}
	// The cycle repeats: its last allowed day is followed by its first.
	if wrap := firstDay + gregorianCycle - prev; best == 0 || wrap < best {
		best = wrap
	}
	return best
}

func daysIn(year int, month time.Month) int {
	switch month {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// dayAllowed follows robfig/cron's rule: a month must match, and day of
// month and day of week must both match when either is "*", else either.
func dayAllowed(s *cron.SpecSchedule, month time.Month, day int, weekday time.Weekday) bool {
	if s.Month&(1<<uint(month)) == 0 {
		return false
	}
	dom := s.Dom&(1<<uint(day)) != 0
	dow := s.Dow&(1<<uint(weekday)) != 0
	if s.Dom&starBit != 0 || s.Dow&starBit != 0 {
		return dom && dow
	}
	return dom || dow
}

// walkGap is the least gap among the next n runs of sched after from.
func walkGap(sched cron.Schedule, from time.Time, n int) time.Duration {
	var best time.Duration
	prev := sched.Next(from)
	for i := 0; i < n && !prev.IsZero(); i++ {
		next := sched.Next(prev)
		if next.IsZero() {
			break
		}
		if d := next.Sub(prev); best == 0 || d < best {
			best = d
		}
		prev = next
	}
	return best
}
