package pipeline

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// maxBatch bounds one store transaction. Large enough that commits stop
// dominating (a page of results is 40–60 listings), small enough that new
// alerts go out within a few pages of being found. It only fills when the
// writer falls behind (a loopback re-crawl); a crawl at marketplace
// speeds stores what lingering gathers (minBatch). Once an unchanged
// re-sighting wrote one narrow row (store's listing_seen), a batch's own
// statements (its source, sellers, progress, data version, commit) were a
// quarter of the writer's time, and 512 measured faster than 256 in
// PipelineVsRawColly/loopback: pipeline/crawl 0.84–0.89 over twelve runs
// against 0.77–0.88 over ten; at 20 ms 0.95–1.0 either way.
const maxBatch = 512

// A batch smaller than minBatch waits up to lingerFor for more. A re-crawl
// re-sights most listings unchanged, and the writer then keeps up with the
// crawl: without lingering it stored ~28 listings per transaction, and a
// transaction's begin, commit and statements cost as much as its rows
// (BenchmarkPipelineVsRawColly: pipeline/raw at 20 ms 0.87 → 0.91,
// loopback pipeline/crawl 0.55 → 0.59). 5 ms delays no alert noticeably.
const (
	minBatch  = 128
	lingerFor = 5 * time.Millisecond
)

// writer owns the goroutine that stores a run's listings in batches.
type writer struct {
	r        *Runner
	sourceID string
	run      *domain.CrawlRun
	mu       *sync.Mutex

	items   chan Item
	stopped chan struct{} // closed when the writer gave up on an error
	done    chan struct{}
	err     error // set before stopped is closed

	log        *zap.Logger
	screenshot bool
	// errs counts the writer's own errors by kind (evidence); read after
	// done is closed.
	errs map[string]int
	// pages holds the URLs of the pages listings came from, under mu: the
	// running run's page count (the crawler reports its own at the end).
	pages map[string]struct{}
	// hitIDs are the hits this run has stored, so one found again by
	// another search is not counted twice; writer goroutine only.
	hitIDs map[int64]struct{}
	// written is what the store last recorded of the run's progress, and
	// progressFailing whether the last attempt failed; writer goroutine only.
	written         progressMark
	progressFailing bool
}

func newWriter(r *Runner, sourceID string, run *domain.CrawlRun, mu *sync.Mutex, log *zap.Logger) *writer {
	w := &writer{
		r: r, sourceID: sourceID, run: run, mu: mu,
		items:   make(chan Item, 2*maxBatch),
		stopped: make(chan struct{}),
		done:    make(chan struct{}),
		log:     log,
		errs:    map[string]int{},
		pages:   map[string]struct{}{},
		hitIDs:  map[int64]struct{}{},
	}
	if p, ok := r.Crawler.(ScreenshotPolicy); ok && r.Evidence != nil {
		w.screenshot = p.Screenshot(sourceID)
	}
	go w.loop()
	return w
}

