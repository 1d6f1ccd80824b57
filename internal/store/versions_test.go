package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestVersionsOnChangeOnly: re-sightings of a 六个核桃 look-alike start a
// new version only when title, price, seller or image changed, naming what
// changed, with a capture when there is evidence; location, query or
// platform changes and plain re-sightings start none.
func TestVersionsOnChangeOnly(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openEvidence(t, clock, testRecordHash)
	base := liuge("https://item.taobao.com/item.htm?id=7001")
	a := newAlert(t, db, base, liugehetao, pageEvidence(base.URL, false))
	steps := []struct {
		name     string
		edit     func(*domain.Listing)
		evidence bool
		changes  []string // nil: no new version
	}{
		{name: "unchanged re-sighting", edit: func(*domain.Listing) {}, evidence: true},
		{name: "only the query and platform", edit: func(l *domain.Listing) { l.Query, l.Platform = "核桃乳", "tmall" }, evidence: true},
		{name: "location moved (not part of a version)", edit: func(l *domain.Listing) { l.Location = shandongLY }, evidence: true},
		{name: "price cut", edit: func(l *domain.Listing) { l.Price = 39.9 }, evidence: true, changes: []string{ChangePrice}},
		{name: "same again", edit: func(*domain.Listing) {}, evidence: true},
		{name: "renamed shop and title", edit: func(l *domain.Listing) {
			l.Title, l.Seller = "六个核桃 核桃乳 正品 整箱", "某某食品旗舰店"
		}, changes: []string{ChangeTitle, ChangeSeller}},
		{name: "new image", edit: func(l *domain.Listing) { l.ImageURL = "https://img.alicdn.com/new.jpg" }, evidence: true, changes: []string{ChangeImage}},
	}
	l := base
	wantVersions, wantCaptures := 1, 1
	for _, st := range steps {
		clock.Advance(time.Hour)
		st.edit(&l)
		l.SeenAt = clock.Now()
		var ev *ListingEvidence
		if st.evidence {
			ev = pageEvidence(l.URL, true)
		}
		jobsBefore := countRows(t, db, "capture_jobs")
		res := mustSaveBatch(t, db, ListingMatches{Listing: l, Matches: []domain.Match{alerting(liugehetao)}, Evidence: ev})
		if len(res[0].NewAlerts) != 0 || res[0].TouchedAlerts != 1 {
			t.Fatalf("%s: result %+v, want the alert touched", st.name, res[0])
		}
		if st.changes != nil {
			wantVersions++
			if st.evidence {
				wantCaptures++
			}
		}
		vs, err := db.ListVersions(ctx, a.ID)
		if err != nil || len(vs) != wantVersions {
			t.Fatalf("%s: %d versions, %v; want %d", st.name, len(vs), err, wantVersions)
		}
		cs, _ := db.CapturesOf(ctx, a.ID)
		if len(cs) != wantCaptures {
			t.Fatalf("%s: %d captures, want %d", st.name, len(cs), wantCaptures)
		}
		if st.changes == nil {
			if n := countRows(t, db, "capture_jobs"); n != jobsBefore {
				t.Errorf("%s: capture jobs %d → %d without a new version", st.name, jobsBefore, n)
			}
			continue
		}
		v := vs[len(vs)-1]
		if v.Version != wantVersions || !slices.Equal(v.Changes, st.changes) || v.Title != l.Title || v.Price != l.Price ||
			v.Seller != l.Seller || v.ImageURL != l.ImageURL || !v.SeenAt.Equal(clock.Now()) || !v.Available {
			t.Errorf("%s: version = %+v, want changes %v", st.name, v, st.changes)
		}
		if st.evidence {
			c := cs[len(cs)-1]
			if v.CaptureID != c.ID || c.Version != v.Version {
				t.Errorf("%s: version %d capture %d, latest capture %+v", st.name, v.Version, v.CaptureID, c)
			}
		} else if v.CaptureID != 0 {
			t.Errorf("%s: version without evidence has capture %d", st.name, v.CaptureID)
		}
		// A changed image is fetched again; a screenshot comes with every
		// captured version when the source asks for it.
		want := jobsBefore
		if st.evidence {
			want++
			if slices.Contains(st.changes, ChangeImage) {
				want++
			}
		}
		if n := countRows(t, db, "capture_jobs"); n != want {
			t.Errorf("%s: capture jobs %d → %d, want %d", st.name, jobsBefore, n, want)
		}
	}
}

