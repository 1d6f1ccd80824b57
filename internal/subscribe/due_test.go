package subscribe

import (
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// cst is a time in Asia/Shanghai, written as a Chinese supervisor reads it.
func cst(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04:05", s, shanghai())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDueAt(t *testing.T) {
	// 2026-12-05 is a Saturday, 2026-12-06 a Sunday.
	tests := []struct {
		name    string
		mode    domain.DeliveryMode
		time    string
		weekday int
		at      string
		want    string
	}{
		{"immediate is the event's time", domain.DeliverImmediate, "09:00", 0, "2026-12-01 03:04:05", "2026-12-01 03:04:05"},
		{"empty mode is immediate", "", "", 0, "2026-12-01 03:04:05", "2026-12-01 03:04:05"},
		{"daily later today", domain.DeliverDaily, "09:00", 0, "2026-12-01 08:59:59", "2026-12-01 09:00:00"},
		{"daily at the time sharp waits a day", domain.DeliverDaily, "09:00", 0, "2026-12-01 09:00:00", "2026-12-02 09:00:00"},
		{"daily after the time", domain.DeliverDaily, "09:00", 0, "2026-12-01 17:30:00", "2026-12-02 09:00:00"},
		{"daily across midnight", domain.DeliverDaily, "00:30", 0, "2026-12-01 23:59:00", "2026-12-02 00:30:00"},
		{"daily just after midnight", domain.DeliverDaily, "00:00", 0, "2026-12-01 00:00:01", "2026-12-02 00:00:00"},
		{"daily across the year", domain.DeliverDaily, "08:00", 0, "2026-12-31 22:00:00", "2027-01-01 08:00:00"},
		{"daily default time", domain.DeliverDaily, "", 0, "2026-12-01 10:00:00", "2026-12-02 09:00:00"},
		{"daily unreadable time falls back", domain.DeliverDaily, "9点", 0, "2026-12-01 08:00:00", "2026-12-01 09:00:00"},
		{"weekly Monday from Saturday", domain.DeliverWeekly, "09:00", 1, "2026-12-05 12:00:00", "2026-12-07 09:00:00"},
		{"weekly same day before the time", domain.DeliverWeekly, "18:00", 6, "2026-12-05 12:00:00", "2026-12-05 18:00:00"},
		{"weekly same day after the time waits a week", domain.DeliverWeekly, "09:00", 6, "2026-12-05 12:00:00", "2026-12-12 09:00:00"},
		{"weekly Sunday from Saturday night across midnight", domain.DeliverWeekly, "00:15", 0, "2026-12-05 23:50:00", "2026-12-06 00:15:00"},
		{"weekly across the year", domain.DeliverWeekly, "09:00", 5, "2026-12-31 10:00:00", "2027-01-01 09:00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := domain.Subscription{Mode: tt.mode, DigestTime: tt.time, DigestWeekday: tt.weekday}
			// The event's instant in UTC: the zone of `at` must not matter.
			got := DueAt(s, cst(t, tt.at).UTC(), nil)
			if want := cst(t, tt.want); !got.Equal(want) {
				t.Errorf("DueAt = %s, want %s", got.In(shanghai()), want)
			}
		})
	}
}

// TestDueAtUTCEvening: 17:00 UTC is already 01:00 the next day in Shanghai,
// so a 09:00 digest is that morning, not the UTC date's.
func TestDueAtUTCEvening(t *testing.T) {
	at := time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC)
	got := DueAt(domain.Subscription{Mode: domain.DeliverDaily, DigestTime: "09:00"}, at, nil)
	if want := time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("DueAt = %s, want %s (09:00 CST on 2 Dec)", got.UTC(), want)
	}
}

func TestDueAtTZDatabaseAgrees(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skipf("no tz database: %v", err)
	}
	s := domain.Subscription{Mode: domain.DeliverWeekly, DigestTime: "07:45", DigestWeekday: 3}
	for at := cst(t, "2026-01-01 00:00:00"); at.Year() == 2026; at = at.Add(37 * time.Hour) {
		if a, b := DueAt(s, at, loc), DueAt(s, at, nil); !a.Equal(b) {
			t.Fatalf("at %s: Asia/Shanghai gives %s, the fixed zone %s", at, a, b)
		}
	}
}

func TestParseDigestTime(t *testing.T) {
	for _, ok := range []string{"00:00", "09:05", "23:59"} {
		if _, _, err := ParseDigestTime(ok); err != nil {
			t.Errorf("ParseDigestTime(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "9:00", "24:00", "12:60", "1200", "12:0a", "１２:００", "12:00:00"} {
		if _, _, err := ParseDigestTime(bad); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("ParseDigestTime(%q) = %v, want EINVALID", bad, err)
		}
	}
}
