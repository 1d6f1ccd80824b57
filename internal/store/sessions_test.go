package store

import (
	"context"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestSessions(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openTest(t, clock)
	o := ownerUser(t, db)
	now := clock.Now()
	mustSession(t, db, o.ID, "h-live", now)
	got, err := db.GetSession(ctx, "h-live")
	if err != nil || got.UserID != o.ID || got.CSRFToken != "csrf-h-live" || !got.ExpiresAt.Equal(now.Add(12*time.Hour)) ||
		got.RemoteAddr != "198.51.100.7" {
		t.Fatalf("GetSession = %+v, %v", got, err)
	}
	if _, err := db.GetSession(ctx, "h-unknown"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("GetSession(unknown) = %v, want ENOTFOUND", err)
	}
	if err := db.CreateSession(ctx, domain.Session{TokenHash: "h-x", UserID: 999, ExpiresAt: now}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("CreateSession(unknown user) = %v, want ENOTFOUND", err)
	}
	if err := db.CreateSession(ctx, domain.Session{UserID: o.ID}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("CreateSession(no hash) = %v, want EINVALID", err)
	}

	// Touch moves last_seen forward only.
	later := now.Add(30 * time.Minute)
	if err := db.TouchSession(ctx, "h-live", later); err != nil {
		t.Fatal(err)
	}
	if err := db.TouchSession(ctx, "h-live", now); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.GetSession(ctx, "h-live"); !got.LastSeen.Equal(later) {
		t.Errorf("LastSeen = %v, want %v", got.LastSeen, later)
	}
	if err := db.TouchSession(ctx, "h-unknown", later); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("TouchSession(unknown) = %v, want ENOTFOUND", err)
	}

	// Expiry: idle (last_seen before idleBefore) or past the absolute end.
	mustSession(t, db, o.ID, "h-idle", now.Add(-2*time.Hour))
	if err := db.CreateSession(ctx, domain.Session{TokenHash: "h-old", UserID: o.ID, CreatedAt: now, LastSeen: later,
		ExpiresAt: now.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	n, err := db.DeleteExpiredSessions(ctx, now.Add(-time.Hour), now.Add(10*time.Minute))
	if err != nil || n != 2 {
		t.Errorf("DeleteExpiredSessions = %d, %v; want 2 (idle and expired)", n, err)
	}
	if _, err := db.GetSession(ctx, "h-live"); err != nil {
		t.Errorf("live session was deleted: %v", err)
	}
	if err := db.DeleteSession(ctx, "h-live"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSession(ctx, "h-live"); err != nil {
		t.Errorf("deleting twice = %v, want nil", err)
	}
	if _, err := db.GetSession(ctx, "h-live"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("after DeleteSession: %v", err)
	}
}
