package store

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

var supervisorActor = domain.Actor{UserID: 7, Name: "shijiazhuang-amr", Role: domain.RoleSupervisor, Via: "session", RemoteAddr: "198.51.100.4"}

// caseFixture holds confirmed and open alerts on 六个核桃 and 衡水老白干.
type caseFixture struct {
	db    *DB
	clock *fakeClock
	// liuge: confirmed, 某某食品专营店 in 河北 石家庄 (a, b), another shop (c),
	// open (open); laobai: confirmed, 山东 临沂.
	a, b, c, open, laobai domain.Alert
}

func newCaseFixture(t *testing.T) *caseFixture {
	t.Helper()
	clock := newClock()
	// 23:59 on New Year's Eve in Shanghai, 15:59 UTC.
	clock.t = time.Date(2026, 12, 31, 15, 59, 0, 0, time.UTC)
	db := openEvidence(t, clock, testRecordHash)
	f := &caseFixture{db: db, clock: clock}
	f.a = newAlert(t, db, liuge("https://item.taobao.com/item.htm?id=9001"), liugehetao, nil)
	f.b = newAlert(t, db, liuge("https://item.taobao.com/item.htm?id=9002"), liugehetao, nil)
	other := liuge("https://item.taobao.com/item.htm?id=9003")
	other.Seller = "石家庄特产小店"
	f.c = newAlert(t, db, other, liugehetao, nil)
	f.open = newAlert(t, db, liuge("https://item.taobao.com/item.htm?id=9004"), liugehetao, nil)
	f.laobai = newAlert(t, db, laobaiganListing("https://item.jd.com/9005.html", shandongLY), laobaigan, nil)
	for _, a := range []domain.Alert{f.a, f.b, f.c, f.laobai} {
		confirm(t, db, a.ID)
	}
	return f
}

func (f *caseFixture) create(t *testing.T, title, jurisdiction string, ids ...int64) domain.Case {
	t.Helper()
	c, err := f.db.CreateCase(context.Background(), domain.Case{Title: title, Jurisdiction: jurisdiction, AlertIDs: ids}, supervisorActor)
	if err != nil {
		t.Fatalf("CreateCase(%s): %v", title, err)
	}
	return c
}

