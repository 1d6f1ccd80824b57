package store

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// jdItem is what crawl.Source.Identity answers for the shipped jd rules,
// without importing crawl: "jd:<sku>" for an item page, else the URL.
var jdItem = regexp.MustCompile(`item\.jd\.com/(\d+)\.html`)

func testIdentity(source, raw string) string {
	if m := jdItem.FindStringSubmatch(raw); m != nil {
		return "jd:" + m[1]
	}
	return raw
}

// tableSnapshot is what a second merge pass must leave alone.
func tableSnapshot(t *testing.T, db *DB) map[string]any {
	t.Helper()
	out := map[string]any{}
	for _, q := range []string{
		"SELECT group_concat(id || '|' || url_key || '|' || status || '|' || first_seen || '|' || last_seen || '|' || coalesce(hit_id, 0), ';') FROM alerts",
		"SELECT group_concat(id || '|' || url_key || '|' || first_seen || '|' || last_seen, ';') FROM listings",
		"SELECT group_concat(id || '|' || listing_id || '|' || mark_id, ';') FROM hits",
		"SELECT group_concat(merged_id || '|' || kept_id, ';') FROM alert_merges",
		"SELECT count(*) FROM audit_log", "SELECT count(*) FROM captures", "SELECT count(*) FROM listing_versions",
		"SELECT group_concat(case_id || '|' || alert_id, ';') FROM case_alerts",
		"SELECT group_concat(id || '|' || state, ';') FROM capture_jobs",
	} {
		var v any
		if err := db.sql.QueryRow(q).Scan(&v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out[q] = v
	}
	return out
}

// TestMergeIdentitiesKeepsTheDecision stores what markwatch did before
// identities (one alert per raw URL) for one JD offer reached through two URL
// forms: a supervisor confirmed the first alert, the second is open. The merge
// leaves one alert, confirmed, first seen when the first was and last seen
// when the second was, whose history (both alerts' captures, versions and
// audit) is reachable; a second pass changes nothing.
func TestMergeIdentitiesKeepsTheDecision(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openEvidence(t, clock, testRecordHash)

	httpForm := "http://item.jd.com/100012345.html"
	a := newAlert(t, db, laobaiganListing(httpForm, hebeiSJZ), "hengshui-laobaigan", pageEvidence(httpForm, true))
	confirm(t, db, a.ID)
	clock.Advance(time.Hour)
	spmForm := "https://item.jd.com/100012345.html?spm=a.b.c#comment"
	b := newAlert(t, db, laobaiganListing(spmForm, hebeiSJZ), "hengshui-laobaigan", pageEvidence(spmForm, false))
	other := newAlert(t, db, laobaiganListing("https://item.jd.com/999.html", hebeiSJZ), "hengshui-laobaigan", nil)
	if _, total, _ := db.ListAlerts(ctx, domain.AlertFilter{}); total != 3 {
		t.Fatalf("before the merge: %d alerts, want 3", total)
	}
	bCaptures, err := db.CapturesOf(ctx, b.ID)
	if err != nil || len(bCaptures) == 0 {
		t.Fatalf("captures of the duplicate: %v, %v", bCaptures, err)
	}

	clock.Advance(time.Hour)
	rep, err := db.MergeIdentities(ctx, "rules-v1", testIdentity)
	if err != nil {
		t.Fatal(err)
	}
	if rep.AlertsMerged != 1 || rep.ListingsMerged != 1 || rep.HitsMerged != 1 {
		t.Errorf("report = %+v", rep)
	}
	alerts, total, err := db.ListAlerts(ctx, domain.AlertFilter{})
	if err != nil || total != 2 || len(alerts) != 2 {
		t.Fatalf("after the merge: %d alerts (%v), want 2", total, err)
	}
	kept, err := db.GetAlert(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if kept.Status != domain.AlertConfirmed || !kept.FirstSeen.Equal(a.FirstSeen) || !kept.LastSeen.Equal(b.LastSeen) {
		t.Errorf("kept alert = %+v; want confirmed, first seen %v, last seen %v", kept, a.FirstSeen, b.LastSeen)
	}
	// The duplicate's id answers with the kept alert.
	if got, err := db.GetAlert(ctx, b.ID); err != nil || got.ID != a.ID {
		t.Errorf("GetAlert(merged %d) = %d, %v; want %d", b.ID, got.ID, err, a.ID)
	}
	if got, _ := db.GetAlert(ctx, other.ID); got.ID != other.ID {
		t.Errorf("an unrelated alert moved: %+v", got)
	}
	// Both histories are reachable from the kept alert.
	lineage, err := db.AlertLineage(ctx, a.ID)
	if err != nil || len(lineage) != 2 || lineage[0] != a.ID || lineage[1] != b.ID {
		t.Fatalf("lineage = %v, %v", lineage, err)
	}
	ms, _ := db.MergedAlerts(ctx, a.ID)
	if len(ms) != 1 || ms[0].Status != domain.AlertOpen || ms[0].URLKey != spmForm || ms[0].Identity != "jd:100012345" {
		t.Errorf("merges = %+v", ms)
	}
	for _, id := range lineage {
		cs, err := db.CapturesOf(ctx, id)
		if err != nil || len(cs) == 0 {
			t.Errorf("captures of alert %d: %d, %v", id, len(cs), err)
		}
		vs, err := db.ListVersions(ctx, id)
		if err != nil || len(vs) == 0 {
			t.Errorf("versions of alert %d: %d, %v", id, len(vs), err)
		}
	}
	entries, _, err := db.ListAudit(ctx, domain.AuditFilter{Object: "alert:" + itoa(a.ID)})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if len(actions) != 2 || actions[0] != AuditAlertMerge || actions[1] != domain.AuditAlertReview {
		t.Errorf("audit of the kept alert = %v, want [alert.merge alert.review]", actions)
	}
	if ms[0].AuditID != entries[0].ID {
		t.Errorf("merge names audit %d, the entry is %d", ms[0].AuditID, entries[0].ID)
	}

	// A crawl that now sets the identity finds the kept alert.
	clock.Advance(time.Hour)
	l := laobaiganListing("https://item.jd.com/100012345.html#comment", hebeiSJZ)
	l.ID = "jd:100012345"
	res := mustSave(t, db, l, alerting("hengshui-laobaigan"))
	if len(res.NewAlerts) != 0 || res.TouchedAlerts != 1 {
		t.Errorf("re-sighting after the merge: %+v", res)
	}
	if got, _ := db.GetAlert(ctx, a.ID); got.Status != domain.AlertConfirmed {
		t.Errorf("re-sighting changed the decision: %s", got.Status)
	}

	// Running the merge again changes nothing, with or without a fingerprint.
	before := tableSnapshot(t, db)
	if rep, err := db.MergeIdentities(ctx, "rules-v1", testIdentity); err != nil || !rep.Skipped {
		t.Errorf("same fingerprint: %+v, %v; want skipped", rep, err)
	}
	rep, err = db.MergeIdentities(ctx, "", testIdentity)
	if err != nil || rep != (MergeReport{}) {
		t.Errorf("second pass: %+v, %v; want nothing to do", rep, err)
	}
	after := tableSnapshot(t, db)
	for q, v := range before {
		if after[q] != v {
			t.Errorf("second pass changed %s:\n%v\n%v", q, v, after[q])
		}
	}
}

// TestMergeIdentitiesTakesTheLaterDecisionAndCase: the older alert is open,
// the duplicate was confirmed and put in a case; the kept (older) alert
// becomes confirmed and takes the case link.
func TestMergeIdentitiesTakesTheLaterDecisionAndCase(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openEvidence(t, clock, testRecordHash)
	a := newAlert(t, db, laobaiganListing("http://item.jd.com/7.html", hebeiSJZ), "hengshui-laobaigan", nil)
	clock.Advance(time.Minute)
	b := newAlert(t, db, laobaiganListing("https://item.jd.com/7.html#comments-list", hebeiSJZ), "hengshui-laobaigan", nil)
	confirm(t, db, b.ID)
	c, err := db.CreateCase(ctx, domain.Case{Title: "老白干仿冒", AlertIDs: []int64{b.ID}}, adminActor)
	if err != nil {
		t.Fatal(err)
	}
	d := newAlert(t, db, laobaiganListing("http://item.jd.com/8.html#comment", hebeiSJZ), "hengshui-laobaigan", nil)
	if _, err := db.ReviewAlert(ctx, d.ID, domain.Review{Status: domain.AlertDismissed}, adminActor); err != nil {
		t.Fatal(err)
	}
	e := newAlert(t, db, laobaiganListing("https://item.jd.com/8.html?utm_source=x", hebeiSJZ), "hengshui-laobaigan", nil)

	if _, err := db.MergeIdentities(ctx, "", testIdentity); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.GetAlert(ctx, a.ID); got.Status != domain.AlertConfirmed {
		t.Errorf("kept alert %d = %s, want confirmed (its duplicate was)", a.ID, got.Status)
	}
	if got, _ := db.GetAlert(ctx, d.ID); got.Status != domain.AlertDismissed || got.ID != d.ID {
		t.Errorf("kept alert %d = %+v, want dismissed over open", d.ID, got)
	}
	if got, _ := db.GetAlert(ctx, e.ID); got.ID != d.ID {
		t.Errorf("alert %d was not merged into %d", e.ID, d.ID)
	}
	var caseAlert int64
	if err := db.sql.QueryRow("SELECT alert_id FROM case_alerts WHERE case_id = ?", c.ID).Scan(&caseAlert); err != nil || caseAlert != a.ID {
		t.Errorf("case link = %d, %v; want %d", caseAlert, err, a.ID)
	}
}

// TestSameDemoOfferFromTwoHostsIsOneAlert: a CLI crawl beside the daemon
// reads the demo marketplace on another port; with identities its listings
// are the daemon's offers, not new alerts.
func TestSameDemoOfferFromTwoHostsIsOneAlert(t *testing.T) {
	db := openTest(t, newClock())
	daemon := walnut("http://127.0.0.1:8089/item/17")
	daemon.ID = "demo:17"
	cli := walnut("http://127.0.0.1:41234/item/17")
	cli.ID = "demo:17"
	first := mustSave(t, db, daemon, match("lincheng-hetao", 0.9, true))
	second := mustSave(t, db, cli, match("lincheng-hetao", 0.9, true))
	if len(first.NewAlerts) != 1 || len(second.NewAlerts) != 0 || second.TouchedAlerts != 1 {
		t.Errorf("first %+v, second %+v: want one alert", first, second)
	}
	if first.ListingID != second.ListingID {
		t.Errorf("two listing rows (%d, %d) for one offer", first.ListingID, second.ListingID)
	}
	if n := countRows(t, db, "alerts"); n != 1 {
		t.Errorf("%d alerts, want 1", n)
	}
	// Without an identity the old key (the URL) still applies.
	third := mustSave(t, db, walnut("http://127.0.0.1:41234/item/18"), match("lincheng-hetao", 0.9, true))
	if len(third.NewAlerts) != 1 {
		t.Errorf("a listing without identity: %+v", third)
	}
}