// add queues an item, waiting while the queue is full. It fails once the
// writer has failed, so the crawl stops instead of fetching into the void.
func (w *writer) add(ctx context.Context, it Item) error {
	select {
	case <-w.stopped:
		return w.err
	default:
	}
	if it.Listing.Fetch != nil {
		w.mu.Lock()
		w.sawPage(it.Listing.Fetch)
		w.mu.Unlock()
	}
	select {
	case w.items <- it:
		return nil
	case <-w.stopped:
		return w.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// skip counts a listing that had no matches and is not stored.
func (w *writer) skip(l domain.Listing) {
	w.mu.Lock()
	w.run.Listings++
	if l.Fetch != nil {
		w.sawPage(l.Fetch)
	}
	w.mu.Unlock()
	w.r.Metrics.counted(w.sourceID, 1, 0, 0)
}

// close waits until everything queued is stored and returns the writer's
// error, if any. No add may follow.
func (w *writer) close() error {
	close(w.items)
	<-w.done
	return w.err
}

func (w *writer) loop() {
	defer close(w.done)
	tick := time.NewTicker(w.r.progressEvery())
	defer tick.Stop()
	batch := make([]Item, 0, maxBatch)
	for {
		select {
		case <-tick.C:
			w.recordProgress()
		case it, ok := <-w.items:
			if !ok {
				return
			}
			batch = w.fill(append(batch[:0], it))
			if err := w.store(batch); err != nil {
				// Stop reading: add sees stopped once the queue fills, and
				// close does not wait on a queue nobody stores.
				w.err = err
				close(w.stopped)
				return
			}
		}
	}
}

// fill adds to batch what is already queued, up to maxBatch; while the
// batch is smaller than minBatch it waits up to lingerFor for more. The
// queue closing ends the batch at once.
func (w *writer) fill(batch []Item) []Item {
	var linger <-chan time.Time
	for len(batch) < maxBatch {
		select {
		case it, ok := <-w.items:
			if !ok {
				return batch
			}
			batch = append(batch, it)
			continue
		default:
		}
		if len(batch) >= minBatch {
			return batch
		}
		if linger == nil {
			linger = time.After(lingerFor)
		}
		select {
		case it, ok := <-w.items:
			if !ok {
				return batch
			}
			batch = append(batch, it)
		case <-linger:
			return batch
		}
	}
	return batch
}

// store saves one batch. Listings already fetched are stored even when the
// run is being cancelled: the queue is short, and losing evidence to a
// shutdown is worse than a moment's delay.
func (w *writer) store(batch []Item) error {
	ctx := context.Background()
	w.keepEvidence(ctx, batch)
	before := w.progress()
	results, err := w.r.Store.SaveListings(ctx, batch, before)
	if err != nil {
		return fmt.Errorf("saving %d listings: %w", len(batch), err)
	}
	hits, alerts := 0, 0
	var newAlerts []domain.Alert
	for _, res := range results {
		hits += w.newHits(res)
		alerts += len(res.NewAlerts)
		newAlerts = append(newAlerts, res.NewAlerts...)
	}
	w.mu.Lock()
	w.run.Listings += len(batch)
	w.run.Hits += hits
	w.run.Alerts += alerts
	w.mu.Unlock()
	before.Listings += len(batch)
	before.Hits += hits
	before.Alerts += alerts
	w.written, w.progressFailing = markOf(before), false
	w.r.Metrics.counted(w.sourceID, len(batch), hits, alerts)
	if hits > 0 && w.r.Index != nil {
		w.r.Index.Kick()
	}
	if len(newAlerts) > 0 && w.r.Alerts != nil {
		w.r.Alerts.Raise(ctx, newAlerts)
	}
	return nil
}

// newHits is how many of res's hits this run had not stored yet.
func (w *writer) newHits(res SaveResult) int {
	if res.HitIDs == nil {
		return res.Hits
	}
	n := 0
	for _, id := range res.HitIDs {
		if _, seen := w.hitIDs[id]; !seen {
			w.hitIDs[id] = struct{}{}
			n++
		}
	}
	return n
}

// keepParallelism bounds concurrent Keep calls within a batch: keeping a
// page is mostly waiting for fsync, and pages of a batch are independent.
const keepParallelism = 4

// keepEvidence stores the pages of the batch's alerting listings (files
// first, rows second: the store's transaction then refers to them) and sets
// their Item.Evidence. Each distinct page is kept once per batch, up to
// keepParallelism at a time. A page that cannot be kept is counted and
// logged once; its listings are saved without evidence, never dropped.
func (w *writer) keepEvidence(ctx context.Context, batch []Item) {
	if w.r.Evidence == nil {
		return
	}
	type job struct {
		l      domain.Listing // with only the page to keep set
		page   *domain.Fetch
		detail bool
		refs   []domain.ArtefactRef
		err    error
	}
	var jobs []*job
	byPage := map[*domain.Fetch]*job{}
	add := func(l domain.Listing, f *domain.Fetch, detail bool) {
		if _, ok := byPage[f]; ok {
			return
		}
		j := &job{l: l, page: f, detail: detail}
		j.l.Fetch, j.l.DetailFetch = f, nil
		if detail {
			j.l.Fetch, j.l.DetailFetch = nil, f
		}
		byPage[f] = j
		jobs = append(jobs, j)
	}
	for i := range batch {
		it := &batch[i]
		if it.Listing.Fetch == nil || !alerting(it.Matches) {
			continue
		}
		add(it.Listing, it.Listing.Fetch, false)
		if it.Listing.DetailFetch != nil {
			add(it.Listing, it.Listing.DetailFetch, true)
		}
	}
	if len(jobs) == 0 {
		return
	}
	next := make(chan *job)
	var wg sync.WaitGroup
	for range min(keepParallelism, len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				j.refs, j.err = w.r.Evidence.Keep(ctx, j.l)
			}
		}()
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	for _, j := range jobs {
		if j.err != nil {
			w.errs[ErrorKindEvidence]++
			w.log.Warn("keeping page as evidence failed; its listings are saved without it",
				zap.String("url", j.page.FinalURL), zap.Bool("detail_page", j.detail), zap.Error(j.err))
		}
	}
	for i := range batch {
		it := &batch[i]
		l := it.Listing
		if l.Fetch == nil || !alerting(it.Matches) {
			continue
		}
		page := byPage[l.Fetch]
		if page.err != nil {
			continue
		}
		ev := &ItemEvidence{Fetch: *l.Fetch, Screenshot: w.screenshot}
		ev.Fetch.Body = nil // the bytes are in the artefacts
		ev.Artefacts = append(ev.Artefacts, page.refs...)
		if l.DetailFetch != nil {
			if d := byPage[l.DetailFetch]; d.err == nil {
				ev.Artefacts = append(ev.Artefacts, d.refs...)
			}
		}
		it.Evidence = ev
	}
}

func alerting(ms []domain.Match) bool {
	for _, m := range ms {
		if m.Alert {
			return true
		}
	}
	return false
}