func TestCaseLifecycle(t *testing.T) {
	ctx := context.Background()
	f := newCaseFixture(t)
	db := f.db
	audits := 0 // case.* audit rows every successful change must leave

	c1 := f.create(t, "某某食品专营店 仿冒六个核桃", "河北  石家庄", f.a.ID, f.a.ID)
	audits++
	if c1.Number != "MW-2026-0001" || c1.MarkID != liugehetao || c1.Status != domain.CaseOpen || c1.Jurisdiction != hebeiSJZ ||
		!slices.Equal(c1.AlertIDs, []int64{f.a.ID}) || c1.CreatedBy != supervisorActor || !c1.CreatedAt.Equal(f.clock.Now()) {
		t.Errorf("first case = %+v", c1)
	}
	got, err := db.GetCase(ctx, c1.ID)
	if err != nil || got.Number != c1.Number || !slices.Equal(got.AlertIDs, c1.AlertIDs) || got.CreatedBy != supervisorActor {
		t.Errorf("GetCase = %+v, %v; want %+v", got, err, c1)
	}
	_, err = db.GetCase(ctx, 999)
	wantCode(t, err, domain.ENOTFOUND)

	// Refusals, each naming the alert or case at fault, write nothing.
	for _, tc := range []struct {
		name  string
		c     domain.Case
		code  string
		names string
	}{
		{"not confirmed", domain.Case{AlertIDs: []int64{f.b.ID, f.open.ID}}, domain.EINVALID, "alert " + itoa(f.open.ID) + " is open, not confirmed"},
		{"another mark", domain.Case{AlertIDs: []int64{f.b.ID, f.laobai.ID}}, domain.EINVALID, "alert " + itoa(f.laobai.ID) + " is on mark " + laobaigan},
		{"mark given, alerts on another", domain.Case{MarkID: laobaigan, AlertIDs: []int64{f.b.ID}}, domain.EINVALID, "alert " + itoa(f.b.ID) + " is on mark " + liugehetao},
		{"already in an open case", domain.Case{AlertIDs: []int64{f.b.ID, f.a.ID}}, domain.ECONFLICT, "alert " + itoa(f.a.ID) + " is already in open case MW-2026-0001"},
		{"unknown alert", domain.Case{AlertIDs: []int64{424242}}, domain.EINVALID, "424242"},
		{"no alerts", domain.Case{}, domain.EINVALID, "at least one"},
	} {
		_, err := db.CreateCase(ctx, tc.c, supervisorActor)
		if domain.ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.names) {
			t.Errorf("%s: CreateCase = %v, want %s naming %q", tc.name, err, tc.code, tc.names)
		}
	}
	if n := countRows(t, db, "cases"); n != 1 {
		t.Fatalf("cases after refusals: %d", n)
	}

	// A minute later it is 2027 in Shanghai: the sequence starts again.
	f.clock.Advance(time.Minute)
	c2 := f.create(t, "临沂 衡水老白千", "山东 临沂", f.laobai.ID)
	c3 := f.create(t, "石家庄特产小店", "河北", f.c.ID)
	audits += 2
	if c2.Number != "MW-2027-0001" || c3.Number != "MW-2027-0002" || c2.MarkID != laobaigan {
		t.Errorf("numbers across the year = %s, %s", c2.Number, c3.Number)
	}

	// Suggestions: confirmed alerts of the case's sellers on its mark, in
	// no case (not c: another shop; not open: unconfirmed; not laobai).
	sug, err := db.SuggestCaseAlerts(ctx, c1.ID)
	if err != nil || len(sug) != 1 || sug[0].ID != f.b.ID {
		t.Fatalf("SuggestCaseAlerts = %+v, %v; want alert %d", sug, err, f.b.ID)
	}
	c1, err = db.SetCaseAlerts(ctx, c1.ID, []int64{f.a.ID, f.b.ID}, supervisorActor)
	audits++
	if err != nil || !slices.Equal(c1.AlertIDs, []int64{f.a.ID, f.b.ID}) {
		t.Fatalf("SetCaseAlerts = %+v, %v", c1, err)
	}
	if sug, _ := db.SuggestCaseAlerts(ctx, c1.ID); len(sug) != 0 {
		t.Errorf("suggestions after adding = %+v", sug)
	}
	if _, err := db.SetCaseAlerts(ctx, c1.ID, []int64{f.a.ID, f.b.ID}, supervisorActor); err != nil {
		t.Errorf("setting the same alerts: %v", err)
	}
	_, err = db.SetCaseAlerts(ctx, c1.ID, []int64{f.a.ID, f.c.ID}, supervisorActor)
	wantCode(t, err, domain.ECONFLICT)
	_, err = db.SetCaseAlerts(ctx, c1.ID, []int64{f.laobai.ID}, supervisorActor)
	wantCode(t, err, domain.EINVALID)
	_, err = db.SuggestCaseAlerts(ctx, 999)
	wantCode(t, err, domain.ENOTFOUND)

	// Updates: status, assignee, notes; a no-op writes nothing.
	up := c1
	up.Status, up.Assignee, up.Notes = domain.CaseInvestigating, "zhang.wei", "已电话联系平台"
	c1, err = db.UpdateCase(ctx, up, supervisorActor)
	audits++
	if err != nil || c1.Status != domain.CaseInvestigating || c1.Assignee != "zhang.wei" || c1.Notes != "已电话联系平台" {
		t.Fatalf("UpdateCase = %+v, %v", c1, err)
	}
	if _, err := db.UpdateCase(ctx, c1, supervisorActor); err != nil {
		t.Fatal(err)
	}
	_, err = db.UpdateCase(ctx, domain.Case{ID: c1.ID, Status: "archived"}, supervisorActor)
	wantCode(t, err, domain.EINVALID)
	_, err = db.UpdateCase(ctx, domain.Case{ID: 999, Status: domain.CaseClosed}, supervisorActor)
	wantCode(t, err, domain.ENOTFOUND)

	// Closing frees the alerts; reopening then conflicts with the new case.
	closed := c1
	closed.Status = domain.CaseClosed
	if c1, err = db.UpdateCase(ctx, closed, supervisorActor); err != nil {
		t.Fatal(err)
	}
	audits++
	_, err = db.SetCaseAlerts(ctx, c1.ID, []int64{f.a.ID}, supervisorActor)
	wantCode(t, err, domain.ECONFLICT)
	c4 := f.create(t, "再次发现", hebeiSJZ, f.a.ID)
	audits++
	if c4.Number != "MW-2027-0003" {
		t.Errorf("fourth case number = %s", c4.Number)
	}
	reopen := c1
	reopen.Status = domain.CaseInvestigating
	_, err = db.UpdateCase(ctx, reopen, supervisorActor)
	if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(err.Error(), "MW-2027-0003") {
		t.Errorf("reopening = %v, want ECONFLICT naming MW-2027-0003", err)
	}

	// Notices and what became of them.
	n, err := db.CreateNotice(ctx, domain.Notice{CaseID: c2.ID, Platform: "jd"}, supervisorActor)
	audits++
	if err != nil || n.ID == 0 || !n.GeneratedAt.Equal(f.clock.Now()) || n.SentAt != nil {
		t.Fatalf("CreateNotice = %+v, %v", n, err)
	}
	sent := f.clock.Now().Add(time.Hour)
	n.SentAt = &sent
	if n, err = db.UpdateNotice(ctx, n, supervisorActor); err != nil || n.SentAt == nil || !n.SentAt.Equal(sent) {
		t.Fatalf("UpdateNotice(sent) = %+v, %v", n, err)
	}
	audits++
	answered := sent.Add(48 * time.Hour)
	n.AnsweredAt, n.Answer = &answered, "平台已删除链接"
	if n, err = db.UpdateNotice(ctx, n, supervisorActor); err != nil {
		t.Fatal(err)
	}
	audits++
	if _, err := db.UpdateNotice(ctx, n, supervisorActor); err != nil {
		t.Fatal(err)
	}
	ns, err := db.ListNotices(ctx, c2.ID)
	if err != nil || len(ns) != 1 || ns[0].Answer != "平台已删除链接" || !ns[0].AnsweredAt.Equal(answered) || ns[0].Platform != "jd" {
		t.Errorf("ListNotices = %+v, %v", ns, err)
	}
	_, err = db.CreateNotice(ctx, domain.Notice{CaseID: 999, Platform: "jd"}, supervisorActor)
	wantCode(t, err, domain.ENOTFOUND)
	_, err = db.CreateNotice(ctx, domain.Notice{CaseID: c2.ID}, supervisorActor)
	wantCode(t, err, domain.EINVALID)
	_, err = db.UpdateNotice(ctx, domain.Notice{ID: n.ID, CaseID: c1.ID}, supervisorActor)
	wantCode(t, err, domain.EINVALID)
	_, err = db.UpdateNotice(ctx, domain.Notice{ID: 999}, supervisorActor)
	wantCode(t, err, domain.ENOTFOUND)

	// Every change left exactly one audit row, on the case's mark.
	entries, total, err := db.ListAudit(ctx, domain.AuditFilter{Action: "case.", Limit: 100})
	if err != nil || total != audits {
		t.Fatalf("case audit rows = %d, %v; want %d", total, err, audits)
	}
	marks := map[int64]string{c1.ID: liugehetao, c2.ID: laobaigan, c3.ID: liugehetao, c4.ID: liugehetao}
	counts := map[string]int{}
	for _, e := range entries {
		counts[e.Action]++
		id, _ := strconv.ParseInt(strings.TrimPrefix(e.Object, "case:"), 10, 64)
		if marks[id] == "" || e.MarkID != marks[id] || e.Actor != supervisorActor || len(e.After) == 0 || !json.Valid(e.After) {
			t.Errorf("audit entry %+v", e)
		}
		if len(e.Before) == 0 {
			counts["without before"]++
		}
	}
	if counts[domain.AuditCaseCreate] != 4 || counts[domain.AuditCaseUpdate] != 3 || counts[domain.AuditCaseNotice] != 3 ||
		counts["without before"] != 5 { // the creates: four cases, one notice
		t.Errorf("audit actions = %v", counts)
	}
	owner, _, _ := db.ListAudit(ctx, domain.AuditFilter{Action: "case.", Scope: domain.Scope{Restricted: true, MarkIDs: []string{laobaigan}}})
	if len(owner) != 4 { // create c2, three notice rows
		t.Errorf("衡水老白干's owner reads %d case audit rows, want 4", len(owner))
	}
	var after caseFields
	for _, e := range entries {
		if e.Action == domain.AuditCaseUpdate && strings.Contains(string(e.After), `"closed"`) {
			if err := json.Unmarshal(e.After, &after); err != nil || after.Status != domain.CaseClosed {
				t.Errorf("close entry after = %s", e.After)
			}
		}
	}
}

