package index

import (
	"context"
	"net/http"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// Hooks for package index_test into the tenant-token path; they exist only in
// the test binary.

// TenantTokenTTL is how long a minted tenant token lives.
const TenantTokenTTL = tenantTokenTTL

// ScopeFilter is the search-rule filter a tenant token for scope carries.
func ScopeFilter(scope domain.Scope) string { return scopeFilter(scope) }

// TenantToken returns the token SearchScoped would send for scope.
func TenantToken(ctx context.Context, c *Client, scope domain.Scope) (string, error) {
	t, err := c.tenantToken(ctx, scope)
	return t.token, err
}

// SearchTenantWithFilter runs the tenant-token search of scope with filter as
// the whole request filter, in place of the one SearchScoped builds: tests
// pass a wrong one to show the token alone keeps other owners' hits out.
func SearchTenantWithFilter(ctx context.Context, c *Client, q string, f SearchFilter, scope domain.Scope, filter string) (SearchResult, error) {
	return c.searchTenant(ctx, q, f, scope, filter)
}

// Documents are hits as the Indexer and Reindex send them to Meilisearch, so
// a raw-ingestion baseline sends the very same documents.
func Documents(c *Client, hits []domain.Hit) (any, error) { return c.toDocuments(hits) }

// UsePlainTransport puts c on a plain pooled transport with the same
// settings and no connection retiring: the baseline of BenchmarkTransport.
func UsePlainTransport(c *Client) {
	c.hc.Transport = &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 16, IdleConnTimeout: 90 * time.Second}
}
