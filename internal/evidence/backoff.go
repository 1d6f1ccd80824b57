package evidence

import "time"

// Backoff spaces out retries of a failing TSA or capture job: each wait
// doubles from Initial up to Max, less up to half at random so that jobs
// that failed together do not knock again together.
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
}

func (b Backoff) withDefaults(initial, max time.Duration) Backoff {
	if b.Initial <= 0 {
		b.Initial = initial
	}
	if b.Max <= 0 {
		b.Max = max
	}
	if b.Max < b.Initial {
		b.Max = b.Initial
	}
	return b
}

// Delay is the wait after the failures-th consecutive failure (1 for the
// first), given r drawn uniformly from [0,1).
func (b Backoff) Delay(failures int, r float64) time.Duration {
	d := b.Initial
	for i := 1; i < failures && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	return d - time.Duration(float64(d)/2*r)
}
