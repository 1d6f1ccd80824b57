package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	ms "github.com/meilisearch/meilisearch-go"

	"github.com/markwatch/markwatch/internal/domain"
)

// Tenant tokens are short-lived so a token that leaks (a log line, a proxy)
// soon stops working even though Meilisearch cannot revoke one token alone;
// they are reused until close to expiry so a search does not sign a JWT and
// build a client each time.
const (
	tenantTokenTTL     = 5 * time.Minute
	tenantTokenRefresh = time.Minute
	// maxTenantTokens bounds the cache: one entry per distinct scope (owner
	// or jurisdiction), far more than a deployment has.
	maxTenantTokens = 1024
	// maxTokenBytes keeps a token below Meilisearch 1.21's header limit,
	// measured between 150 KB (4,000 marks: accepted) and 168 KB (431). Past
	// the limit the server may also just drop the connection mid-request, so
	// the size is checked before sending rather than by the answer.
	maxTokenBytes = 128 << 10
)

// tenantState is the Client's search key and token cache.
type tenantState struct {
	// keyMu serialises looking up or creating the key, which talks to the
	// server; mu guards the fields and is never held across a request.
	keyMu  sync.Mutex
	mu     sync.Mutex
	key    searchKey
	tokens tokenCache
}

func newTenantState() tenantState {
	return tenantState{tokens: tokenCache{max: maxTenantTokens, m: map[string]tenantToken{}}}
}

// SearchScoped is Search limited to what scope may see. A restricted scope or
// a jurisdiction is enforced by Meilisearch itself: the query runs with a
// tenant token whose search rules filter on the scope's marks and
// jurisdiction, so a mistake in the request filter cannot leak other owners'
// hits. The scope is in the request filter as well, and f narrows further.
//
// It fails closed with EUNAVAILABLE when no token can be had (the client's
// key may not manage API keys, or the server refuses the token); it never
// falls back to an unscoped search.
func (c *Client) SearchScoped(ctx context.Context, q string, f SearchFilter, scope domain.Scope) (SearchResult, error) {
	if err := checkPaging(f); err != nil {
		return SearchResult{}, err
	}
	filter, err := requestFilter(f, scope)
	if err != nil {
		return SearchResult{}, err
	}
	if !scope.Restricted && jurisdiction(scope) == "" {
		return c.search(ctx, c.ms, q, f, filter)
	}
	if scope.Restricted && len(scope.MarkIDs) == 0 {
		res := SearchResult{Hits: []domain.Hit{}} // sees nothing; no need to ask
		if f.Facets {
			res.Facets = map[string]map[string]int{}
		}
		return res, nil
	}
	return c.searchTenant(ctx, q, f, scope, filter)
}

// searchTenant runs q with scope's tenant token and filter as the request
// filter. When Meilisearch refuses the token (expired by the server's clock,
// its parent key deleted) it looks the key up again and retries once.
func (c *Client) searchTenant(ctx context.Context, q string, f SearchFilter, scope domain.Scope, filter string) (SearchResult, error) {
	for attempt := 0; ; attempt++ {
		tok, err := c.tenantToken(ctx, scope)
		if err != nil {
			return SearchResult{}, fmt.Errorf("searching hits for %q in scope: %w", q, err)
		}
		res, err := c.search(ctx, tok.sm, q, f, filter)
		if tooLargeForHeader(err) { // a proxy in front with a smaller limit
			return SearchResult{}, fmt.Errorf("searching hits for %q in scope: %w: %w", q, tooLarge(scope), err)
		}
		if err == nil || !isAuthRefusal(err) {
			return res, err
		}
		c.forgetSearchKey()
		if attempt == 1 {
			return SearchResult{}, fmt.Errorf("searching hits for %q in scope: %w: %w", q, domain.Errorf(domain.EUNAVAILABLE,
				"Meilisearch refused a fresh tenant token; check the server's clock and that the %s key exists", searchKeyName), err)
		}
	}
}

// tooLargeForHeader reports Meilisearch's 431: the token (it travels in the
// Authorization header) holds too many marks.
func tooLargeForHeader(err error) bool {
	var me *ms.Error
	return errors.As(err, &me) && me.StatusCode == http.StatusRequestHeaderFieldsTooLarge
}

func tooLarge(scope domain.Scope) error {
	return domain.Errorf(domain.EUNAVAILABLE,
		"the scope's %d marks make a tenant token too large for Meilisearch's request headers (about 3,000 fit)", len(scope.MarkIDs))
}

