package index_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	ms "github.com/meilisearch/meilisearch-go"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/index/indextest"
)

// Two registry owners and their marks.
const (
	markA = "liugehetao"         // 六个核桃, 河北养元智汇饮品股份有限公司
	markB = "hengshui-laobaigan" // 衡水老白干, 河北衡水老白干酒业股份有限公司
)

var (
	scopeA = domain.Scope{Restricted: true, MarkIDs: []string{markA}}
	scopeB = domain.Scope{Restricted: true, MarkIDs: []string{markB}}
)

func locatedHit(id int64, mark, title, loc string, alert bool) domain.Hit {
	h := hit(id, mark, title, alert)
	h.Location = loc
	return h
}

// ownersHits are both owners' hits in three places; hit 5 is B's but
// mentions 核桃, so a query for 核桃 alone would find it.
func ownersHits() []domain.Hit {
	return []domain.Hit{
		locatedHit(1, markA, "六个核桃 核桃乳 240ml*12罐", "河北 石家庄", true),
		locatedHit(2, markA, "六个核桃 精品型 礼盒装", "山东 临沂", false),
		locatedHit(3, markA, "六個核桃 高钙型", "河北 衡水", true),
		locatedHit(4, markB, "衡水老白干 67度 500ml", "河北 衡水", true),
		locatedHit(5, markB, "老白干 核桃酒 礼盒", "河北 石家庄", false),
		locatedHit(6, markB, "衡水老白干 42度 整箱", "山东 临沂", true),
	}
}

func startOwners(t *testing.T) (*index.Client, *index.Managed) {
	t.Helper()
	c, server := indextest.Start(t)
	if err := c.Upsert(context.Background(), ownersHits()); err != nil {
		t.Fatal(err)
	}
	return c, server
}

func wantIDs(t *testing.T, what string, res index.SearchResult, err error, want ...int64) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if want == nil {
		want = []int64{}
	}
	if got := ids(res.Hits); fmt.Sprint(got) != fmt.Sprint(want) || res.Total != len(want) {
		t.Errorf("%s = %v (total %d), want %v", what, got, res.Total, want)
	}
}

func TestSearchScopedOwnerSeesOnlyOwnMarks(t *testing.T) {
	ctx := context.Background()
	c, _ := startOwners(t)

	res, err := c.Search(ctx, "核桃", index.SearchFilter{})
	wantIDs(t, "unscoped control 核桃", res, err, 1, 2, 3, 5)

	tests := []struct {
		name  string
		q     string
		f     index.SearchFilter
		scope domain.Scope
		want  []int64
	}{
		{"A lists its hits", "", index.SearchFilter{}, scopeA, []int64{1, 2, 3}},
		{"A's query skips B's 核桃 hit", "核桃", index.SearchFilter{}, scopeA, []int64{1, 2, 3}},
		{"B's mark under A's scope", "", index.SearchFilter{MarkID: markB}, scopeA, nil},
		{"B's mark and query under A's scope", "老白干", index.SearchFilter{MarkID: markB}, scopeA, nil},
		{"request filter narrows further", "", index.SearchFilter{AlertOnly: true}, scopeA, []int64{1, 3}},
		{"B lists its hits", "", index.SearchFilter{}, scopeB, []int64{4, 5, 6}},
		{"both marks", "核桃", index.SearchFilter{}, domain.Scope{Restricted: true, MarkIDs: []string{markB, markA}}, []int64{1, 2, 3, 5}},
		{"unrestricted is plain search", "核桃", index.SearchFilter{}, domain.Unrestricted, []int64{1, 2, 3, 5}},
		{"restricted with no marks", "", index.SearchFilter{}, domain.Scope{Restricted: true}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := c.SearchScoped(ctx, tc.q, tc.f, tc.scope)
			wantIDs(t, fmt.Sprintf("SearchScoped(%q, %+v, %+v)", tc.q, tc.f, tc.scope), res, err, tc.want...)
		})
	}
	if _, err := c.SearchScoped(ctx, "", index.SearchFilter{Limit: -1}, scopeA); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("SearchScoped(limit -1) = %v, want EINVALID", err)
	}
}

