package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Headers a webhook request carries so the receiver can trust it.
//
// The signature is HMAC-SHA256, keyed with the webhook's secret, over
// "<timestamp>.<body>": the timestamp header's value, a dot, then the raw
// body bytes. Covering the timestamp is what makes it replay protection: a
// captured request cannot be re-sent later with a fresh timestamp without
// the secret. A receiver should
//
//  1. recompute the HMAC over the exact bytes received and compare in
//     constant time (Verify does this), and
//  2. refuse a timestamp further than a few minutes from its own clock, and
//     drop a message whose Idempotency-Key it has already handled.
//
// Retries re-sign with a new timestamp, so a slow retry is not refused.
const (
	SignatureHeader = "X-Markwatch-Signature"
	TimestampHeader = "X-Markwatch-Timestamp"
	signaturePrefix = "sha256="
)

// sign returns the signature header's value for body sent at timestamp
// (Unix seconds, as written in the timestamp header).
func sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte("."))
	mac.Write(body)
	return signaturePrefix + hex.EncodeToString(mac.Sum(nil))
}

// Errors Verify returns, so a receiver can tell a forgery from a stale
// request.
var (
	ErrBadSignature = errors.New("signature does not match")
	ErrStale        = errors.New("timestamp outside the allowed window")
)

// Verify checks a received webhook request: the signature over timestamp and
// body, and that the timestamp is within tolerance of now. It is what a Go
// receiver needs, and the reference for receivers in other languages.
func Verify(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	ts := h.Get(TimestampHeader)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("verifying webhook: reading header %s %q: %w", TimestampHeader, ts, err)
	}
	got := h.Get(SignatureHeader)
	if !strings.HasPrefix(got, signaturePrefix) || !hmac.Equal([]byte(got), []byte(sign(secret, ts, body))) {
		return fmt.Errorf("verifying webhook: header %s: %w", SignatureHeader, ErrBadSignature)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("verifying webhook: sent %s from now, more than %s: %w", d.Round(time.Second), tolerance, ErrStale)
	}
	return nil
}