// tenantToken returns a cached, not nearly expired token for scope, or mints
// one signed with the search key.
func (c *Client) tenantToken(ctx context.Context, scope domain.Scope) (tenantToken, error) {
	// Round(0) drops the monotonic reading: expiry is wall-clock time on the
	// server, and a suspended host's monotonic clock would not have advanced.
	now := c.now().Round(0)
	ck := scopeKey(scope)
	if t, ok := c.tenant.cached(ck, now); ok {
		return t, nil
	}
	key, err := c.ensureSearchKey(ctx)
	if err != nil {
		return tenantToken{}, err
	}
	t, err := c.mintToken(key, scope, now)
	if err != nil {
		return tenantToken{}, err
	}
	c.tenant.store(ck, t, now)
	return t, nil
}

func (c *Client) mintToken(key searchKey, scope domain.Scope, now time.Time) (tenantToken, error) {
	exp := now.Add(tenantTokenTTL).UTC()
	rules := map[string]any{c.name: map[string]any{"filter": scopeFilter(scope)}}
	s, err := c.ms.GenerateTenantToken(key.uid, rules, &ms.TenantTokenOptions{APIKey: key.key, ExpiresAt: exp})
	if err != nil {
		return tenantToken{}, fmt.Errorf("signing a tenant token: %w", domain.Errorf(domain.EUNAVAILABLE, "%v", err))
	}
	if len(s) > maxTokenBytes {
		return tenantToken{}, fmt.Errorf("signing a tenant token of %d bytes: %w", len(s), tooLarge(scope))
	}
	sm := ms.New(c.url, ms.WithAPIKey(s), ms.WithCustomClient(c.hc), ms.WithCustomJsonUnmarshaler(rawUnmarshal))
	return tenantToken{token: s, keyUID: key.uid, expires: exp, sm: sm}, nil
}

// scopeFilter is the Meilisearch filter of what scope may see. Every value is
// quoted, so a mark id or jurisdiction cannot add operators.
func scopeFilter(s domain.Scope) string {
	var parts []string
	if s.Restricted {
		q := make([]string, 0, len(s.MarkIDs))
		for _, m := range sortedMarks(s) {
			q = append(q, quote(m))
		}
		parts = append(parts, "mark_id IN ["+strings.Join(q, ", ")+"]")
	}
	if j := jurisdiction(s); j != "" {
		parts = append(parts, "location_prefixes = "+quote(j))
	}
	return strings.Join(parts, " AND ")
}

// jurisdiction is the scope's jurisdiction spelled like LocationPrefixes
// spells it: words joined by one space.
func jurisdiction(s domain.Scope) string { return strings.Join(strings.Fields(s.Jurisdiction), " ") }

func sortedMarks(s domain.Scope) []string {
	m := slices.Clone(s.MarkIDs)
	slices.Sort(m)
	return slices.Compact(m)
}

// scopeKey identifies a scope in the token cache: the same marks in another
// order, or the same jurisdiction spaced differently, share a token. JSON
// keeps ids with separators in them from colliding.
func scopeKey(s domain.Scope) string {
	b, _ := json.Marshal(struct { // strings and a bool: cannot fail
		R bool
		M []string
		J string
	}{s.Restricted, sortedMarks(s), jurisdiction(s)})
	return string(b)
}

// tenantToken is a signed token and the ServiceManager that sends it.
type tenantToken struct {
	token   string
	keyUID  string // the parent key; a token of a forgotten key is not reused
	expires time.Time
	sm      ms.ServiceManager
}

// cached returns the token for scope key k unless it is near expiry or was
// signed by a key since forgotten.
func (ts *tenantState) cached(k string, now time.Time) (tenantToken, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t, ok := ts.tokens.m[k]
	if !ok || t.keyUID != ts.key.uid || !fresh(t, now) {
		return tenantToken{}, false
	}
	return t, true
}

func (ts *tenantState) store(k string, t tenantToken, now time.Time) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.tokens.put(k, t, now)
}

func fresh(t tenantToken, now time.Time) bool { return now.Before(t.expires.Add(-tenantTokenRefresh)) }

// tokenCache maps scope keys to tokens; tenantState.mu guards it.
type tokenCache struct {
	max int
	m   map[string]tenantToken
}

// put stores t, first dropping stale tokens when full and then, if still
// full, the one expiring soonest.
func (tc *tokenCache) put(k string, t tenantToken, now time.Time) {
	if _, ok := tc.m[k]; !ok && len(tc.m) >= tc.max {
		for ck, ct := range tc.m {
			if !fresh(ct, now) {
				delete(tc.m, ck)
			}
		}
		if len(tc.m) >= tc.max {
			var oldest string
			for ck, ct := range tc.m {
				if oldest == "" || ct.expires.Before(tc.m[oldest].expires) {
					oldest = ck
				}
			}
			delete(tc.m, oldest)
		}
	}
	tc.m[k] = t
}