// TestListCasesScope: owners see only cases on their marks, supervisors
// only cases whose jurisdiction lies in theirs; totals count what they see.
func TestListCasesScope(t *testing.T) {
	ctx := context.Background()
	f := newCaseFixture(t)
	sjz := f.create(t, "石家庄", hebeiSJZ, f.a.ID)
	hebei := f.create(t, "河北", "河北", f.c.ID)
	linyi := f.create(t, "临沂", shandongLY, f.laobai.ID)
	if _, err := f.db.UpdateCase(ctx, domain.Case{ID: hebei.ID, Title: hebei.Title, Status: domain.CaseInvestigating}, supervisorActor); err != nil {
		t.Fatal(err)
	}
	ids := func(cs []domain.Case) []int64 {
		out := []int64{}
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    domain.CaseFilter
		want []int64
	}{
		{"admin", domain.CaseFilter{}, []int64{linyi.ID, hebei.ID, sjz.ID}},
		{"owner of 六个核桃", domain.CaseFilter{Scope: domain.Scope{Restricted: true, MarkIDs: []string{liugehetao}}}, []int64{hebei.ID, sjz.ID}},
		{"owner of 衡水老白干", domain.CaseFilter{Scope: domain.Scope{Restricted: true, MarkIDs: []string{laobaigan}}}, []int64{linyi.ID}},
		{"owner without marks", domain.CaseFilter{Scope: domain.Scope{Restricted: true}}, []int64{}},
		{"supervisor 河北", domain.CaseFilter{Scope: domain.Scope{Jurisdiction: "河北"}}, []int64{hebei.ID, sjz.ID}},
		{"supervisor 河北 石家庄", domain.CaseFilter{Scope: domain.Scope{Jurisdiction: "河北　石家庄"}}, []int64{sjz.ID}},
		{"supervisor 山东", domain.CaseFilter{Scope: domain.Scope{Jurisdiction: "山东"}}, []int64{linyi.ID}},
		{"supervisor 河", domain.CaseFilter{Scope: domain.Scope{Jurisdiction: "河"}}, []int64{}},
		{"owner and jurisdiction", domain.CaseFilter{Scope: domain.Scope{Restricted: true, MarkIDs: []string{laobaigan}, Jurisdiction: "河北"}}, []int64{}},
		{"status", domain.CaseFilter{Status: domain.CaseInvestigating}, []int64{hebei.ID}},
		{"page", domain.CaseFilter{Limit: 1, Offset: 1}, []int64{hebei.ID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs, total, err := f.db.ListCases(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(cs), tc.want) {
				t.Errorf("cases = %v, want %v", ids(cs), tc.want)
			}
			wantTotal := len(tc.want)
			if tc.f.Limit == 1 {
				wantTotal = 3
			}
			if total != wantTotal {
				t.Errorf("total = %d, want %d", total, wantTotal)
			}
			for _, c := range cs {
				if len(c.AlertIDs) != 1 || !domain.LocationWithin(c.Jurisdiction, tc.f.Scope.Jurisdiction) || !tc.f.Scope.AllowsMark(c.MarkID) {
					t.Errorf("case %+v outside scope %+v", c, tc.f.Scope)
				}
			}
		})
	}
	_, _, err := f.db.ListCases(ctx, domain.CaseFilter{Status: "archived"})
	wantCode(t, err, domain.EINVALID)
}
