package packet

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/markwatch/markwatch/internal/domain"
)

// PDFTimeout bounds RenderPDF when ctx has no deadline.
const PDFTimeout = 2 * time.Minute

// FindBrowser returns the Chromium binary on PATH (chromium,
// chromium-browser, google-chrome, google-chrome-stable), or "".
func FindBrowser() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// RenderPDF prints an HTML packet to an A4 PDF (backgrounds printed, page
// numbers in the footer) with headless Chromium at browserPath ("" finds
// it on PATH). The document is written to a private temporary file and
// loaded from there; the browser's network is cut (a dead proxy for every
// frame, http(s) and ws(s) blocked in the page), so the page can load
// nothing from outside even if it tried. Without a browser
// the error is EUNAVAILABLE.
func RenderPDF(ctx context.Context, html []byte, browserPath string) ([]byte, error) {
	if browserPath == "" {
		browserPath = FindBrowser()
	}
	if browserPath == "" {
		return nil, domain.Errorf(domain.EUNAVAILABLE, "case packet PDF needs headless Chromium: install Debian's chromium package (deploy/scripts/install-chromium.sh) and fonts-noto-cjk (deploy/scripts/install-fonts.sh)")
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, PDFTimeout)
		defer cancel()
	}
	dir, err := os.MkdirTemp("", "markwatch-packet-")
	if err != nil {
		return nil, fmt.Errorf("packet pdf: %w", err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "packet.html")
	if err := os.WriteFile(file, html, 0o600); err != nil {
		return nil, fmt.Errorf("packet pdf: %w", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browserPath),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.Flag("allow-file-access-from-files", false),
		// Every frame and worker of the browser goes through a proxy that
		// is not there, loopback included: nothing reaches the network.
		chromedp.ProxyServer("http://127.0.0.1:9"),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
	)
	if os.Geteuid() == 0 {
		// Chromium refuses to start as root with its sandbox on
		// (containers, CI).
		opts = append(opts, chromedp.NoSandbox)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc() // also waits for the browser to exit
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()
	block := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: []*network.BlockPattern{
			{URLPattern: "http://*:*/*", Block: true}, {URLPattern: "https://*:*/*", Block: true},
			{URLPattern: "ws://*:*/*", Block: true}, {URLPattern: "wss://*:*/*", Block: true},
		}})
		return err
	})
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(file)}
	if err := chromedp.Do(tabCtx, block, chromedp.Navigate(u.String())); err != nil {
		return nil, fmt.Errorf("packet pdf: loading the packet in chromium: %w", err)
	}
	pdf, err := chromedp.Run(tabCtx, chromedp.PrintToPDF(
		chromedp.PDFPaper(chromedp.PaperA4),
		chromedp.PDFPrintBackground(),
		chromedp.PDFPreferCSSPageSize(),
		chromedp.PDFMargins(0.63, 0.55, 0.71, 0.55),
		chromedp.PDFHeaderTemplate(`<div></div>`),
		chromedp.PDFOutlineAndTagged(),
		chromedp.PDFStream(), // a packet with screenshots is megabytes
		chromedp.PDFFooterTemplate(`<div style="font-size:8px;width:100%;text-align:center;color:#555;font-family:'Noto Sans CJK SC',sans-serif">第 <span class="pageNumber"></span> 页 / 共 <span class="totalPages"></span> 页</div>`),
	))
	if err != nil {
		return nil, fmt.Errorf("packet pdf: printing: %w", err)
	}
	return pdf, nil
}
