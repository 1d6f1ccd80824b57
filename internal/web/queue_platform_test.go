package web

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestQueueFiltersByPlatform: a platform selects every source of it (淘宝's
// search and its 天猫 shop pages), narrowed by a source when both are
// given; a platform no source has selects nothing, never everything.
func TestQueueFiltersByPlatform(t *testing.T) {
	platforms := map[string]string{"taobao-search": "taobao", "tmall-shop": "taobao", "jd": "jd"}
	for _, tc := range []struct {
		query string
		want  domain.AlertFilter
		shows []string
	}{
		{"?status=all&platform=taobao", domain.AlertFilter{SourceIDs: []string{"taobao-search", "tmall-shop"}},
			[]string{`<select name="platform">`, `<option value="taobao" selected>taobao</option>`}},
		{"?status=all&platform=taobao&source=tmall-shop", domain.AlertFilter{SourceIDs: []string{"tmall-shop"}}, nil},
		{"?status=all&platform=taobao&source=jd", domain.AlertFilter{SourceIDs: []string{}, ByHits: true}, nil},
		{"?status=all", domain.AlertFilter{}, []string{`<option value="" selected>全部平台 All platforms</option>`}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			h := newHarness(t, func(d *Deps) { d.Platforms = platforms })
			resp, body := h.get(t, "/"+tc.query)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			f := h.store.filter
			f.Scope, f.Limit, f.Offset = domain.Scope{}, 0, 0
			if tc.want.SourceIDs != nil && len(tc.want.SourceIDs) == 0 && len(f.SourceIDs) == 0 {
				f.SourceIDs = tc.want.SourceIDs // nil or empty: both select none with ByHits
			}
			if !reflect.DeepEqual(f, tc.want) {
				t.Errorf("store asked %+v\nwant %+v", f, tc.want)
			}
			for _, s := range tc.shows {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q", s)
				}
			}
		})
	}
}
