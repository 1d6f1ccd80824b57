package access

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// CodeTooManyRequests is the error code of a throttled sign-in (HTTP 429).
const CodeTooManyRequests = "too_many_requests"

// ThrottleOptions limit failed sign-ins. Zero values take the defaults.
type ThrottleOptions struct {
	// PerAccount failures of one user name within Window refuse further
	// attempts on it (default 5): guessing one account's password.
	PerAccount int
	// PerAddress failures from one client address (an IPv6 /64 counts as
	// one address) within Window refuse further attempts from it (default
	// 20): spraying many accounts from one host.
	PerAddress int
	// Window is the sliding window (default 15 minutes).
	Window time.Duration
	// MaxKeys caps the accounts and the addresses remembered (default
	// 10000 each) so a flood of made-up names cannot exhaust memory.
	MaxKeys int
}

func (o ThrottleOptions) withDefaults() ThrottleOptions {
	if o.PerAccount <= 0 {
		o.PerAccount = 5
	}
	if o.PerAddress <= 0 {
		o.PerAddress = 20
	}
	if o.Window <= 0 {
		o.Window = 15 * time.Minute
	}
	if o.MaxKeys <= 0 {
		o.MaxKeys = 10000
	}
	return o
}

// ThrottledError refuses a sign-in until RetryAfter has passed. It unwraps
// to a domain error with code too_many_requests. The message is the same
// whether the account exists or not, and whether the account or the
// address is over its limit.
type ThrottledError struct {
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string { return e.domainError().Error() }

// Unwrap lets domain.ErrorCode and domain.ErrorMessage read the code.
func (e *ThrottledError) Unwrap() error { return e.domainError() }

func (e *ThrottledError) domainError() *domain.Error {
	mins := int((e.RetryAfter + time.Minute - 1) / time.Minute)
	return domain.Errorf(CodeTooManyRequests, "登录失败次数过多，请 %d 分钟后再试 too many failed sign-ins; try again in %d minutes", mins, mins)
}

// RetryAfter is how long a throttled sign-in must wait; ok is false when
// err is not a throttling refusal.
func RetryAfter(err error) (d time.Duration, ok bool) {
	var t *ThrottledError
	if errors.As(err, &t) {
		return t.RetryAfter, true
	}
	return 0, false
}

// throttle counts failed sign-ins per account and per address. Successes
// reset the account (not the address: a sprayer who knows one password
// must not reset its budget).
type throttle struct {
	mu       sync.Mutex
	accounts *window
	addrs    *window
}

func newThrottle(o ThrottleOptions) *throttle {
	o = o.withDefaults()
	return &throttle{
		accounts: &window{limit: o.PerAccount, span: o.Window, maxKeys: o.MaxKeys, fails: map[string][]time.Time{}},
		addrs:    &window{limit: o.PerAddress, span: o.Window, maxKeys: o.MaxKeys, fails: map[string][]time.Time{}},
	}
}

// check refuses when the account or the address is over its limit.
func (t *throttle) check(account, addr string, now time.Time) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	wait := max(t.accounts.wait(account, now), t.addrs.wait(addr, now))
	if wait > 0 {
		return &ThrottledError{RetryAfter: wait}
	}
	return nil
}

func (t *throttle) fail(account, addr string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.accounts.add(account, now)
	t.addrs.add(addr, now)
}

func (t *throttle) succeed(account string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.accounts.fails, account)
}

// window is a sliding window of failure times per key. Each key keeps at
// most limit times: more cannot change the answer.
type window struct {
	limit   int
	span    time.Duration
	maxKeys int
	fails   map[string][]time.Time
}

// wait is how long key must wait before its next attempt; 0 allows it.
func (w *window) wait(key string, now time.Time) time.Duration {
	ts := w.prune(key, now)
	if len(ts) < w.limit {
		return 0
	}
	// The attempt is allowed again when the oldest failure in the window
	// leaves it.
	return ts[0].Add(w.span).Sub(now)
}

func (w *window) add(key string, now time.Time) {
	ts := w.prune(key, now)
	if ts == nil {
		w.makeRoom(now)
	}
	ts = append(ts, now)
	if len(ts) > w.limit {
		ts = ts[len(ts)-w.limit:]
	}
	w.fails[key] = ts
}

// prune drops failures older than the window and returns what remains.
func (w *window) prune(key string, now time.Time) []time.Time {
	ts := w.fails[key]
	i := 0
	for i < len(ts) && !now.Before(ts[i].Add(w.span)) {
		i++
	}
	if i == len(ts) {
		delete(w.fails, key)
		return nil
	}
	ts = ts[i:]
	w.fails[key] = ts
	return ts
}

// makeRoom keeps the map under maxKeys before a new key is added: expired
// keys go first, then the key whose last failure is oldest. The scan is
// linear but only runs when the map is full.
func (w *window) makeRoom(now time.Time) {
	if len(w.fails) < w.maxKeys {
		return
	}
	var oldestKey string
	var oldest time.Time
	for k, ts := range w.fails {
		last := ts[len(ts)-1]
		if !now.Before(last.Add(w.span)) {
			delete(w.fails, k)
			continue
		}
		if oldestKey == "" || last.Before(oldest) {
			oldestKey, oldest = k, last
		}
	}
	if len(w.fails) >= w.maxKeys {
		delete(w.fails, oldestKey)
	}
}

// accountKey folds case and surrounding space so "Admin " and "admin"
// share one budget.
func accountKey(name string) string {
	return strings.ToLower(strings.TrimSpace(name))
}

// addrKey is the throttling key of a client address ("ip" or "ip:port"):
// the IPv4 address, or the /64 of an IPv6 address, since one host usually
// holds a whole /64.
func addrKey(remote string) string {
	a, err := netip.ParseAddrPort(remote)
	ip := a.Addr()
	if err != nil {
		ip, err = netip.ParseAddr(strings.Trim(remote, "[]"))
	}
	if err != nil {
		// Not an IP (a Unix socket, a test): throttle the string itself.
		return "raw:" + remote[:min(len(remote), 64)]
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is4() {
		return ip.String()
	}
	p, err := ip.Prefix(64)
	if err != nil {
		return ip.String()
	}
	return fmt.Sprint(p)
}