// TestTenantTokenAloneKeepsOtherOwnersOut is defence in depth: the request
// filter is replaced by an empty or hostile one, and the token's search rule
// still keeps B's hits out of A's results.
func TestTenantTokenAloneKeepsOtherOwnersOut(t *testing.T) {
	ctx := context.Background()
	c, _ := startOwners(t)
	for _, filter := range []string{
		"",
		`mark_id = "` + markB + `"`,
		`mark_id = "` + markA + `" OR mark_id = "` + markB + `"`,
		"mark_id EXISTS",
		`location_prefixes = "河北"`,
	} {
		res, err := index.SearchTenantWithFilter(ctx, c, "", index.SearchFilter{}, scopeA, filter)
		var want []int64
		switch filter {
		case "", "mark_id EXISTS", `mark_id = "` + markA + `" OR mark_id = "` + markB + `"`:
			want = []int64{1, 2, 3}
		case `location_prefixes = "河北"`:
			want = []int64{1, 3}
		}
		wantIDs(t, fmt.Sprintf("A's token with request filter %q", filter), res, err, want...)
		res, err = index.SearchTenantWithFilter(ctx, c, "核桃", index.SearchFilter{}, scopeA, filter)
		wantIDs(t, fmt.Sprintf("A's token, 核桃, request filter %q", filter), res, err, want...)
	}
	// A jurisdiction token with no request filter still keeps 临沂 out.
	res, err := index.SearchTenantWithFilter(ctx, c, "", index.SearchFilter{}, domain.Scope{Jurisdiction: "河北 石家庄"}, "")
	wantIDs(t, "石家庄 token without a request filter", res, err, 1, 5)
}

func TestSearchScopedJurisdiction(t *testing.T) {
	ctx := context.Background()
	c, _ := startOwners(t)
	tests := []struct {
		scope domain.Scope
		want  []int64
	}{
		{domain.Scope{Jurisdiction: "河北"}, []int64{1, 3, 4, 5}},
		{domain.Scope{Jurisdiction: "河北 石家庄"}, []int64{1, 5}},
		{domain.Scope{Jurisdiction: "  河北 \t 石家庄 "}, []int64{1, 5}},
		{domain.Scope{Jurisdiction: "山东"}, []int64{2, 6}},
		{domain.Scope{Jurisdiction: "河"}, nil}, // a prefix of a word is not a jurisdiction
		{domain.Scope{Jurisdiction: "河北 衡水", Restricted: true, MarkIDs: []string{markA}}, []int64{3}},
		{domain.Scope{Jurisdiction: "河北", Restricted: true, MarkIDs: []string{markB}}, []int64{4, 5}},
	}
	for _, tc := range tests {
		res, err := c.SearchScoped(ctx, "", index.SearchFilter{}, tc.scope)
		wantIDs(t, fmt.Sprintf("SearchScoped(%+v)", tc.scope), res, err, tc.want...)
		for _, h := range res.Hits {
			if !tc.scope.Allows(h.MarkID, h.Location) {
				t.Errorf("scope %+v returned hit %d (%s, %s) that domain.Scope.Allows refuses", tc.scope, h.ID, h.MarkID, h.Location)
			}
		}
	}
}

// TestReindexCarriesLocationPrefixes: the rebuild path writes documents the
// jurisdiction rule can match, like Upsert does.
func TestReindexCarriesLocationPrefixes(t *testing.T) {
	ctx := context.Background()
	c, _ := indextest.Start(t)
	if _, err := index.Reindex(ctx, c, hitList(ownersHits())); err != nil {
		t.Fatal(err)
	}
	res, err := c.SearchScoped(ctx, "", index.SearchFilter{}, domain.Scope{Jurisdiction: "河北 衡水"})
	wantIDs(t, "衡水 after Reindex", res, err, 3, 4)
	res, err = c.SearchScoped(ctx, "", index.SearchFilter{}, scopeB)
	wantIDs(t, "B after Reindex", res, err, 4, 5, 6)
}

type hitList []domain.Hit

func (l hitList) AllHits(_ context.Context, fn func(domain.Hit) error) error {
	for _, h := range l {
		if err := fn(h); err != nil {
			return err
		}
	}
	return nil
}

