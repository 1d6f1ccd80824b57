package notify

import "time"

// Backoff spaces out retries: each wait grows by Multiplier up to Max, and a
// random part is taken off so messages that failed together (a chat
// service's outage) do not all come back at the same instant.
type Backoff struct {
	Initial    time.Duration // first wait; default 1s
	Max        time.Duration // no wait is longer; default 1m
	Multiplier float64       // growth per failure; default 2
	// Jitter is the largest fraction taken off a wait, in [0,1]; default
	// 0.5, so a wait of d lies in [d/2, d].
	Jitter float64
}

func (b Backoff) withDefaults() Backoff {
	if b.Initial <= 0 {
		b.Initial = time.Second
	}
	if b.Max <= 0 {
		b.Max = time.Minute
	}
	if b.Max < b.Initial {
		b.Max = b.Initial
	}
	if b.Multiplier < 1 {
		b.Multiplier = 2
	}
	if b.Jitter <= 0 || b.Jitter > 1 {
		b.Jitter = 0.5
	}
	return b
}

// Delay is the wait after the failures-th consecutive failure (1 for the
// first), given r drawn uniformly from [0,1).
func (b Backoff) Delay(failures int, r float64) time.Duration {
	d := float64(b.Initial)
	for i := 1; i < failures && d < float64(b.Max); i++ {
		d *= b.Multiplier
	}
	d = min(d, float64(b.Max))
	return time.Duration(d * (1 - b.Jitter*r))
}
