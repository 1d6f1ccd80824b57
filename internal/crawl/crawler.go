package crawl

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// Why a run ended (Stats.EndReason).
const (
	EndDone       = "done"        // every query ran out of results
	EndMaxPages   = "max_pages"   // at least one query was cut at max_pages
	EndCancelled  = "cancelled"   // the context was cancelled
	EndEmitFailed = "emit_failed" // the consumer refused a listing
	EndFailed     = "failed"      // no page could be fetched
	EndNoQueries  = "no_queries"
)

// Pacer spaces requests to one host across processes: Wait returns
// when this request's turn, at least delay after the previous one, has
// come, or when ctx ends.
type Pacer interface {
	Wait(ctx context.Context, host string, delay time.Duration) error
}

// Options configure a Crawler. The zero value is usable; tests inject a
// Transport, a clock and a seeded Rand.
type Options struct {
	Log *zap.Logger
	// Pacer, when set, keeps a source's delay between two requests to a
	// host across every process crawling it (the distributed mode's
	// workers, jobs.Pacer); nil keeps it per process only.
	Pacer Pacer
	// Transport carries the requests; nil means a fresh http.Transport.
	Transport http.RoundTripper
	// AllowPrivate lets requests go to loopback and private addresses.
	// Without it every request (and every redirect) is checked by name, and
	// the Crawler's own transports check every address they dial. The demo
	// marketplace and tests on loopback need it; production does not.
	AllowPrivate bool
	Now          func() time.Time
	// Rand draws the random part of delays and backoff. It is used under a
	// lock, so one Rand may serve concurrent runs.
	Rand *rand.Rand
	// Getenv reads the variables named by headers_from_env; nil means
	// os.Getenv.
	Getenv func(string) string
	// BrowserPath is the Chromium binary for sources with render: chromium;
	// "" looks for chromium, chromium-browser and google-chrome on PATH.
	BrowserPath string
	// Resolver looks up host names for the private-address checks and for
	// dialling; nil means net.DefaultResolver. Tests inject one.
	Resolver Resolver
	// AllowAddresses are exact addresses (IP and port) that may be reached
	// even when AllowPrivate is false: the demo marketplace's listener,
	// without the rest of the operator's network.
	AllowAddresses []netip.AddrPort
	// MaxItems caps the listings of one page; 0 means DefaultMaxItems.
	MaxItems int
	// MaxRunBytes caps the bytes of page bodies one run holds; 0 means
	// DefaultMaxRunBytes.
	MaxRunBytes int64
	// Images hashes listing images for sources with images.fetch; nil
	// means no image is fetched. imagesig.Hasher is one.
	Images ImageHasher
	// ImageCacheSize bounds the Crawler's cache of image hashes by URL;
	// 0 means DefaultImageCacheSize.
	ImageCacheSize int
	// Contacts reads a seller's contacts out of a listing card's or
	// listing page's visible text (seller.Contacts); nil reads none. It is
	// called from several goroutines at once.
	Contacts func(text string) []domain.Contact
}

// ImageHasher turns an image's bytes into its perceptual hash. It is called
// from several goroutines at once.
type ImageHasher interface {
	Hash(body []byte) (domain.PHash, error)
}

// Defaults of the per-page and per-run limits (Options).
const (
	DefaultMaxItems    = 500
	DefaultMaxRunBytes = 256 << 20
)

// Crawler runs sources. It holds no per-run state: runs may overlap.
type Crawler struct {
	log          *zap.Logger
	transport    http.RoundTripper
	allowPrivate bool
	now          func() time.Time
	getenv       func(string) string
	browserPath  string
	res          Resolver // nil: net.DefaultResolver
	pacer        Pacer    // nil: politeness per process only
	allowAddrs   map[netip.AddrPort]bool
	// Limits from Options; 0 means the default (see maxItems, maxRunBytes).
	maxItemsOpt    int
	maxRunBytesOpt int64
	hasher         ImageHasher
	contacts       func(string) []domain.Contact
	imageCache     *imageCache

	randMu sync.Mutex
	rand   *rand.Rand

	// One-off requests (FetchImage, Recheck, CapturePage) outside runs:
	// their transport, made on first use, and per host the earliest time
	// the next one may start, so they keep the source's delay.
	oneOffOnce      sync.Once
	oneOffTransport http.RoundTripper
	hostMu          sync.Mutex
	hostNext        map[string]time.Time
	// robots.txt groups for one-off requests, by source and host.
	robotsMu    sync.Mutex
	robotsCache map[string]robotsEntry
}

// Stats summarise one run.
type Stats struct {
	Pages int `json:"pages"`
	// DetailPages counts listing pages requested to fill missing fields.
	DetailPages int            `json:"detail_pages,omitempty"`
	Listings    int            `json:"listings"`
	Errors      map[string]int `json:"errors,omitempty"` // by kind: http_429, http_5xx, http_4xx, timeout, too_large, truncated, parse, robots, redirect, encoding, ...
	// EndReason is one of the End* constants.
	EndReason string `json:"end_reason"`
	// Health is what extraction reported over the run's pages (see Health).
	Health *domain.RunHealth `json:"health,omitempty"`
	// Images counts the listing images of a source with images.fetch.
	Images ImageStats `json:"images,omitzero"`
}

