package notify

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// readReply judges a receiver's answer to an HTTP delivery and closes its
// body: 2xx is delivered (unless a chat robot's errcode says otherwise);
// 429 and 5xx are worth retrying; any other status, a redirect included,
// is permanent.
func readReply(resp *http.Response, ch domain.Channel, now time.Time) (retry bool, err error) {
	defer resp.Body.Close()
	// A short excerpt says why a receiver refused, and holds a chat robot's
	// errcode; the rest is read so the connection can be reused.
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if ch == domain.ChannelWebhook {
			return false, nil
		}
		return chatReply(excerpt)
	}
	serr := &StatusError{Code: resp.StatusCode, Body: strings.TrimSpace(string(excerpt)), retryAfter: retryAfter(resp.Header.Get("Retry-After"), now)}
	return resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500, serr
}

// stripURL drops the URL net/http puts in its errors (*url.Error), which
// would carry the query's token into logs and the store, and keeps the
// cause.
func stripURL(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return fmt.Errorf("%s: %w", uerr.Op, uerr.Err)
	}
	return err
}

// StatusError is a response outside 2xx.
type StatusError struct {
	Code       int
	Body       string // at most 512 bytes of the response
	retryAfter time.Duration
}

func (e *StatusError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("receiver answered %d %s", e.Code, http.StatusText(e.Code))
	}
	return fmt.Sprintf("receiver answered %d %s: %s", e.Code, http.StatusText(e.Code), e.Body)
}

// RetryAfter is how long the receiver asked us to wait (zero when it did
// not say); the Deliverer reschedules no sooner than this.
func (e *StatusError) RetryAfter() time.Duration { return e.retryAfter }

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
