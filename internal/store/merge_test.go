package store

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
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

// groupConcatPostgres is q with SQLite's group_concat(x, sep) as
// PostgreSQL's string_agg in id order: group_concat follows the table's
// rowid order, which PostgreSQL's scan does not promise.
func groupConcatPostgres(q string) string {
	return pgVerbatim + groupConcat.ReplaceAllStringFunc(q, func(m string) string {
		sub := groupConcat.FindStringSubmatch(m)
		first, _, _ := strings.Cut(sub[1], " ")
		return "string_agg((" + sub[1] + ")::text, ';' ORDER BY " + first + ", (" + sub[1] + ")::text) FROM " + sub[2]
	})
}

var groupConcat = regexp.MustCompile(`group_concat\((.*), ';'\) FROM (\w+)`)

// tableSnapshot is what a second merge pass must leave alone.
func tableSnapshot(t *testing.T, db *DB) map[string]any {
	t.Helper()
	out := map[string]any{}
	for _, q := range []string{
		"SELECT group_concat(id || '|' || url_key || '|' || status || '|' || first_seen || '|' || last_seen || '|' || coalesce(hit_id, 0), ';') FROM alerts",
		"SELECT group_concat(l.id || '|' || l.url_key || '|' || l.first_seen || '|' || s.last_seen, ';') FROM listings l JOIN listing_seen s ON s.listing_id = l.id",
		"SELECT group_concat(id || '|' || listing_id || '|' || mark_id, ';') FROM hits",
		"SELECT group_concat(merged_id || '|' || kept_id, ';') FROM alert_merges",
		"SELECT count(*) FROM audit_log", "SELECT count(*) FROM captures", "SELECT count(*) FROM listing_versions",
		"SELECT group_concat(case_id || '|' || alert_id, ';') FROM case_alerts",
		"SELECT group_concat(id || '|' || state, ';') FROM capture_jobs",
	} {
		if db.Dialect() == dialectPostgres {
			q = groupConcatPostgres(q)
		}
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
	// Both confirmed, each in its own open case: the kept alert must not
	// end up in two open cases, so the second case keeps citing its alert.
	f := newAlert(t, db, laobaiganListing("https://item.jd.com/9.html", hebeiSJZ), "hengshui-laobaigan", nil)
	g := newAlert(t, db, laobaiganListing("https://item.jd.com/9.html#comment", hebeiSJZ), "hengshui-laobaigan", nil)
	confirm(t, db, f.ID)
	confirm(t, db, g.ID)
	cf, err := db.CreateCase(ctx, domain.Case{Title: "f", AlertIDs: []int64{f.ID}}, adminActor)
	if err != nil {
		t.Fatal(err)
	}
	cg, err := db.CreateCase(ctx, domain.Case{Title: "g", AlertIDs: []int64{g.ID}}, adminActor)
	if err != nil {
		t.Fatal(err)
	}

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
	for cid, want := range map[int64]int64{cf.ID: f.ID, cg.ID: g.ID} {
		if err := db.sql.QueryRow("SELECT alert_id FROM case_alerts WHERE case_id = ?", cid).Scan(&caseAlert); err != nil || caseAlert != want {
			t.Errorf("case %d cites %d, %v; want %d", cid, caseAlert, err, want)
		}
	}
	if got, _ := db.GetAlert(ctx, g.ID); got.ID != f.ID {
		t.Errorf("alert %d was not merged into %d", g.ID, f.ID)
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

// TestMigrateVersion3DuplicatesToOneAlert upgrades a database of the
// evidence release (schema 3), where one JD offer has two alerts through two
// URL forms, a supervisor's confirmed one with a capture and an open one with
// a capture and a pending recheck, and merges them.
func TestMigrateVersion3DuplicatesToOneAlert(t *testing.T) {
	sqliteOnly(t, "upgrades a SQLite file written by an older schema (PostgreSQL starts at the current schema)")
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v3.db")
	const (
		u1   = "http://item.jd.com/100012345.html"
		u2   = "https://item.jd.com/100012345.html#comment"
		hash = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	)
	buildOldDatabase(t, path, 3,
		`DELETE FROM listing_versions`,
		`INSERT INTO sources (id, created_at) VALUES ('jd', 1700000000000)`,
		`INSERT INTO listings (id, source_id, url_key, url, platform, title, first_seen, last_seen)
			VALUES (1, 'jd', '`+u1+`', '`+u1+`', 'jd', '衡水老白千 67度', 1700000000000, 1700000100000),
			       (2, 'jd', '`+u2+`', '`+u2+`', 'jd', '衡水老白千 67度', 1700000050000, 1700000900000)`,
		`INSERT INTO hits (id, listing_id, mark_id, score, alert, reasons, first_seen, last_seen)
			VALUES (1, 1, 'hengshui-laobaigan', 0.9, 1, '[]', 1700000000000, 1700000100000),
			       (2, 2, 'hengshui-laobaigan', 0.95, 1, '[]', 1700000050000, 1700000900000)`,
		`INSERT INTO alerts (id, mark_id, url_key, hit_id, source_id, url, title, score, status, first_seen, last_seen)
			VALUES (1, 'hengshui-laobaigan', '`+u1+`', 1, 'jd', '`+u1+`', '衡水老白千 67度', 0.9, 'confirmed', 1700000000000, 1700000100000),
			       (2, 'hengshui-laobaigan', '`+u2+`', 2, 'jd', '`+u2+`', '衡水老白千 67度', 0.95, 'open', 1700000050000, 1700000900000)`,
		`INSERT INTO listing_versions (alert_id, version, seen_at, title, available, removed) VALUES
			(1, 1, 1700000000000, '衡水老白千 67度', 1, 0), (2, 1, 1700000050000, '衡水老白千 67度', 1, 0)`,
		`INSERT INTO captures (id, alert_id, version, source_id, mark_id, listing_url, captured_at_ns, record_hash, log_index) VALUES
			(1, 1, 1, 'jd', 'hengshui-laobaigan', '`+u1+`', 1700000000000000000, '`+hash+`', 0),
			(2, 2, 1, 'jd', 'hengshui-laobaigan', '`+u2+`', 1700000050000000000, '`+hash+`', 1)`,
		`INSERT INTO capture_jobs (alert_id, kind, url, next_at, created_at) VALUES (2, 'recheck', '`+u2+`', 1700000900000, 1700000900000)`,
		`INSERT INTO audit_log (at, actor_name, action, object, mark_id, before, after)
			VALUES (1700000300000, 'supervisor', 'alert.review', 'alert:1', 'hengshui-laobaigan', '{"status":"open"}', '{"status":"confirmed"}')`,
	)
	db, err := Open(ctx, path, Options{RecordHash: testRecordHash})
	if err != nil {
		t.Fatalf("Open(v3) = %v", err)
	}
	defer db.Close()
	rep, err := db.MergeIdentities(ctx, "jd-rules", testIdentity)
	if err != nil {
		t.Fatal(err)
	}
	if rep.AlertsMerged != 1 || rep.ListingsMerged != 1 {
		t.Errorf("report = %+v", rep)
	}
	alerts, total, err := db.ListAlerts(ctx, domain.AlertFilter{})
	if err != nil || total != 1 || alerts[0].ID != 1 || alerts[0].Status != domain.AlertConfirmed {
		t.Fatalf("alerts after the merge = %+v (%d), %v; want alert 1, confirmed", alerts, total, err)
	}
	a := alerts[0]
	if a.FirstSeen.UnixMilli() != 1700000000000 || a.LastSeen.UnixMilli() != 1700000900000 || a.Score != 0.95 || a.HitID != 1 {
		t.Errorf("kept alert = %+v", a)
	}
	lineage, _ := db.AlertLineage(ctx, 1)
	var caps int
	for _, id := range lineage {
		cs, err := db.CapturesOf(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		caps += len(cs)
	}
	if len(lineage) != 2 || caps != 2 {
		t.Errorf("lineage %v reaches %d captures, want both", lineage, caps)
	}
	var state, note string
	if err := db.sql.QueryRow("SELECT state, last_error FROM capture_jobs WHERE alert_id = 2").Scan(&state, &note); err != nil || state != "done" {
		t.Errorf("recheck of the merged alert: %s %q, %v", state, note, err)
	}
	var key string
	if err := db.sql.QueryRow("SELECT url_key FROM listings").Scan(&key); err != nil || key != "jd:100012345" || countRows(t, db, "listings") != 1 {
		t.Errorf("listings: key %q, %d rows", key, countRows(t, db, "listings"))
	}
	var outbox int
	_ = db.sql.QueryRow("SELECT count(*) FROM index_outbox WHERE op = 'delete' AND hit_id = 2").Scan(&outbox)
	if outbox != 1 {
		t.Error("the folded hit is not removed from the index")
	}
	if rep, err := db.MergeIdentities(ctx, "", testIdentity); err != nil || rep != (MergeReport{}) {
		t.Errorf("second pass: %+v, %v", rep, err)
	}
}
