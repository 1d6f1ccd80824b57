package store

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// queueFixture stores five alerts that differ in every filtered column and
// returns the store and the first one's time. Item numbers are the URLs'
// last digit; item i was first (and last) seen at t0 + i minutes.
func queueFixture(t *testing.T) (*DB, time.Time) {
	t.Helper()
	clock := newClock()
	db := openTest(t, clock)
	items := []struct {
		mark, source, title, seller, location string
		price, score                          float64
	}{
		{"liugehetao", "demo", "六个核桃 核桃乳 240ml*20罐", "太行山货店", "河北 邢台", 59.9, 0.95},
		{"hengshui-laobaigan", "shop2", "衡水老白干 67度 500ml", "老白干专营", "河北 衡水", 39, 0.82},
		{"liugehetao", "shop2", "陆个核桃 核桃乳 整箱", "核桃小铺", "山东 济南", 0, 0.75},
		{"qianxi-banli", "demo", "迁西板栗 甘栗仁 500g", "太行山货店", "河北 石家庄", 25, 0.91},
		{"liugehetao", "demo", "六个核桃 精品型", "河北人家", "河北石家庄", 10, 0.72},
	}
	t0 := clock.Now().Add(time.Minute)
	for i, it := range items {
		clock.Advance(time.Minute)
		l := domain.Listing{SourceID: it.source, Platform: it.source, Title: it.title, Price: it.price, Seller: it.seller,
			Location: it.location, URL: fmt.Sprintf("https://item.example.cn/%d", i), Query: "核桃"}
		mustSave(t, db, l, domain.Match{MarkID: it.mark, Score: it.score, Alert: true,
			Reasons: []domain.Reason{{Tactic: "exact", Text: "含商标名称", Start: 0, End: 2}}})
	}
	return db, t0
}

func itemNumbers(alerts []domain.Alert) string {
	var b strings.Builder
	for _, a := range alerts {
		b.WriteString(a.URL[len(a.URL)-1:])
	}
	return b.String()
}

func TestQueryAlertsFilters(t *testing.T) {
	ctx := context.Background()
	db, t0 := queueFixture(t)
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) }
	own := domain.Scope{Restricted: true, MarkIDs: []string{"liugehetao"}}
	band := func(lo, hi float64) domain.ScoreRange { return domain.ScoreRange{Min: lo, Max: hi} }
	tests := []struct {
		name  string
		f     domain.AlertFilter
		items string // item numbers in order
	}{
		{"everything newest first", domain.AlertFilter{}, "43210"},
		{"sort newest is the default", domain.AlertFilter{Sort: domain.AlertSortNewest}, "43210"},
		{"one source", domain.AlertFilter{SourceIDs: []string{"shop2"}}, "21"},
		{"seller exactly", domain.AlertFilter{Sellers: []string{"太行山货店"}}, "30"},
		{"seller is not a prefix", domain.AlertFilter{Sellers: []string{"太行"}}, ""},
		{"province by whole word", domain.AlertFilter{Locations: []string{"河北"}}, "310"},
		{"city", domain.AlertFilter{Locations: []string{"河北 石家庄"}}, "3"},
		{"locations are alternatives", domain.AlertFilter{Locations: []string{"山东", "河北 衡水"}}, "21"},
		{"a blank location matches nothing", domain.AlertFilter{Locations: []string{" "}}, ""},
		{"top band", domain.AlertFilter{Scores: []domain.ScoreRange{band(0.9, 2)}}, "30"},
		{"two bands", domain.AlertFilter{Scores: []domain.ScoreRange{band(0.8, 0.9), band(0.7, 0.8)}}, "421"},
		{"from is inclusive", domain.AlertFilter{From: at(2)}, "432"},
		{"to is exclusive", domain.AlertFilter{To: at(2)}, "10"},
		{"from and to", domain.AlertFilter{From: at(1), To: at(3)}, "21"},
		{"marks are alternatives", domain.AlertFilter{MarkIDs: []string{"qianxi-banli", "hengshui-laobaigan"}}, "31"},
		{"mark and marks narrow each other", domain.AlertFilter{MarkID: "liugehetao", MarkIDs: []string{"qianxi-banli"}}, ""},
		{"sort by score", domain.AlertFilter{Sort: domain.AlertSortScore}, "03124"},
		{"sort by price, unknown last", domain.AlertFilter{Sort: domain.AlertSortPrice}, "43102"},
		{"filters narrow each other", domain.AlertFilter{SourceIDs: []string{"demo"}, Locations: []string{"河北"}, Sort: domain.AlertSortScore}, "03"},
		{"owner's scope and a seller", domain.AlertFilter{Scope: own, Sellers: []string{"太行山货店"}}, "0"},
		{"owner asking for another's mark", domain.AlertFilter{Scope: own, MarkIDs: []string{"hengshui-laobaigan"}}, ""},
		{"owner asking for another's source", domain.AlertFilter{Scope: own, SourceIDs: []string{"shop2"}}, "2"},
		{"jurisdiction and another province", domain.AlertFilter{Scope: domain.Scope{Jurisdiction: "山东"}, Locations: []string{"河北"}}, ""},
		{"jurisdiction within the province", domain.AlertFilter{Scope: domain.Scope{Jurisdiction: "河北"}, Locations: []string{"河北 石家庄"}}, "3"},
		{"injection-shaped seller", domain.AlertFilter{Sellers: []string{"x' OR '1'='1"}}, ""},
		{"injection-shaped location", domain.AlertFilter{Locations: []string{"%"}}, ""},
		{"page of a sorted list", domain.AlertFilter{Sort: domain.AlertSortScore, Limit: 2, Offset: 1}, "31"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			alerts, total, err := db.QueryAlerts(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := itemNumbers(alerts); got != tc.items {
				t.Errorf("items %q, want %q", got, tc.items)
			}
			if tc.f.Limit == 0 && total != len(tc.items) {
				t.Errorf("total %d, want %d", total, len(tc.items))
			}
			for _, a := range alerts {
				if !tc.f.Scope.Allows(a.MarkID, a.Location) {
					t.Errorf("scope %+v answered alert %d on %s at %q", tc.f.Scope, a.ID, a.MarkID, a.Location)
				}
			}
		})
	}
}

