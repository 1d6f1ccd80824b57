package subscribe

import (
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// DefaultDigestTime is when digests go out when a subscription names no
// time: the start of an office day in China.
const DefaultDigestTime = "09:00"

// shanghai stands in for Asia/Shanghai when the caller passes no location.
// China has kept UTC+8 without daylight saving since 1991, so a fixed zone
// gives the same wall-clock times without reading the tz database (which
// a scratch container may lack).
func shanghai() *time.Location { return time.FixedZone("CST", 8*60*60) }

// ParseDigestTime reads "HH:MM" (two digits each, 00:00–23:59).
func ParseDigestTime(s string) (hour, minute int, err error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, 0, invalid("提醒时间须为 HH:MM 格式（例如 09:00）。The digest time must be HH:MM, e.g. 09:00.")
	}
	digits := func(a, b byte) (int, bool) {
		if a < '0' || a > '9' || b < '0' || b > '9' {
			return 0, false
		}
		return int(a-'0')*10 + int(b-'0'), true
	}
	h, okH := digits(s[0], s[1])
	m, okM := digits(s[3], s[4])
	if !okH || !okM || h > 23 || m > 59 {
		return 0, 0, invalid("提醒时间须为 HH:MM 格式，时 00–23，分 00–59。The digest time must be HH:MM with hours 00–23 and minutes 00–59.")
	}
	return h, m, nil
}

// DueAt is when a notification of an event at `at` goes out for s:
// immediately, or at the subscription's next digest time strictly after
// `at` (so an event at 09:00:00 sharp waits for tomorrow's digest, which
// is the one that has not been assembled yet), on its weekday for weekly
// digests. Wall-clock times are read in loc (nil: Asia/Shanghai). An
// unreadable digest time falls back to DefaultDigestTime rather than
// losing the event; Validate keeps such times out of the store.
func DueAt(s domain.Subscription, at time.Time, loc *time.Location) time.Time {
	if s.Mode != domain.DeliverDaily && s.Mode != domain.DeliverWeekly {
		return at
	}
	if loc == nil {
		loc = shanghai()
	}
	h, m, err := ParseDigestTime(s.DigestTime)
	if err != nil {
		h, m, _ = ParseDigestTime(DefaultDigestTime)
	}
	local := at.In(loc)
	due := time.Date(local.Year(), local.Month(), local.Day(), h, m, 0, 0, loc)
	if !due.After(at) {
		due = time.Date(local.Year(), local.Month(), local.Day()+1, h, m, 0, 0, loc)
	}
	if s.Mode == domain.DeliverWeekly {
		want := time.Weekday(((s.DigestWeekday % 7) + 7) % 7)
		ahead := (int(want) - int(due.Weekday()) + 7) % 7
		due = time.Date(due.Year(), due.Month(), due.Day()+ahead, h, m, 0, 0, loc)
	}
	return due
}
