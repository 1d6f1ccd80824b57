package notify

import (
	"testing"
	"time"
)

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Initial: time.Second, Max: 10 * time.Second, Multiplier: 2, Jitter: 0.5}
	tests := []struct {
		failures int
		r        float64
		want     time.Duration
	}{
		{1, 0, time.Second},
		{2, 0, 2 * time.Second},
		{3, 0, 4 * time.Second},
		{4, 0, 8 * time.Second},
		{5, 0, 10 * time.Second}, // capped
		{60, 0, 10 * time.Second},
		{1, 0.5, 750 * time.Millisecond},
		{3, 0.999999, 2*time.Second + 2*time.Microsecond},
		{60, 0.5, 7500 * time.Millisecond}, // jitter below the cap, not above it
	}
	for _, tt := range tests {
		if got := b.Delay(tt.failures, tt.r); got != tt.want {
			t.Errorf("Delay(%d, %v) = %v, want %v", tt.failures, tt.r, got, tt.want)
		}
	}
}

func TestBackoffDefaults(t *testing.T) {
	b := Backoff{}.withDefaults()
	if b.Initial != time.Second || b.Max != time.Minute || b.Multiplier != 2 || b.Jitter != 0.5 {
		t.Errorf("defaults = %+v", b)
	}
}
