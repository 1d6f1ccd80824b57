package app

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/evidence"
	"github.com/markwatch/markwatch/internal/packet"
	"github.com/markwatch/markwatch/internal/schedule"
)

// evidenceKeyFile holds the ed25519 key that signs the evidence log's tree
// heads.
const evidenceKeyFile = "evidence.key"

// evidenceKit is what every part that keeps or checks evidence shares: the
// artefact store, the tree-head signer and the TSA's roots.
type evidenceKit struct {
	blobs    *evidence.FS
	signer   *evidence.Signer
	tsaRoots *x509.CertPool // nil: the token's own certificate is trusted as is
	tsaCAPEM []byte
}

// openEvidence opens the artefact directory and the signing key (generated
// at first start) and reads the TSA's CA file if one is configured.
func openEvidence(cfg config.Config) (*evidenceKit, error) {
	dir := cfg.Evidence.Dir
	if dir == "" {
		dir = filepath.Join(cfg.DataDir, "evidence")
	}
	blobs, err := evidence.NewFS(dir, int64(cfg.Evidence.MaxArtefactMB)<<20)
	if err != nil {
		return nil, fmt.Errorf("opening evidence.dir %s: %w", dir, err)
	}
	keyPath := cfg.Evidence.KeyFile
	if keyPath == "" {
		keyPath = filepath.Join(cfg.DataDir, evidenceKeyFile)
	}
	signer, err := evidence.LoadSigner(keyPath)
	if err != nil {
		return nil, fmt.Errorf("loading the evidence signing key: %w", err)
	}
	kit := &evidenceKit{blobs: blobs, signer: signer}
	if cfg.Evidence.TSACA != "" {
		pem, err := os.ReadFile(cfg.Evidence.TSACA)
		if err != nil {
			return nil, fmt.Errorf("reading evidence.tsa_ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, domain.Errorf(domain.EINVALID, "evidence.tsa_ca %s holds no PEM certificate", cfg.Evidence.TSACA)
		}
		kit.tsaRoots, kit.tsaCAPEM = pool, pem
	}
	return kit, nil
}

// keeper stores the raw pages of alerting listings before the store's
// transaction refers to them (pipeline.Evidence).
type keeper struct{ blobs evidence.Blobs }

func (k keeper) Keep(ctx context.Context, l domain.Listing) ([]domain.ArtefactRef, error) {
	var refs []domain.ArtefactRef
	for _, p := range []struct {
		f    *domain.Fetch
		role string
	}{{l.Fetch, domain.RoleSearchPage}, {l.DetailFetch, domain.RoleDetailPage}} {
		if p.f == nil || len(p.f.Body) == 0 {
			continue
		}
		ref, err := k.blobs.Put(ctx, bytes.NewReader(p.f.Body), pageMediaType(p.f))
		if err != nil {
			return nil, fmt.Errorf("keeping %s %s: %w", p.role, p.f.FinalURL, err)
		}
		ref.Role = p.role
		refs = append(refs, ref)
	}
	return refs, nil
}

// pageMediaType is the page's Content-Type as the server sent it (charset
// included: it says how to read the raw bytes), or text/html.
func pageMediaType(f *domain.Fetch) string {
	for k, v := range f.Headers {
		if len(v) > 0 && (k == "Content-Type" || k == "content-type") {
			if _, _, err := mime.ParseMediaType(v[0]); err == nil {
				return v[0]
			}
		}
	}
	return "text/html"
}

// captureCrawler gives the evidence worker the crawler's image fetch, page
// capture and recheck, each with the politeness and address rules of the
// alert's source.
type captureCrawler struct{ sc *sourceCrawler }

func (c captureCrawler) source(a domain.Alert) (crawl.Source, *crawl.Crawler, error) {
	src, ok := c.sc.sources[a.SourceID]
	if !ok {
		return crawl.Source{}, nil, domain.Errorf(domain.EUNAVAILABLE, "source %q of alert %d is not configured now", a.SourceID, a.ID)
	}
	return src, c.sc.crawler(src), nil
}

func (c captureCrawler) FetchImage(ctx context.Context, a domain.Alert, url string, limit int64) ([]byte, string, domain.Fetch, error) {
	src, cr, err := c.source(a)
	if err != nil {
		return nil, "", domain.Fetch{}, err
	}
	return cr.FetchImage(ctx, src, url, limit)
}

func (c captureCrawler) CapturePage(ctx context.Context, a domain.Alert, url string) ([]byte, []byte, domain.Fetch, error) {
	src, cr, err := c.source(a)
	if err != nil {
		return nil, nil, domain.Fetch{}, err
	}
	return cr.CapturePage(ctx, src, url)
}

func (c captureCrawler) Recheck(ctx context.Context, a domain.Alert) (evidence.RecheckResult, error) {
	src, cr, err := c.source(a)
	if err != nil {
		return evidence.RecheckResult{}, err
	}
	r, err := cr.Recheck(ctx, src, a.URL)
	if err != nil {
		return evidence.RecheckResult{}, err
	}
	return evidence.RecheckResult{Removed: r.Removed, Title: r.Title, Price: r.Price, Seller: r.Seller,
		ImageURL: r.ImageURL, Available: !r.Removed, Fetch: r.Fetch}, nil
}

// startEvidence starts the notary (signed tree heads, TSA stamps), the
// capture worker (images, screenshots, rechecks) and the recheck schedule,
// each in a goroutine stop waits for.
func (d *daemon) startEvidence(bgCtx context.Context, sc *sourceCrawler) error {
	var tsa evidence.Stamper
	if d.cfg.Evidence.TSAURL != "" {
		tsa = &evidence.TSAClient{URL: d.cfg.Evidence.TSAURL, Roots: d.evidence.tsaRoots}
	}
	notary, err := evidence.NewNotary(evidence.NotaryOptions{
		Store: d.db, Signer: d.evidence.signer, TSA: tsa, HeadInterval: d.cfg.Evidence.HeadInterval,
		Now: d.now, Log: d.log.Named("notary"),
	})
	if err != nil {
		return fmt.Errorf("starting the evidence notary: %w", err)
	}
	cc := captureCrawler{sc}
	var browser evidence.Browser = cc
	if packet.FindBrowser() == "" {
		// Screenshot jobs wait in the store until Chromium is installed
		// (make chromium); everything else is captured now.
		browser = nil
		d.log.Warn("no Chromium found: screenshots of alerts wait until it is installed (make chromium)")
	}
	worker, err := evidence.NewWorker(evidence.WorkerOptions{
		Store: d.db, Blobs: d.evidence.blobs, Fetcher: cc, Browser: browser, Rechecker: cc,
		Version: Version, Now: d.now, Log: d.log.Named("capture"),
	})
	if err != nil {
		return fmt.Errorf("starting the capture worker: %w", err)
	}
	d.goDrain(bgCtx, "notary", notary.Run)
	d.goDrain(bgCtx, "capture worker", worker.Run)
	return d.startRechecks(bgCtx)
}

// startRechecks enqueues, on each source's evidence.recheck schedule, a
// recheck of every listing under alert from that source.
func (d *daemon) startRechecks(bgCtx context.Context) error {
	loc, err := d.cfg.Schedule.Location()
	if err != nil {
		return err
	}
	type plan struct {
		id  string
		sch interface{ Next(time.Time) time.Time }
	}
	var plans []plan
	for _, src := range d.sources {
		if src.Evidence.Recheck == "" {
			continue
		}
		sch, err := parseRecheck(src.Evidence.Recheck, loc)
		if err != nil {
			return fmt.Errorf("source %s (%s): evidence.recheck: %w", src.ID, src.File, err)
		}
		plans = append(plans, plan{src.ID, sch})
	}
	if len(plans) == 0 {
		return nil
	}
	d.goDrain(bgCtx, "rechecks", func(ctx context.Context) error {
		next := make([]time.Time, len(plans))
		for i, p := range plans {
			next[i] = p.sch.Next(d.now())
		}
		for {
			soonest := 0
			for i := range next {
				if next[i].Before(next[soonest]) {
					soonest = i
				}
			}
			t := time.NewTimer(time.Until(next[soonest]))
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
			p := plans[soonest]
			if n, err := d.db.EnqueueRechecks(ctx, p.id, d.now()); err != nil {
				d.log.Warn("enqueueing rechecks", zap.String("source_id", p.id), zap.Error(err))
			} else {
				d.log.Info("rechecks enqueued", zap.String("source_id", p.id), zap.Int("listings", n))
			}
			next[soonest] = p.sch.Next(d.now())
		}
	})
	return nil
}

// parseRecheck reads a source's evidence.recheck with the scheduler's own
// parser, in the schedule's zone unless the spec names one (CRON_TZ=).
func parseRecheck(spec string, loc *time.Location) (interface{ Next(time.Time) time.Time }, error) {
	if !strings.HasPrefix(spec, "CRON_TZ=") && !strings.HasPrefix(spec, "TZ=") && !strings.HasPrefix(spec, "@every") {
		spec = "CRON_TZ=" + loc.String() + " " + spec
	}
	s, err := schedule.NewParser().Parse(spec)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "%q is not a cron spec: %v", spec, err)
	}
	return s, nil
}
