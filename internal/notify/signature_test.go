package notify

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestVerify(t *testing.T) {
	const secret = "SEC0123456789abcdef"
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	body := []byte(`{"alerts":[{"id":1}]}`)
	ts := strconv.FormatInt(now.Unix(), 10)
	signed := func(ts string, body []byte, secret string) http.Header {
		h := http.Header{}
		h.Set(TimestampHeader, ts)
		h.Set(SignatureHeader, sign(secret, ts, body))
		return h
	}
	tests := []struct {
		name    string
		h       http.Header
		body    []byte
		at      time.Time
		wantErr error // nil: verifies
		anyErr  bool
	}{
		{"as sent", signed(ts, body, secret), body, now, nil, false},
		{"a minute later", signed(ts, body, secret), body, now.Add(time.Minute), nil, false},
		{"body changed", signed(ts, body, secret), []byte(`{"alerts":[{"id":2}]}`), now, ErrBadSignature, false},
		{"other secret", signed(ts, body, "SECother"), body, now, ErrBadSignature, false},
		{"timestamp replaced", func() http.Header {
			h := signed(ts, body, secret)
			h.Set(TimestampHeader, strconv.FormatInt(now.Add(time.Hour).Unix(), 10))
			return h
		}(), body, now.Add(time.Hour), ErrBadSignature, false},
		{"replayed an hour later", signed(ts, body, secret), body, now.Add(time.Hour), ErrStale, false},
		{"from the future", signed(ts, body, secret), body, now.Add(-time.Hour), ErrStale, false},
		{"no timestamp", http.Header{SignatureHeader: {sign(secret, ts, body)}}, body, now, nil, true},
		{"no signature", http.Header{TimestampHeader: {ts}}, body, now, ErrBadSignature, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(secret, tt.h, tt.body, tt.at, 5*time.Minute)
			switch {
			case tt.anyErr:
				if err == nil {
					t.Fatal("verified, want an error")
				}
			case tt.wantErr == nil && err != nil:
				t.Fatalf("Verify: %v", err)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Fatalf("Verify = %v, want %v", err, tt.wantErr)
			}
		})
	}
}
