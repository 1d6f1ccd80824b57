package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestListAlerts(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openTest(t, clock)
	for i := range 5 {
		clock.Advance(time.Minute)
		mark := "lincheng-walnut"
		if i%2 == 1 {
			mark = "hengshui-laobaigan"
		}
		mustSave(t, db, walnut(fmt.Sprintf("https://demo.local/item/%d", i)), match(mark, 0.9, true))
	}
	if _, err := db.sql.Exec("UPDATE alerts SET status = 'dismissed' WHERE url LIKE '%/4'"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		filter    domain.AlertFilter
		wantURLs  []string // item numbers, newest first
		wantTotal int
	}{
		{"all newest first", domain.AlertFilter{}, []string{"4", "3", "2", "1", "0"}, 5},
		{"by mark", domain.AlertFilter{MarkID: "hengshui-laobaigan"}, []string{"3", "1"}, 2},
		{"by status", domain.AlertFilter{Status: domain.AlertOpen}, []string{"3", "2", "1", "0"}, 4},
		{"mark and status", domain.AlertFilter{MarkID: "lincheng-walnut", Status: domain.AlertDismissed}, []string{"4"}, 1},
		{"page", domain.AlertFilter{Limit: 2, Offset: 1}, []string{"3", "2"}, 5},
		{"past the end", domain.AlertFilter{Offset: 10}, []string{}, 5},
		{"unknown mark", domain.AlertFilter{MarkID: "nope"}, []string{}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			alerts, total, err := db.ListAlerts(ctx, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, a := range alerts {
				got = append(got, a.URL[len(a.URL)-1:])
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.wantURLs) || total != tc.wantTotal {
				t.Errorf("got %v total %d, want %v total %d", got, total, tc.wantURLs, tc.wantTotal)
			}
		})
	}
}

func TestListAlertsRejectsBadFilter(t *testing.T) {
	db := openTest(t, nil)
	for _, f := range []domain.AlertFilter{
		{Status: "closed"}, {Limit: -1}, {Offset: -1}, {Limit: MaxPageSize + 1},
	} {
		if _, _, err := db.ListAlerts(context.Background(), f); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("ListAlerts(%+v) = %v, want EINVALID", f, err)
		}
	}
}

func TestGetAlert(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	res := mustSave(t, db, walnut("https://demo.local/item/9"), match("lincheng-walnut", 0.9, true))
	want := res.NewAlerts[0]
	got, err := db.GetAlert(ctx, want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("GetAlert = %+v\nwant %+v", got, want)
	}
	if _, err := db.GetAlert(ctx, want.ID+100); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("GetAlert(missing) = %v, want ENOTFOUND", err)
	}
}

func TestSetAlertStatusSurvivesResighting(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openTest(t, clock)
	l := walnut("https://demo.local/item/status")
	id := mustSave(t, db, l, match("lincheng-walnut", 0.9, true)).NewAlerts[0].ID
	tests := []struct {
		status domain.AlertStatus
		code   string
	}{
		{domain.AlertConfirmed, ""},
		{domain.AlertDismissed, ""},
		{domain.AlertOpen, ""},
		{"closed", domain.EINVALID},
		{"", domain.EINVALID},
	}
	for _, tc := range tests {
		a, err := db.SetAlertStatus(ctx, id, tc.status)
		if domain.ErrorCode(err) != tc.code {
			t.Fatalf("SetAlertStatus(%q) = %v, want code %q", tc.status, err, tc.code)
		}
		if err == nil && a.Status != tc.status {
			t.Errorf("SetAlertStatus(%q) returned status %q", tc.status, a.Status)
		}
	}
	if _, err := db.SetAlertStatus(ctx, id+1, domain.AlertConfirmed); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("SetAlertStatus(missing) = %v, want ENOTFOUND", err)
	}
	if _, err := db.SetAlertStatus(ctx, id, domain.AlertDismissed); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	mustSave(t, db, l, match("lincheng-walnut", 0.99, true))
	a, err := db.GetAlert(ctx, id)
	if err != nil || a.Status != domain.AlertDismissed || a.Score != 0.99 {
		t.Errorf("after re-sighting: %+v, %v; want still dismissed with the higher score", a, err)
	}
}
