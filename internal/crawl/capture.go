package crawl

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/markwatch/markwatch/internal/domain"
)

// Bounds of CapturePage.
const (
	// CaptureWidth and CaptureHeight are the browser window (CSS pixels);
	// the screenshot covers the whole page, not just this viewport.
	CaptureWidth  = 1280
	CaptureHeight = 900
	// CaptureMaxHeight cuts endless pages (infinite scroll) at this many
	// CSS pixels.
	CaptureMaxHeight = 16384
	// CaptureMaxBytes bounds the PNG and the MHTML snapshot each.
	CaptureMaxBytes = 32 << 20
	// captureExtra is allowed beyond the source's timeout for the browser
	// to start and for the screenshot and snapshot.
	captureExtra = 30 * time.Second
)

// CapturePage loads a listing's page in headless Chromium (the flags of
// render: chromium, a CaptureWidth×CaptureHeight window, the source's user
// agent and headers), waits for it to load and returns a full-page PNG
// (Page.captureScreenshot beyond the viewport, clipped to the page's content
// size up to CaptureMaxHeight), an MHTML snapshot (Page.captureSnapshot) and
// the record of the document's fetch (Rendered). The page must be on the
// source's allowed domains and, unless the Crawler allows private addresses,
// neither the URL, where it ends up nor the address dialled may be private.
// It takes at most the source's timeout plus 30 s.
func (c *Crawler) CapturePage(ctx context.Context, src Source, pageURL string) (png, mhtml []byte, f domain.Fetch, err error) {
	f = domain.Fetch{RequestURL: pageURL, FinalURL: pageURL, UserAgent: src.UserAgent, Rendered: true}
	if err := checkHost(src, pageURL); err != nil {
		return nil, nil, f, err
	}
	if c.findBrowser() == "" {
		return nil, nil, f, domain.Errorf(domain.EUNAVAILABLE,
			"source %q: capturing pages needs headless Chromium: install Debian's chromium package", src.ID)
	}
	u, _ := url.Parse(pageURL)
	if c.privateURL(ctx, u) {
		return nil, nil, f, fetchErr(KindPrivate, pageURL, 0, fmt.Errorf("refusing private address %s", u.Host))
	}
	hdr, err := c.headers(src)
	if err != nil {
		return nil, nil, f, err
	}
	if !c.robotsAllow(ctx, src, hdr, u) {
		return nil, nil, f, fetchErr(KindRobots, pageURL, 0, errors.New("robots.txt disallows it"))
	}
	if err := c.politeWait(ctx, src, u.Host); err != nil {
		return nil, nil, f, fetchErr(classify(0, err), pageURL, 0, err)
	}
	timeout := src.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout+captureExtra)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, c.browserOptions(src, chromedp.WindowSize(CaptureWidth, CaptureHeight))...)
	defer cancelAlloc()
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()
	if err := chromedp.Do(tabCtx); err != nil {
		return nil, nil, f, fetchErr(classify(0, err), pageURL, 0, fmt.Errorf("starting headless chromium: %w", err))
	}
	if err := setHeaders(tabCtx, hdr); err != nil {
		return nil, nil, f, fetchErr(KindFetch, pageURL, 0, fmt.Errorf("setting browser headers: %w", err))
	}
	navCtx, cancelNav := context.WithTimeout(tabCtx, timeout)
	fp, err := navigate(navCtx, pageURL, src.UserAgent, c.now)
	cancelNav()
	if fp != nil {
		f = *fp
	}
	if err != nil {
		return nil, nil, f, fetchErr(classify(0, err), pageURL, 0, err)
	}
	if f.Status >= 400 {
		return nil, nil, f, fetchErr(classify(f.Status, nil), pageURL, f.Status, errors.New("page not served"))
	}
	if refused := c.refuseFinal(ctx, src, u, f); refused != "" {
		return nil, nil, f, fetchErr(KindRedirect, pageURL, f.Status, fmt.Errorf("refusing %s: %s", f.FinalURL, refused))
	}
	png, err = chromedp.Run(tabCtx, fullPagePNG(CaptureMaxHeight))
	if err != nil {
		return nil, nil, f, fetchErr(classify(0, err), pageURL, f.Status, fmt.Errorf("screenshot: %w", err))
	}
	snap, err := chromedp.Run(tabCtx, func(ctx context.Context, t *chromedp.Target) (page.CaptureSnapshotResult, error) {
		return cdp.Call(ctx, t, page.CaptureSnapshot, page.CaptureSnapshotParams{Format: page.CaptureSnapshotFormatMhtml})
	})
	if err != nil {
		return nil, nil, f, fetchErr(classify(0, err), pageURL, f.Status, fmt.Errorf("snapshot: %w", err))
	}
	if len(png) > CaptureMaxBytes || len(snap.Data) > CaptureMaxBytes {
		return nil, nil, f, fetchErr(KindTooLarge, pageURL, f.Status,
			fmt.Errorf("capture over %d bytes (png %d, mhtml %d)", CaptureMaxBytes, len(png), len(snap.Data)))
	}
	return png, []byte(snap.Data), f, nil
}

// refuseFinal applies the redirect rules to where the browser ended up and
// to the address it dialled; "" means allowed.
func (c *Crawler) refuseFinal(ctx context.Context, src Source, start *url.URL, f domain.Fetch) string {
	if c.refusedRemote(f.RemoteAddr) {
		return "dialled a private address " + f.RemoteAddr
	}
	fu, err := url.Parse(f.FinalURL)
	if err != nil {
		return "unparseable final URL"
	}
	if fu.Host == start.Host {
		return ""
	}
	if !slices.Contains(src.Hosts(), fu.Hostname()) {
		return "host not in allowed_domains"
	}
	if c.privateURL(ctx, fu) {
		return "private address"
	}
	return ""
}

// fullPagePNG captures the whole page beyond the viewport: the clip is the
// page's content size (Page.getLayoutMetrics), at most maxHeight high.
func fullPagePNG(maxHeight float64) chromedp.Action[[]byte] {
	return func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		m, err := cdp.Call(ctx, t, page.GetLayoutMetrics, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		w, h := float64(CaptureWidth), float64(CaptureHeight)
		if cs := m.CSSContentSize; cs != nil {
			w, h = max(cs.Width, 1), max(cs.Height, 1)
		}
		h = min(h, maxHeight)
		res, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			CaptureBeyondViewport: new(true),
			FromSurface:           new(true),
			Clip:                  &page.Viewport{X: 0, Y: 0, Width: w, Height: h, Scale: 1},
		})
		if err != nil {
			return nil, err
		}
		return res.Data, nil
	}
}
