package store

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestAppendAndListAudit(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openTest(t, clock)
	e, err := db.AppendAudit(ctx, domain.AuditEntry{
		Actor: adminActor, Action: domain.AuditSourcePause, Object: "source:taobao",
		Before: json.RawMessage(`{"paused":false}`), After: json.RawMessage(`{"paused":true}`), Note: "618 大促期间暂停",
	})
	if err != nil || e.ID == 0 || !e.At.Equal(clock.Now()) {
		t.Fatalf("AppendAudit = %+v, %v", e, err)
	}
	at := clock.Now().Add(-time.Hour)
	if _, err := db.AppendAudit(ctx, domain.AuditEntry{At: at, Actor: domain.SystemActor, Action: domain.AuditLogin, Object: "user:admin"}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []domain.AuditEntry{
		{Action: ""},
		{Action: "x", Before: json.RawMessage(`{not json`)},
		{Action: "x", Note: strings.Repeat("注", maxNoteRunes+1)},
	} {
		if _, err := db.AppendAudit(ctx, bad); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("AppendAudit(%+v) = %v, want EINVALID", bad, err)
		}
	}
	tests := []struct {
		name    string
		f       domain.AuditFilter
		actions []string
		total   int
	}{
		{"all newest first", domain.AuditFilter{}, []string{domain.AuditLogin, domain.AuditSourcePause}, 2},
		{"exact action", domain.AuditFilter{Action: domain.AuditSourcePause}, []string{domain.AuditSourcePause}, 1},
		{"family", domain.AuditFilter{Action: "session."}, []string{domain.AuditLogin}, 1},
		{"family without dot is exact", domain.AuditFilter{Action: "session"}, nil, 0},
		{"object", domain.AuditFilter{Object: "source:taobao"}, []string{domain.AuditSourcePause}, 1},
		{"page", domain.AuditFilter{Limit: 1, Offset: 1}, []string{domain.AuditSourcePause}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := db.ListAudit(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, e := range got {
				actions = append(actions, e.Action)
			}
			if strings.Join(actions, ",") != strings.Join(tc.actions, ",") || total != tc.total {
				t.Errorf("got %v total %d, want %v total %d", actions, total, tc.actions, tc.total)
			}
		})
	}
	got, _, _ := db.ListAudit(ctx, domain.AuditFilter{Action: domain.AuditSourcePause})
	if len(got) != 1 || got[0].Actor != adminActor || got[0].Note != "618 大促期间暂停" || string(got[0].After) != `{"paused":true}` {
		t.Errorf("read back %+v", got)
	}
	if _, _, err := db.ListAudit(ctx, domain.AuditFilter{Limit: -1}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("ListAudit(limit -1) = %v, want EINVALID", err)
	}
}

// TestAuditScopeShowsOnlyOwnMarks: an owner reading the log sees reviews
// and claims on its marks and nothing about other owners or accounts.
func TestAuditScopeShowsOnlyOwnMarks(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	ownerUser(t, db) // user.add, no mark
	mine := mustSave(t, db, liugeListing("https://item.taobao.com/item.htm?id=1", "河北 石家庄"), match(liugehetao, 0.9, true)).NewAlerts[0]
	theirs := mustSave(t, db, liugeListing("https://item.taobao.com/item.htm?id=2", "河北 邢台"), match(linchengGI, 0.9, true)).NewAlerts[0]
	for _, id := range []int64{mine.ID, theirs.ID} {
		if _, err := db.ReviewAlert(ctx, id, domain.Review{Status: domain.AlertConfirmed, Note: "移交执法"}, adminActor); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.CreateSellerClaim(ctx, domain.SellerClaim{MarkID: linchengGI, Seller: fakeShop, ClaimedBy: adminActor}); err != nil {
		t.Fatal(err)
	}
	own := domain.Scope{Restricted: true, MarkIDs: []string{liugehetao}}
	for _, f := range []domain.AuditFilter{
		{Scope: own},
		{Scope: own, Object: "alert:" + itoa(theirs.ID)},
		{Scope: own, Action: "seller."},
		{Scope: own, Action: domain.AuditUserAdd},
	} {
		entries, total, err := db.ListAudit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if total != len(entries) {
			t.Errorf("%+v: total %d for %d entries", f, total, len(entries))
		}
		for _, e := range entries {
			if e.MarkID != liugehetao {
				t.Errorf("%+v returned %s %s on mark %q", f, e.Action, e.Object, e.MarkID)
			}
		}
	}
	if entries, _, _ := db.ListAudit(ctx, domain.AuditFilter{Scope: own}); len(entries) != 1 || entries[0].Object != "alert:"+itoa(mine.ID) {
		t.Errorf("owner sees %+v, want only the review of its alert", entries)
	}
	if entries, total, _ := db.ListAudit(ctx, domain.AuditFilter{Scope: domain.Scope{Restricted: true}}); len(entries) != 0 || total != 0 {
		t.Errorf("restricted scope without marks sees %d entries", total)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
