package evidence

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// Capture job kinds.
const (
	JobImage      = "image"
	JobScreenshot = "screenshot"
	JobRecheck    = "recheck"
)

// Fetcher fetches a listing image with the politeness and limits of the
// source the alert came from.
type Fetcher interface {
	FetchImage(ctx context.Context, alert domain.Alert, url string, limit int64) (body []byte, mediaType string, fetch domain.Fetch, err error)
}

// Browser captures a page in headless Chromium: a full-page PNG and an
// MHTML snapshot.
type Browser interface {
	CapturePage(ctx context.Context, alert domain.Alert, url string) (png []byte, mhtml []byte, fetch domain.Fetch, err error)
}

// RecheckResult is what a listing's page shows now.
type RecheckResult struct {
	// Removed is set when the page answered 404/410 or said 已下架.
	Removed   bool
	Title     string
	Price     float64
	Seller    string
	ImageURL  string
	Available bool
	// Fetch is the page as fetched, Body included: it is kept as the
	// capture's detail page.
	Fetch domain.Fetch
}

// Rechecker fetches a listing under alert again.
type Rechecker interface {
	Recheck(ctx context.Context, alert domain.Alert) (RecheckResult, error)
}

// WorkerStore is what the Worker needs of the store.
type WorkerStore interface {
	DueCaptureJobs(ctx context.Context, now time.Time, limit int) ([]domain.CaptureJob, error)
	FinishCaptureJob(ctx context.Context, id int64) error
	RetryCaptureJob(ctx context.Context, id int64, next time.Time, errMsg string) error
	AppendCapture(ctx context.Context, c domain.Capture) (domain.Capture, error)
	AddVersion(ctx context.Context, v domain.ListingVersion, c *domain.Capture) (domain.ListingVersion, error)
	ListVersions(ctx context.Context, alertID int64) ([]domain.ListingVersion, error)
	GetAlert(ctx context.Context, id int64) (domain.Alert, error)
}

// WorkerOptions configure a Worker. Zero values mean the defaults; a job
// whose kind has no implementation (no Browser, say) is retried later, so
// turning the part on later does not lose it.
type WorkerOptions struct {
	Store     WorkerStore
	Blobs     Blobs
	Fetcher   Fetcher
	Browser   Browser
	Rechecker Rechecker
	// Version is markwatch's version, recorded in every capture.
	Version string
	// ImageLimit bounds an image download; default 10 MiB.
	ImageLimit int64
	Interval   time.Duration // between looks at the queue; default 10s
	Batch      int           // jobs per pass; default 20
	// MaxAttempts counts tries of one job before it is given up; default 8.
	MaxAttempts int
	// Backoff spaces a failing job's tries; default 1m doubling to 6h.
	Backoff Backoff
	Now     func() time.Time // default time.Now
	Rand    func() float64   // jitter in [0,1); default math/rand/v2
	Log     *zap.Logger
}

// Worker runs capture jobs: downloads images, takes screenshots and
// rechecks listings, storing each result as a new capture. The artefacts
// are in Blobs before the capture row is written, so no row ever points at
// a missing file; a crash between the two leaves a harmless file and the
// job, still due, runs again.
type Worker struct {
	opts WorkerOptions
	// pass serialises Tick so a job is not run twice at once.
	pass sync.Mutex
}

// NewWorker checks the options and fills defaults.
func NewWorker(opts WorkerOptions) (*Worker, error) {
	if opts.Store == nil || opts.Blobs == nil {
		return nil, errors.New("creating capture worker: no store or no artefact store")
	}
	if opts.ImageLimit <= 0 {
		opts.ImageLimit = 10 << 20
	}
	if opts.Interval <= 0 {
		opts.Interval = 10 * time.Second
	}
	if opts.Batch <= 0 {
		opts.Batch = 20
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 8
	}
	opts.Backoff = opts.Backoff.withDefaults(time.Minute, 6*time.Hour)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Float64
	}
	if opts.Log == nil {
		opts.Log = zap.NewNop()
	}
	return &Worker{opts: opts}, nil
}

// Run works the queue until ctx ends, then returns nil. It starts no
// goroutine. A failing pass is logged; the jobs stay due.
func (w *Worker) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		n, err := w.Tick(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			w.opts.Log.Warn("capture job pass failed; trying again later", zap.Error(err))
		}
		wait := w.opts.Interval
		if err == nil && n == w.opts.Batch {
			wait = 0 // more are due
		}
		t.Reset(wait)
	}
}