// TestQueryAlertsAgreesWithListAlerts: for the filters ListAlerts knows,
// the two answer the same pages.
func TestQueryAlertsAgreesWithListAlerts(t *testing.T) {
	ctx := context.Background()
	db, _ := queueFixture(t)
	if _, err := db.sql.Exec("UPDATE alerts SET status = 'dismissed' WHERE url LIKE '%/3'"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []domain.AlertFilter{
		{}, {MarkID: "liugehetao"}, {Status: domain.AlertOpen}, {Status: domain.AlertDismissed, Limit: 1},
		{Scope: domain.Scope{Restricted: true, MarkIDs: []string{"liugehetao"}, Jurisdiction: "河北"}}, {Offset: 2, Limit: 2},
	} {
		want, wantN, err := db.ListAlerts(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		got, gotN, err := db.QueryAlerts(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if itemNumbers(got) != itemNumbers(want) || gotN != wantN {
			t.Errorf("%+v: QueryAlerts %q (%d), ListAlerts %q (%d)", f, itemNumbers(got), gotN, itemNumbers(want), wantN)
		}
	}
}

func TestCountAlertStatuses(t *testing.T) {
	ctx := context.Background()
	db, _ := queueFixture(t)
	if _, err := db.sql.Exec("UPDATE alerts SET status = 'dismissed' WHERE url LIKE '%/0'"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.sql.Exec("UPDATE alerts SET status = 'confirmed' WHERE url LIKE '%/2'"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    domain.AlertFilter
		want string
	}{
		// The filter's own status is left out: the facet shows the others.
		{"Hebei, open asked for", domain.AlertFilter{Locations: []string{"河北"}, Status: domain.AlertOpen}, "open 2 confirmed 0 dismissed 1"},
		{"everything", domain.AlertFilter{}, "open 3 confirmed 1 dismissed 1"},
		{"owner's scope", domain.AlertFilter{Scope: domain.Scope{Restricted: true, MarkIDs: []string{"liugehetao"}}}, "open 1 confirmed 1 dismissed 1"},
		{"nothing matches", domain.AlertFilter{Sellers: []string{"没有这家店"}}, "open 0 confirmed 0 dismissed 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := db.CountAlertStatuses(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprintf("open %d confirmed %d dismissed %d", n[domain.AlertOpen], n[domain.AlertConfirmed], n[domain.AlertDismissed])
			if got != tc.want {
				t.Errorf("%s, want %s", got, tc.want)
			}
		})
	}
}

func TestQueryAlertsRefusesBadFilter(t *testing.T) {
	db := openTest(t, nil)
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range []domain.AlertFilter{
		{Sort: "cheapest"}, {Status: "closed"}, {Limit: -1}, {Limit: MaxPageSize + 1},
		{Scores: []domain.ScoreRange{{Min: 0.9, Max: 0.8}}}, {Scores: []domain.ScoreRange{{Min: math.NaN(), Max: 1}}},
		{From: now, To: now},
	} {
		if _, _, err := db.QueryAlerts(context.Background(), f); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("QueryAlerts(%+v) = %v, want EINVALID", f, err)
		}
	}
	if _, err := db.CountAlertStatuses(context.Background(), domain.AlertFilter{Sort: "cheapest"}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("CountAlertStatuses with a bad sort = %v, want EINVALID", err)
	}
}