// TestVersionsAcrossSources: the same URL from a second source is the same
// alert; it starts a version only if it shows something different.
func TestVersionsAcrossSources(t *testing.T) {
	ctx := context.Background()
	db := openEvidence(t, nil, testRecordHash)
	l := liuge("https://item.taobao.com/item.htm?id=7100")
	a := newAlert(t, db, l, liugehetao, nil)
	other := l
	other.SourceID = "taobao-mobile"
	mustSaveBatch(t, db, ListingMatches{Listing: other, Matches: []domain.Match{alerting(liugehetao)}})
	if vs, _ := db.ListVersions(ctx, a.ID); len(vs) != 1 {
		t.Fatalf("versions after the same state from another source = %+v", vs)
	}
	other.Price = 45
	mustSaveBatch(t, db, ListingMatches{Listing: other, Matches: []domain.Match{alerting(liugehetao)}})
	if vs, _ := db.ListVersions(ctx, a.ID); len(vs) != 2 || !slices.Equal(vs[1].Changes, []string{ChangePrice}) {
		t.Fatalf("versions after a new price from another source = %+v", vs)
	}
}

// TestAddVersion: a recheck records the next version with its capture in
// one transaction; seeing the same state again adds a capture of the
// latest version and no version.
func TestAddVersion(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openEvidence(t, clock, testRecordHash)
	l := liuge("https://item.taobao.com/item.htm?id=7200")
	a := newAlert(t, db, l, liugehetao, pageEvidence(l.URL, false))
	page := []byte("<html>该商品已下架</html>")
	capture := &domain.Capture{
		Fetch:     domain.Fetch{RequestURL: l.URL, FinalURL: l.URL, Status: 200, FetchedAt: clock.Now()},
		Artefacts: []domain.ArtefactRef{{Role: domain.RoleDetailPage, SHA256: shaOf(page), Size: int64(len(page)), MediaType: "text/html"}},
	}
	clock.Advance(6 * time.Hour)
	removed := domain.ListingVersion{AlertID: a.ID, Title: l.Title, Price: l.Price, Seller: l.Seller, ImageURL: l.ImageURL, Removed: true}
	v, err := db.AddVersion(ctx, removed, capture)
	if err != nil {
		t.Fatal(err)
	}
	if v.Version != 2 || !slices.Equal(v.Changes, []string{ChangeAvailable, ChangeRemoved}) || v.CaptureID == 0 || !v.SeenAt.Equal(clock.Now()) {
		t.Errorf("removed version = %+v", v)
	}
	cs, _ := db.CapturesOf(ctx, a.ID)
	if len(cs) != 2 || cs[1].ID != v.CaptureID || cs[1].Version != 2 || cs[1].Artefacts[0].Role != domain.RoleDetailPage {
		t.Errorf("captures = %+v", cs)
	}
	clock.Advance(6 * time.Hour)
	again, err := db.AddVersion(ctx, removed, capture)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != v.ID || again.Version != 2 {
		t.Errorf("same state again = %+v, want version 2 unchanged", again)
	}
	if cs, _ := db.CapturesOf(ctx, a.ID); len(cs) != 3 || cs[2].Version != 2 {
		t.Errorf("captures after the same state = %+v, want a third capture of version 2", cs)
	}
	if vs, _ := db.ListVersions(ctx, a.ID); len(vs) != 2 {
		t.Errorf("versions = %+v", vs)
	}
	_, err = db.AddVersion(ctx, domain.ListingVersion{AlertID: a.ID, Removed: true, Available: true}, nil)
	wantCode(t, err, domain.EINVALID)
	_, err = db.AddVersion(ctx, domain.ListingVersion{AlertID: 999, Available: true}, nil)
	wantCode(t, err, domain.ENOTFOUND)
	_, err = db.AddVersion(ctx, domain.ListingVersion{AlertID: a.ID}, &domain.Capture{AlertID: a.ID + 1})
	wantCode(t, err, domain.EINVALID)
}

