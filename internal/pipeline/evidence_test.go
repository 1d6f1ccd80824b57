package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// fakeEvidence records its calls; fail makes every Keep fail.
type fakeEvidence struct {
	mu    sync.Mutex
	calls []domain.Listing
	fail  bool
}

func (e *fakeEvidence) Keep(_ context.Context, l domain.Listing) ([]domain.ArtefactRef, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, l)
	if e.fail {
		return nil, errors.New("disk full")
	}
	role, f := domain.RoleSearchPage, l.Fetch
	if f == nil {
		role, f = domain.RoleDetailPage, l.DetailFetch
	}
	return []domain.ArtefactRef{{Role: role, SHA256: fmt.Sprintf("%x", len(f.Body)), Size: int64(len(f.Body)), MediaType: "text/html"}}, nil
}

// screenshotCrawler is a crawler whose sources ask for screenshots.
type screenshotCrawler struct{ fakeCrawler }

func (screenshotCrawler) Screenshot(id string) bool { return id == "demo" }

// pageListings returns n alerting listings read from one page, plus one
// that only resembles the mark (no alert), all pointing at the page's Fetch.
func pageListings(page string, n int) []domain.Listing {
	f := &domain.Fetch{RequestURL: "http://m.test/s?q=" + page, FinalURL: "http://m.test/s?q=" + page, Status: 200,
		Body: []byte("<html>" + page + "</html>")}
	var ls []domain.Listing
	for i := range n {
		ls = append(ls, domain.Listing{Title: "高仿六个核桃 " + page, URL: fmt.Sprintf("http://m.test/item/%s-%d", page, i), Fetch: f})
	}
	return append(ls, domain.Listing{Title: "六个核桃 旗舰店 " + page, URL: "http://m.test/item/" + page + "-genuine", Fetch: f})
}

// Many alerting listings of one page cost one Keep for the page; a listing
// completed from its own page costs one more for that page. The store gets
// the refs with the page's Fetch (without its body), alert by alert.
func TestEvidenceKeptOncePerPage(t *testing.T) {
	ls := append(pageListings("a", 60), pageListings("b", 5)...)
	detail := &domain.Fetch{RequestURL: "http://m.test/item/b-0", Status: 200, Body: []byte("<html>detail</html>")}
	ls[61].DetailFetch = detail // the first alerting listing of page b
	ls = append(ls, domain.Listing{Title: "高仿六个核桃 no page", URL: "http://m.test/item/x"})
	st := &memStore{alerts: map[string]bool{}}
	al := &alertRecorder{}
	ev := &fakeEvidence{}
	r := newRunner(screenshotCrawler{fakeCrawler{listings: ls}}, st, al)
	r.Evidence = ev
	run, err := r.Run(context.Background(), "demo")
	if err != nil || run.Alerts != 66 || run.Errors[ErrorKindEvidence] != 0 {
		t.Fatalf("run %+v %v", run, err)
	}
	// The writer takes whatever listings have arrived into one batch, so a
	// page's listings may straddle batches; a page is kept once per batch
	// it appears in, never once per listing.
	if len(ev.calls) < 3 || len(ev.calls) > 3*st.batches {
		t.Fatalf("Keep called %d times over %d batches, want 3 (page a, page b, b-0's own page) once per batch", len(ev.calls), st.batches)
	}
	pages := map[*domain.Fetch]int{}
	for _, c := range ev.calls {
		if (c.Fetch == nil) == (c.DetailFetch == nil) {
			t.Errorf("Keep got Fetch %v and DetailFetch %v: want exactly one", c.Fetch, c.DetailFetch)
		}
		pages[c.Fetch]++
		pages[c.DetailFetch]++
	}
	if n := pages[ls[0].Fetch]; n < 1 || n > st.batches || pages[ls[61].Fetch] < 1 || pages[detail] != 1 {
		t.Errorf("pages kept %v", pages)
	}
	with := 0
	for _, it := range st.items {
		alert := it.Matches[0].Alert
		switch {
		case !alert || it.Listing.Fetch == nil:
			if it.Evidence != nil {
				t.Errorf("%s: evidence without an alert or a page", it.Listing.URL)
			}
		case it.Evidence == nil:
			t.Errorf("%s: alert saved without evidence", it.Listing.URL)
		default:
			with++
			e := it.Evidence
			if !e.Screenshot || e.Fetch.Body != nil || e.Fetch.RequestURL != it.Listing.Fetch.RequestURL {
				t.Errorf("%s: evidence %+v", it.Listing.URL, e)
			}
			want := 1
			if it.Listing.DetailFetch != nil {
				want = 2
			}
			if len(e.Artefacts) != want || e.Artefacts[0].Role != domain.RoleSearchPage ||
				(want == 2 && e.Artefacts[1].Role != domain.RoleDetailPage) {
				t.Errorf("%s: artefacts %+v", it.Listing.URL, e.Artefacts)
			}
		}
	}
	if with != 65 {
		t.Errorf("%d listings with evidence, want 65", with)
	}
}

// An alert is never lost for want of evidence: a failing Keep is counted
// (once per page) and the listing is saved and alerted without it.
func TestFailingKeepStillSavesAlert(t *testing.T) {
	st := &memStore{alerts: map[string]bool{}}
	al := &alertRecorder{}
	r := newRunner(fakeCrawler{listings: pageListings("a", 3)}, st, al)
	r.Evidence = &fakeEvidence{fail: true}
	run, err := r.Run(context.Background(), "demo")
	if err != nil || run.Status != domain.RunSucceeded {
		t.Fatalf("run %+v %v", run, err)
	}
	// Once per page and batch: the listings usually arrive as one batch,
	// and a second batch tries the page again.
	if n := run.Errors[ErrorKindEvidence]; n < 1 || n > st.batches || run.Errors["http_5xx"] != 1 {
		t.Errorf("errors %v over %d batches, want evidence once per batch beside the crawler's", run.Errors, st.batches)
	}
	if len(al.got) != 3 || len(st.items) != 4 {
		t.Fatalf("alerts %d, saved %d", len(al.got), len(st.items))
	}
	for _, it := range st.items {
		if it.Evidence != nil {
			t.Errorf("%s: evidence after a failed Keep", it.Listing.URL)
		}
	}
}

// Without an Evidence the pipeline keeps nothing and asks for nothing.
func TestNoEvidenceConfigured(t *testing.T) {
	st := &memStore{alerts: map[string]bool{}}
	r := newRunner(screenshotCrawler{fakeCrawler{listings: pageListings("a", 2)}}, st, &alertRecorder{})
	if _, err := r.Run(context.Background(), "demo"); err != nil {
		t.Fatal(err)
	}
	for _, it := range st.items {
		if it.Evidence != nil {
			t.Errorf("evidence without an Evidence: %+v", it.Evidence)
		}
	}
}