// Tick runs the jobs due now and returns how many it took. A job's own
// failure is recorded on the job (retry with backoff, or given up); the
// error is for the store failing.
func (w *Worker) Tick(ctx context.Context) (int, error) {
	w.pass.Lock()
	defer w.pass.Unlock()
	jobs, err := w.opts.Store.DueCaptureJobs(ctx, w.opts.Now(), w.opts.Batch)
	if err != nil {
		return 0, fmt.Errorf("reading due capture jobs: %w", err)
	}
	for _, j := range jobs {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if err := w.settle(ctx, j, w.run(ctx, j)); err != nil {
			return len(jobs), err
		}
	}
	return len(jobs), nil
}

// settle records a job's outcome.
func (w *Worker) settle(ctx context.Context, j domain.CaptureJob, jobErr error) error {
	log := w.opts.Log.With(zap.Int64("job_id", j.ID), zap.String("kind", j.Kind), zap.Int64("alert_id", j.AlertID))
	if jobErr == nil {
		if err := w.opts.Store.FinishCaptureJob(ctx, j.ID); err != nil {
			return fmt.Errorf("finishing capture job %d: %w", j.ID, err)
		}
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err() // shutting down: the job stays due as it was
	}
	attempts := j.Attempts + 1
	// An invalid job (an image over the limit, an alert gone) fails the
	// same way every time: trying again only costs the marketplace.
	code := domain.ErrorCode(jobErr)
	if code == domain.EINVALID || code == domain.ENOTFOUND || attempts >= w.opts.MaxAttempts {
		log.Error("capture job given up", zap.Error(jobErr), zap.Int("attempts", attempts))
		if err := w.opts.Store.FinishCaptureJob(ctx, j.ID); err != nil {
			return fmt.Errorf("giving up capture job %d: %w", j.ID, err)
		}
		return nil
	}
	wait := w.opts.Backoff.Delay(attempts, w.opts.Rand())
	log.Warn("capture job failed; retrying", zap.Error(jobErr), zap.Int("attempts", attempts), zap.Duration("retry_in", wait))
	if err := w.opts.Store.RetryCaptureJob(ctx, j.ID, w.opts.Now().Add(wait), jobErr.Error()); err != nil {
		return fmt.Errorf("rescheduling capture job %d: %w", j.ID, err)
	}
	return nil
}

func (w *Worker) run(ctx context.Context, j domain.CaptureJob) error {
	alert, err := w.opts.Store.GetAlert(ctx, j.AlertID)
	if err != nil {
		return fmt.Errorf("reading alert %d: %w", j.AlertID, err)
	}
	switch j.Kind {
	case JobImage:
		return w.image(ctx, j, alert)
	case JobScreenshot:
		return w.screenshot(ctx, j, alert)
	case JobRecheck:
		return w.recheck(ctx, alert)
	}
	return domain.Errorf(domain.EINVALID, "capture job %d: unknown kind %q", j.ID, j.Kind)
}

func (w *Worker) image(ctx context.Context, j domain.CaptureJob, alert domain.Alert) error {
	if w.opts.Fetcher == nil {
		return domain.Errorf(domain.EUNAVAILABLE, "no image fetcher configured")
	}
	body, mediaType, fetch, err := w.opts.Fetcher.FetchImage(ctx, alert, j.URL, w.opts.ImageLimit)
	if err != nil {
		return fmt.Errorf("fetching image %s: %w", j.URL, err)
	}
	ref, err := w.put(ctx, body, mediaType, domain.RoleImage)
	if err != nil {
		return err
	}
	return w.appendCapture(ctx, alert, fetch, ref)
}

func (w *Worker) screenshot(ctx context.Context, j domain.CaptureJob, alert domain.Alert) error {
	if w.opts.Browser == nil {
		return domain.Errorf(domain.EUNAVAILABLE, "no browser configured")
	}
	url := j.URL
	if url == "" {
		url = alert.URL
	}
	png, mhtml, fetch, err := w.opts.Browser.CapturePage(ctx, alert, url)
	if err != nil {
		return fmt.Errorf("capturing page %s: %w", url, err)
	}
	shot, err := w.put(ctx, png, "image/png", domain.RoleScreenshot)
	if err != nil {
		return err
	}
	refs := []domain.ArtefactRef{shot}
	if len(mhtml) > 0 {
		snap, err := w.put(ctx, mhtml, "multipart/related", domain.RoleSnapshot)
		if err != nil {
			return err
		}
		refs = append(refs, snap)
	}
	return w.appendCapture(ctx, alert, fetch, refs...)
}

