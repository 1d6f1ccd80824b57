package web

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
)

// TestQueueFilterAndSort: each filter reaches the store, the form shows
// it back, the pages keep it, and the exports carry the same query.
func TestQueueFilterAndSort(t *testing.T) {
	beijing := time.FixedZone("CST", 8*60*60)
	tests := []struct {
		query string
		want  domain.AlertFilter // without scope and page
		shows []string
		hides []string
	}{
		{"?status=all&seller=某某食品专营店", domain.AlertFilter{Sellers: []string{"某某食品专营店"}},
			[]string{"· #1</div>", `name="seller" value="某某食品专营店"`}, []string{"· #2</div>", "· #3</div>"}},
		{"?status=all&location=山东", domain.AlertFilter{Locations: []string{"山东"}},
			[]string{"· #1</div>", "· #3</div>", `name="location" value="山东"`}, []string{"· #2</div>"}},
		{"?status=all&location=%20河南%20%20%20郑州%20", domain.AlertFilter{Locations: []string{"河南 郑州"}},
			[]string{"· #2</div>"}, []string{"· #1</div>"}},
		{"?status=all&score=80-90", domain.AlertFilter{Scores: []domain.ScoreRange{{Min: 0.8, Max: 0.9}}},
			[]string{"· #2</div>", "· #3</div>", `<option value="80-90" selected>`}, []string{"· #1</div>"}},
		{"?source=demo", domain.AlertFilter{Status: domain.AlertOpen, SourceIDs: []string{"demo"}},
			[]string{`<option value="demo" selected>demo</option>`}, nil},
		{"?status=all&from=2026-11-25&to=2026-11-25",
			domain.AlertFilter{From: time.Date(2026, 11, 25, 0, 0, 0, 0, beijing), To: time.Date(2026, 11, 26, 0, 0, 0, 0, beijing)},
			[]string{"· #2</div>", `name="from" value="2026-11-25"`}, []string{"· #4</div>"}},
		{"?status=all&sort=score", domain.AlertFilter{Sort: domain.AlertSortScore},
			[]string{`<option value="score" selected>`}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			h := newHarness(t, nil)
			resp, body := h.get(t, "/"+tc.query)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			f := h.store.filter
			f.Scope, f.Limit, f.Offset = domain.Scope{}, 0, 0
			if !reflect.DeepEqual(f, tc.want) || !f.From.Equal(tc.want.From) {
				t.Errorf("store asked %+v\nwant %+v", f, tc.want)
			}
			for _, s := range tc.shows {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			for _, s := range tc.hides {
				if strings.Contains(body, s) {
					t.Errorf("page shows %q", s)
				}
			}
		})
	}
}

func TestQueueSortedByScore(t *testing.T) {
	h := newHarness(t, nil)
	_, body := h.get(t, "/?status=all&sort=score")
	// 0.93, 0.9, 0.88, 0.81
	order := []string{"· #1</div>", "· #4</div>", "· #2</div>", "· #3</div>"}
	last := -1
	for _, s := range order {
		i := strings.Index(body, s)
		if i < last {
			t.Errorf("%q at %d comes before the higher-scored one at %d", s, i, last)
		}
		last = i
	}
}

// TestQueueKeepsFilterInLinks: pages, status counts and the exports are
// the same filter.
func TestQueueKeepsFilterInLinks(t *testing.T) {
	h := newHarness(t, func(d *Deps) { d.PageSize = 1 })
	_, body := h.get(t, "/?status=all&location=山东&sort=score")
	for _, want := range []string{
		// page 2, same filter, readable order
		`href="/?location=%E5%B1%B1%E4%B8%9C&amp;sort=score&amp;status=all&amp;page=2"`,
		// exports of every page of it; status=all is no status
		`id="export" href="/api/v1/alerts/export.csv?location=%E5%B1%B1%E4%B8%9C&amp;sort=score"`,
		`id="export-xlsx" href="/api/v1/alerts/export.xlsx?location=%E5%B1%B1%E4%B8%9C&amp;sort=score"`,
		// the counts under the same filter, each a link to its status
		`<a href="/?location=%E5%B1%B1%E4%B8%9C&amp;sort=score&amp;status=open">待审核 2</a>`,
		`<a href="/?location=%E5%B1%B1%E4%B8%9C&amp;sort=score&amp;status=confirmed">已确认侵权 0</a>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("queue lacks %s", want)
		}
	}
	if c := h.store.counted; !reflect.DeepEqual(c.Locations, []string{"山东"}) || c.Scope.Restricted {
		t.Errorf("counted with %+v, want the queue's filter", c)
	}
}

// TestQueueCountsInScope: an owner's status counts are of its own marks.
func TestQueueCountsInScope(t *testing.T) {
	h := newHarness(t, nil)
	h.signIn(ownerA)
	_, body := h.get(t, "/?status=all")
	for _, want := range []string{">待审核 1<", ">已确认侵权 0<", ">已驳回 1<"} {
		if !strings.Contains(body, want) {
			t.Errorf("owner A's queue lacks %s", want)
		}
	}
	if !h.store.counted.Scope.Restricted {
		t.Errorf("counted without the owner's scope: %+v", h.store.counted)
	}
}

func TestQueueRefusesBadFilters(t *testing.T) {
	tests := []struct{ query, says string }{
		{"?score=95-100", "must be 90-100, 80-90, 70-80 or 0-70"},
		{"?sort=cheapest", "must be newest, score or price"},
		{"?from=2026-13-01", "a day like 2026-03-01"},
		{"?from=2026-03-05&to=2026-03-01", "from must not come after to"},
		{"?seller=" + strings.Repeat("店", 101), "at most 100"},
		{"?location=" + strings.Repeat("河北", 40), "at most 64"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			h := newHarness(t, nil)
			resp, body := h.get(t, "/"+tt.query)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tt.says) {
				t.Errorf("status %d, want 400 saying %q; body:\n%s", resp.StatusCode, tt.says, body)
			}
		})
	}
}

// TestQueueScoreBandsAgreeWithIndex: the queue's bands are the API's and
// the index's, so a band chosen here means the same in the export.
func TestQueueScoreBandsAgreeWithIndex(t *testing.T) {
	bands := index.ScoreBands()
	if len(bands) != len(queueScoreBands) {
		t.Fatalf("index has %d bands, the queue %d", len(bands), len(queueScoreBands))
	}
	for i, b := range bands {
		if q := queueScoreBands[i]; q.name != b.Name || q.score != (domain.ScoreRange{Min: b.Lo, Max: b.Hi}) {
			t.Errorf("band %d: queue %+v, index %+v", i, q, b)
		}
	}
}