// TestRechecksEnqueuedOnce: one pending recheck per open or confirmed alert
// of the source with a listing not known removed; none twice.
func TestRechecksEnqueuedOnce(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openEvidence(t, clock, testRecordHash)
	open := newAlert(t, db, liuge("https://item.taobao.com/item.htm?id=8001"), liugehetao, nil)
	confirmed := newAlert(t, db, liuge("https://item.taobao.com/item.htm?id=8002"), liugehetao, nil)
	confirm(t, db, confirmed.ID)
	dismissed := newAlert(t, db, liuge("https://item.taobao.com/item.htm?id=8003"), liugehetao, nil)
	if _, err := db.ReviewAlert(ctx, dismissed.ID, domain.Review{Status: domain.AlertDismissed}, adminActor); err != nil {
		t.Fatal(err)
	}
	gone := newAlert(t, db, liuge("https://item.taobao.com/item.htm?id=8004"), liugehetao, nil)
	if _, err := db.AddVersion(ctx, domain.ListingVersion{AlertID: gone.ID, Removed: true}, nil); err != nil {
		t.Fatal(err)
	}
	titleOnly := liuge("")
	newAlert(t, db, titleOnly, liugehetao, nil)
	otherSource := newAlert(t, db, laobaiganListing("https://item.jd.com/8005.html", shandongLY), laobaigan, nil)

	now := clock.Now()
	n, err := db.EnqueueRechecks(ctx, "demo", now)
	if err != nil || n != 2 {
		t.Fatalf("EnqueueRechecks = %d, %v; want 2 (open and confirmed)", n, err)
	}
	if n, err := db.EnqueueRechecks(ctx, "demo", now); err != nil || n != 0 {
		t.Fatalf("second EnqueueRechecks = %d, %v; want 0", n, err)
	}
	jobs, err := db.DueCaptureJobs(ctx, now, 0)
	if err != nil || len(jobs) != 2 {
		t.Fatalf("due jobs = %+v, %v", jobs, err)
	}
	got := map[int64]bool{}
	for _, j := range jobs {
		if j.Kind != JobRecheck {
			t.Errorf("job %+v is not a recheck", j)
		}
		got[j.AlertID] = true
	}
	if !got[open.ID] || !got[confirmed.ID] {
		t.Errorf("rechecks for %v, want alerts %d and %d", got, open.ID, confirmed.ID)
	}
	if n, _ := db.EnqueueRechecks(ctx, "jd", now); n != 1 {
		t.Errorf("rechecks for jd = %d, want 1 (alert %d)", n, otherSource.ID)
	}
	_, err = db.EnqueueRechecks(ctx, " ", now)
	wantCode(t, err, domain.EINVALID)

	// A failed attempt waits; a finished recheck lets the next round in.
	if err := db.RetryCaptureJob(ctx, jobs[0].ID, now.Add(time.Hour), "连接超时 i/o timeout"); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.DueCaptureJobs(ctx, now, 0); len(due) != 2 { // jd's and the untried one
		t.Errorf("due after a retry = %+v", due)
	}
	later, _ := db.DueCaptureJobs(ctx, now.Add(time.Hour), 0)
	var retried domain.CaptureJob
	for _, j := range later {
		if j.ID == jobs[0].ID {
			retried = j
		}
	}
	if retried.Attempts != 1 || retried.LastError != "连接超时 i/o timeout" || !retried.NextAt.Equal(now.Add(time.Hour)) {
		t.Errorf("retried job = %+v", retried)
	}
	if err := db.FinishCaptureJob(ctx, jobs[1].ID); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishCaptureJob(ctx, jobs[1].ID); err != nil {
		t.Errorf("finishing twice: %v", err)
	}
	wantCode(t, db.RetryCaptureJob(ctx, jobs[1].ID, now, "x"), domain.ECONFLICT)
	wantCode(t, db.FinishCaptureJob(ctx, 999), domain.ENOTFOUND)
	if n, _ := db.EnqueueRechecks(ctx, "demo", now); n != 1 {
		t.Errorf("EnqueueRechecks after one finished = %d, want 1", n)
	}
}

// TestRelistedAfterRemoval: a recheck found the listing removed; a crawl
// that shows it again unchanged is news (available again) and gets a
// version, once; the alert is rechecked again from then on.
func TestRelistedAfterRemoval(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openEvidence(t, clock, testRecordHash)
	l := liuge("https://item.taobao.com/item.htm?id=7300")
	a := newAlert(t, db, l, liugehetao, nil)
	if _, err := db.AddVersion(ctx, domain.ListingVersion{AlertID: a.ID, Title: l.Title, Price: l.Price, Seller: l.Seller, ImageURL: l.ImageURL, Removed: true}, nil); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.EnqueueRechecks(ctx, "demo", clock.Now()); n != 0 {
		t.Fatalf("rechecks for a removed listing = %d", n)
	}
	for range 2 {
		clock.Advance(time.Hour)
		mustSaveBatch(t, db, ListingMatches{Listing: l, Matches: []domain.Match{alerting(liugehetao)}, Evidence: pageEvidence(l.URL, false)})
	}
	vs, _ := db.ListVersions(ctx, a.ID)
	if len(vs) != 3 || !slices.Equal(vs[2].Changes, []string{ChangeAvailable, ChangeRemoved}) || !vs[2].Available || vs[2].CaptureID == 0 {
		t.Fatalf("versions after relisting = %+v", vs)
	}
	if n, _ := db.EnqueueRechecks(ctx, "demo", clock.Now()); n != 1 {
		t.Errorf("rechecks after relisting = %d, want 1", n)
	}
}