// recheck stores what the listing shows now: a new version with its
// capture when anything changed, else a capture of the current version —
// that the listing was still up at this time is evidence too.
func (w *Worker) recheck(ctx context.Context, alert domain.Alert) error {
	if w.opts.Rechecker == nil {
		return domain.Errorf(domain.EUNAVAILABLE, "no rechecker configured")
	}
	res, err := w.opts.Rechecker.Recheck(ctx, alert)
	if err != nil {
		return fmt.Errorf("rechecking %s: %w", alert.URL, err)
	}
	var refs []domain.ArtefactRef
	if len(res.Fetch.Body) > 0 {
		ref, err := w.put(ctx, res.Fetch.Body, mediaTypeOf(res.Fetch), domain.RoleDetailPage)
		if err != nil {
			return err
		}
		refs = append(refs, ref)
	}
	versions, err := w.opts.Store.ListVersions(ctx, alert.ID)
	if err != nil {
		return fmt.Errorf("reading versions of alert %d: %w", alert.ID, err)
	}
	now := w.opts.Now().UTC()
	v := domain.ListingVersion{
		AlertID: alert.ID, SeenAt: now, Title: res.Title, Price: res.Price, Seller: res.Seller,
		ImageURL: res.ImageURL, Available: res.Available && !res.Removed, Removed: res.Removed,
	}
	if res.Removed && len(versions) > 0 {
		// A removed page shows nothing: keep the last known details so
		// that only the removal counts as the change.
		last := versions[len(versions)-1]
		v.Title, v.Price, v.Seller, v.ImageURL = last.Title, last.Price, last.Seller, last.ImageURL
	}
	c := w.capture(alert, res.Fetch, refs...)
	if len(versions) > 0 && sameVersion(versions[len(versions)-1], v) {
		c.Version = versions[len(versions)-1].Version
		if _, err := w.opts.Store.AppendCapture(ctx, c); err != nil {
			return fmt.Errorf("storing recheck capture of alert %d: %w", alert.ID, err)
		}
		return nil
	}
	if _, err := w.opts.Store.AddVersion(ctx, v, &c); err != nil {
		return fmt.Errorf("storing new version of alert %d: %w", alert.ID, err)
	}
	return nil
}

func sameVersion(a, b domain.ListingVersion) bool {
	return a.Title == b.Title && a.Price == b.Price && a.Seller == b.Seller && a.ImageURL == b.ImageURL &&
		a.Available == b.Available && a.Removed == b.Removed
}

func (w *Worker) put(ctx context.Context, b []byte, mediaType, role string) (domain.ArtefactRef, error) {
	ref, err := w.opts.Blobs.Put(ctx, bytes.NewReader(b), mediaType)
	if err != nil {
		return domain.ArtefactRef{}, fmt.Errorf("storing %s artefact: %w", role, err)
	}
	ref.Role = role
	return ref, nil
}

// appendCapture stores a capture of the alert's current version.
func (w *Worker) appendCapture(ctx context.Context, alert domain.Alert, fetch domain.Fetch, refs ...domain.ArtefactRef) error {
	versions, err := w.opts.Store.ListVersions(ctx, alert.ID)
	if err != nil {
		return fmt.Errorf("reading versions of alert %d: %w", alert.ID, err)
	}
	c := w.capture(alert, fetch, refs...)
	if len(versions) > 0 {
		c.Version = versions[len(versions)-1].Version
	}
	if _, err := w.opts.Store.AppendCapture(ctx, c); err != nil {
		return fmt.Errorf("storing capture of alert %d: %w", alert.ID, err)
	}
	return nil
}

func (w *Worker) capture(alert domain.Alert, fetch domain.Fetch, refs ...domain.ArtefactRef) domain.Capture {
	fetch.Body = nil // in the artefacts
	return domain.Capture{
		AlertID: alert.ID, SourceID: alert.SourceID, MarkID: alert.MarkID, ListingURL: alert.URL,
		Fetch: fetch, Artefacts: refs, MarkwatchVersion: w.opts.Version, CapturedAt: w.opts.Now().UTC(),
	}
}

// mediaTypeOf is the response's Content-Type, or HTML when it had none.
func mediaTypeOf(f domain.Fetch) string {
	for k, v := range f.Headers {
		if len(v) > 0 && strings.EqualFold(k, "Content-Type") {
			return v[0]
		}
	}
	return "text/html"
}
