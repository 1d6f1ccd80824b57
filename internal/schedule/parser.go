package schedule

import (
	"errors"
	"fmt"
	"strings"

	"github.com/robfig/cron/v3"
)

// Parser reads cron specs: 5 fields or 6 with leading seconds, descriptors
// (@hourly, @every 10m) and a CRON_TZ= prefix. It is robfig/cron's parser
// made safe for operator input, which reaches it from the API, the console
// and source files: cron v3.0.1 panics on a time zone prefix with nothing
// after it ("CRON_TZ=Asia/Shanghai"), found by FuzzSet.
type Parser struct{ p cron.Parser }

// NewParser returns the parser the scheduler uses. Operator input is
// validated with it too.
func NewParser() Parser {
	return Parser{cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)}
}

var errZoneAlone = errors.New("a time zone prefix (CRON_TZ=Asia/Shanghai) must be followed by a space and the schedule")

// Parse returns the schedule spec describes.
func (p Parser) Parse(spec string) (sched cron.Schedule, err error) {
	if (strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "TZ=")) && !strings.Contains(spec, " ") {
		return nil, errZoneAlone
	}
	// Any other panic of the parser's is a refused spec, not a dead daemon.
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, fmt.Errorf("unreadable spec: %v", r)
		}
	}()
	return p.p.Parse(spec)
}