// ImageStats count a run's listing images. A failed image never costs its
// listing, which goes out without a hash; failures are not in Stats.Errors,
// which count pages.
type ImageStats struct {
	Fetched int `json:"fetched"`
	// Cached: hashes known without a request (from an earlier run, or from
	// another listing of this run with the same image URL).
	Cached int `json:"cached"`
	Failed int `json:"failed"`
	// Errors are the failures by kind: too_large, content_type,
	// image_decode, image_url, private_address, timeout, http_4xx, ...
	Errors map[string]int `json:"errors,omitempty"`
}

// New returns a Crawler.
func New(opts Options) *Crawler {
	c := &Crawler{
		log: opts.Log, transport: opts.Transport, allowPrivate: opts.AllowPrivate,
		now: opts.Now, rand: opts.Rand, getenv: opts.Getenv, browserPath: opts.BrowserPath, res: opts.Resolver,
		maxItemsOpt: opts.MaxItems, maxRunBytesOpt: opts.MaxRunBytes,
		hasher: opts.Images, contacts: opts.Contacts, imageCache: newImageCache(opts.ImageCacheSize),
		pacer: opts.Pacer,
	}
	if c.log == nil {
		c.log = zap.NewNop()
	}
	for _, ap := range opts.AllowAddresses {
		if c.allowAddrs == nil {
			c.allowAddrs = map[netip.AddrPort]bool{}
		}
		c.allowAddrs[netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())] = true
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.rand == nil {
		seed := uint64(c.now().UnixNano())
		c.rand = rand.New(rand.NewPCG(seed, seed>>1|1))
	}
	if c.getenv == nil {
		c.getenv = os.Getenv
	}
	return c
}

// findBrowser returns the Chromium binary to use, or "".
func (c *Crawler) findBrowser() string {
	if c.browserPath != "" {
		return c.browserPath
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// jitter returns a random duration in [0, d).
func (c *Crawler) jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	c.randMu.Lock()
	defer c.randMu.Unlock()
	return time.Duration(c.rand.Int64N(int64(d)))
}

// headers resolves headers_from_env. A missing variable is an error, not a
// silently anonymous crawl that gets different (or no) results.
func (c *Crawler) headers(src Source) (map[string]string, error) {
	out := map[string]string{}
	for h, env := range src.HeadersFromEnv {
		v := c.getenv(env)
		if v == "" {
			return nil, domain.Errorf(domain.EINVALID, "source %q: header %s: environment variable %s is not set", src.ID, h, env)
		}
		out[h] = v
	}
	return out, nil
}

// Run searches src for every query, following pagination up to MaxPages per
// query, and calls emit for each listing. emit is called from one goroutine
// at a time; an error from it stops the run. Run returns when every request
// it started has finished; cancelling ctx aborts requests, waits and
// retries, so it returns promptly.
func (c *Crawler) Run(ctx context.Context, src Source, queries []string, emit func(domain.Listing) error) (Stats, error) {
	if src.Render == RenderChromium && c.findBrowser() == "" {
		return Stats{EndReason: EndFailed}, domain.Errorf(domain.EUNAVAILABLE,
			"source %q: render: chromium needs headless Chromium: install Debian's chromium package", src.ID)
	}
	if len(queries) == 0 {
		return Stats{EndReason: EndNoQueries}, nil
	}
	hdr, err := c.headers(src)
	if err != nil {
		return Stats{EndReason: EndFailed}, fmt.Errorf("starting crawl: %w", err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := newRun(c, src, runCtx, cancel, emit)
	r.transport = c.transport
	if r.transport == nil {
		t := c.newTransport()
		// Keep a connection per slot: the default of 2 idle connections per
		// host makes parallel slots reconnect on every request.
		t.MaxIdleConnsPerHost = max(src.Parallelism, 2)
		// Idle connections keep goroutines alive; a run leaves none behind.
		defer t.CloseIdleConnections()
		r.transport = t
	}
	r.polite = r.newPolite()
	r.images = newImageStage(r, hdr)
	if src.Render == RenderChromium {
		r.runBrowser(queries, hdr)
	} else {
		col := r.collector(hdr)
		for _, q := range queries {
			r.visit(col, q, 0, "")
		}
		col.Wait()
	}
	// Every page has been handled; the last listings may still wait for
	// their images.
	r.images.wait()

	st := r.stats()
	switch {
	case r.emitErr != nil:
		st.EndReason = EndEmitFailed
		return st, fmt.Errorf("crawling %s: emitting listing: %w", src.ID, r.emitErr)
	case ctx.Err() != nil:
		st.EndReason = EndCancelled
		return st, fmt.Errorf("crawling %s: %w", src.ID, ctx.Err())
	case st.Pages == 0 && len(st.Errors) > 0:
		st.EndReason = EndFailed
		return st, domain.Errorf(domain.EUNAVAILABLE, "crawling %s: no page could be fetched (errors: %v)", src.ID, st.Errors)
	case r.hitMaxPages:
		st.EndReason = EndMaxPages
	default:
		st.EndReason = EndDone
	}
	return st, nil
}

// ErrorKinds lists the kinds Run can count, for callers that export metrics.
func ErrorKinds() []string {
	return []string{KindHTTP429, KindHTTP5xx, KindHTTP4xx, KindTimeout, KindTooLarge, KindTrunc,
		KindParse, KindEncoding, KindRobots, KindRedirect, KindDomain, KindFetch, KindEmit, KindPrivate,
		KindTooManyItems, KindRunMemory}
}