// TestSearchScopedHostileMarkIDs runs quoting against the real filter
// parser: ids with quotes and backslashes match exactly their documents.
func TestSearchScopedHostileMarkIDs(t *testing.T) {
	ctx := context.Background()
	c, _ := startOwners(t)
	if err := c.Upsert(ctx, []domain.Hit{
		locatedHit(7, `a"b`, "核桃 甲", "河北 石家庄", false),
		locatedHit(8, `a\`, "核桃 乙", "河北 石家庄", false),
		locatedHit(9, `a\\`, "核桃 丙", "河北 石家庄", false),
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		marks []string
		want  []int64
	}{
		{[]string{`a"b`}, []int64{7}},
		{[]string{`a\`}, []int64{8}},
		{[]string{`a\\`}, []int64{9}},
		{[]string{`" OR mark_id EXISTS`}, nil},
		{[]string{`x" OR mark_id != "y`}, nil},
		{[]string{`] OR mark_id EXISTS OR mark_id IN [`}, nil},
		{[]string{`", "` + markB}, nil},
		{[]string{`\" OR mark_id EXISTS OR "`}, nil},
		{[]string{markA + `" OR "1" = "1`, markA}, []int64{1, 2, 3}},
	}
	for _, tc := range tests {
		res, err := c.SearchScoped(ctx, "", index.SearchFilter{}, domain.Scope{Restricted: true, MarkIDs: tc.marks})
		wantIDs(t, fmt.Sprintf("scope of marks %q", tc.marks), res, err, tc.want...)
	}
}

// TestTenantTokenIsBoundToItsIndexAndRules decodes a token and uses it where
// it must not work: on another index of the same server.
func TestTenantTokenIsBoundToItsIndexAndRules(t *testing.T) {
	ctx := context.Background()
	c, server := startOwners(t)
	other, _ := indextest.Start(t)
	if err := other.Upsert(ctx, ownersHits()); err != nil {
		t.Fatal(err)
	}
	tok, err := index.TenantToken(ctx, c, scopeA)
	if err != nil {
		t.Fatal(err)
	}
	again, err := index.TenantToken(ctx, c, domain.Scope{Restricted: true, MarkIDs: []string{markA, markA}})
	if err != nil || again != tok {
		t.Errorf("the same scope minted a new token (%v): the cache is not reused", err)
	}
	if b, err := index.TenantToken(ctx, c, scopeB); err != nil || b == tok {
		t.Errorf("B's scope got A's token (%v)", err)
	}

	claims := jwtClaims(t, tok)
	rules, _ := claims["searchRules"].(map[string]any)
	if len(rules) != 1 {
		t.Errorf("searchRules = %v, want a rule for %s only", claims["searchRules"], c.IndexName())
	}
	rule, _ := rules[c.IndexName()].(map[string]any)
	if rule["filter"] != index.ScopeFilter(scopeA) {
		t.Errorf("rule for %s = %v, want filter %s", c.IndexName(), rule, index.ScopeFilter(scopeA))
	}
	exp, _ := claims["exp"].(float64)
	if d := time.Until(time.Unix(int64(exp), 0)); d <= 0 || d > index.TenantTokenTTL {
		t.Errorf("token expires in %s, want within %s", d, index.TenantTokenTTL)
	}
	admin := ms.New(server.URL(), ms.WithAPIKey(server.Key()))
	parent, err := admin.GetKey(ctx, claims["apiKeyUid"].(string))
	if err != nil {
		t.Fatalf("looking up the token's parent key: %v", err)
	}
	if fmt.Sprint(parent.Actions) != "[search]" || fmt.Sprint(parent.Indexes) != "["+c.IndexName()+"]" || parent.Name != "markwatch-tenant-search" {
		t.Errorf("parent key = %+v, want a search-only key on %s", parent, c.IndexName())
	}

	bearer := ms.New(server.URL(), ms.WithAPIKey(tok))
	req := &ms.SearchRequest{Limit: 20}
	resp, err := bearer.Index(c.IndexName()).Search(ctx, "", req)
	if err != nil || resp.EstimatedTotalHits != 3 {
		t.Fatalf("A's token on its own index: %v hits, %v; want 3", resp, err)
	}
	_, err = bearer.Index(other.IndexName()).Search(ctx, "", req)
	if !refused(err) {
		t.Errorf("A's token on index %s: %v, want a refusal", other.IndexName(), err)
	}
	if _, err := bearer.GetKeys(ctx, nil); !refused(err) {
		t.Errorf("A's token listing keys: %v, want a refusal", err)
	}
	if _, err := bearer.Index(c.IndexName()).DeleteAllDocuments(ctx, nil); !refused(err) {
		t.Errorf("A's token deleting documents: %v, want a refusal", err)
	}
}

// TestExpiredTenantTokenIsRefused mints a token through the normal path
// with a clock set so it expires two seconds from now, waits, and shows
// Meilisearch refuses it; SearchScoped then recovers with a fresh token.
func TestExpiredTenantTokenIsRefused(t *testing.T) {
	ctx := context.Background()
	c, server := startOwners(t)
	lag := index.TenantTokenTTL - 2*time.Second
	late, err := index.NewClient(server.URL(), server.Key(), index.ClientOptions{
		IndexName: c.IndexName(),
		Now:       func() time.Time { return time.Now().Add(-lag) },
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := index.TenantToken(ctx, late, scopeA)
	if err != nil {
		t.Fatal(err)
	}
	bearer := ms.New(server.URL(), ms.WithAPIKey(tok))
	if _, err := bearer.Index(c.IndexName()).Search(ctx, "", &ms.SearchRequest{}); err != nil {
		t.Fatalf("the token before it expired: %v", err)
	}
	time.Sleep(time.Until(time.Unix(int64(jwtClaims(t, tok)["exp"].(float64)), 0)) + 1500*time.Millisecond)
	_, err = bearer.Index(c.IndexName()).Search(ctx, "", &ms.SearchRequest{})
	if !refused(err) {
		t.Fatalf("the token after it expired: %v, want a refusal", err)
	}
	t.Logf("Meilisearch on an expired token: %v", err)
	// The late clock still thinks the cached token fresh; the refusal makes
	// SearchScoped drop it and retry once with a new one.
	res, err := late.SearchScoped(ctx, "", index.SearchFilter{}, scopeA)
	wantIDs(t, "SearchScoped after its cached token expired", res, err, 1, 2, 3)
	if again, _ := index.TenantToken(ctx, late, scopeA); again == tok {
		t.Error("the expired token is still cached")
	}
}

// TestSearchScopedFailsClosedWithoutAdminKey: a client whose key cannot
// manage API keys gets EUNAVAILABLE naming the fix, never unscoped hits.
func TestSearchScopedFailsClosedWithoutAdminKey(t *testing.T) {
	ctx := context.Background()
	c, server := startOwners(t)
	admin := ms.New(server.URL(), ms.WithAPIKey(server.Key()))
	for name, actions := range map[string][]string{
		"search only":           {"search"},
		"settings and indexing": {"search", "indexes.get", "indexes.create", "settings.update", "settings.get", "tasks.get", "documents.add"},
	} {
		t.Run(name, func(t *testing.T) {
			k, err := admin.CreateKey(ctx, &ms.Key{Name: "test " + name, Actions: actions, Indexes: []string{c.IndexName()}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _, _ = admin.DeleteKey(context.Background(), k.UID) })
			limited, err := index.NewClient(server.URL(), k.Key, index.ClientOptions{IndexName: c.IndexName()})
			if err != nil {
				t.Fatal(err)
			}
			if name == "settings and indexing" {
				if err := limited.ApplySettings(ctx); err != nil {
					t.Errorf("ApplySettings with a key that may not manage keys: %v, want success", err)
				}
			}
			if res, err := limited.Search(ctx, "", index.SearchFilter{}); err != nil || res.Total != 6 {
				t.Fatalf("unscoped control with the limited key: %d hits, %v", res.Total, err)
			}
			for _, scope := range []domain.Scope{scopeA, {Jurisdiction: "河北"}} {
				res, err := limited.SearchScoped(ctx, "", index.SearchFilter{}, scope)
				if domain.ErrorCode(err) != domain.EUNAVAILABLE || !strings.Contains(err.Error(), "admin key") || len(res.Hits) != 0 {
					t.Errorf("SearchScoped(%+v) with a %s key = %d hits, %v; want EUNAVAILABLE asking for an admin key", scope, name, len(res.Hits), err)
				}
			}
		})
	}
}

func TestSearchScopedWithNoMarksAsksNothing(t *testing.T) {
	// Nothing listens here: an answer proves no request was made.
	c, err := index.NewClient("http://127.0.0.1:1", "key", index.ClientOptions{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.SearchScoped(context.Background(), "核桃", index.SearchFilter{}, domain.Scope{Restricted: true, Jurisdiction: "河北"})
	if err != nil || res.Hits == nil || len(res.Hits) != 0 || res.Total != 0 {
		t.Errorf("SearchScoped(no marks) = %+v, %v; want an empty result", res, err)
	}
	_, err = c.SearchScoped(context.Background(), "核桃", index.SearchFilter{}, scopeA)
	if domain.ErrorCode(err) != domain.EUNAVAILABLE {
		t.Errorf("SearchScoped on a dead server = %v, want EUNAVAILABLE", err)
	}
}

func refused(err error) bool {
	var me *ms.Error
	return errors.As(err, &me) && (me.StatusCode == 401 || me.StatusCode == 403)
}

func jwtClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWT", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("decoding token claims: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatalf("decoding token claims: %v", err)
	}
	return claims
}

// TestSearchScopedManyMarks: the marks travel in the token, in a request
// header. A large owner's fit; a token past Meilisearch's header limit is
// not sent (the server may drop the connection rather than answer 431) and
// the search fails closed saying why.
func TestSearchScopedManyMarks(t *testing.T) {
	ctx := context.Background()
	c, _ := startOwners(t)
	scope := func(n int) domain.Scope {
		s := domain.Scope{Restricted: true, MarkIDs: []string{markA}}
		for i := range n {
			s.MarkIDs = append(s.MarkIDs, fmt.Sprintf("some-owner-mark-%06d", i))
		}
		return s
	}
	res, err := c.SearchScoped(ctx, "", index.SearchFilter{}, scope(2000))
	wantIDs(t, "an owner with 2001 marks", res, err, 1, 2, 3)
	res, err = c.SearchScoped(ctx, "", index.SearchFilter{}, scope(10000))
	if domain.ErrorCode(err) != domain.EUNAVAILABLE || !strings.Contains(err.Error(), "too large") || len(res.Hits) != 0 {
		t.Errorf("an owner with 10001 marks: %d hits, %v; want EUNAVAILABLE saying the token is too large", len(res.Hits), err)
	}
}
