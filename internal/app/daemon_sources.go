package app

import (
	"fmt"
	"net/netip"
	"net/url"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/demo"
	"github.com/markwatch/markwatch/internal/jobs"
)

// startDemo serves the demo marketplace on loopback and points the demo
// source at wherever it actually listens.
func (d *daemon) startDemo() error {
	if !d.cfg.Sources.Demo.Enabled {
		return nil
	}
	d.demo = demo.NewServer(demo.Options{Addr: d.cfg.Sources.Demo.Listen, Log: d.log.Named("demo")})
	base, err := d.demo.Start()
	d.demoBase = base
	if err != nil {
		d.demo = nil
		return fmt.Errorf("starting the demo marketplace (sources.demo.listen %s; set MARKWATCH_SOURCES_DEMO_LISTEN to another port): %w", d.cfg.Sources.Demo.Listen, err)
	}
	for i := range d.sources {
		if d.isDemo(d.sources[i]) {
			d.sources[i].BaseURL = base
		}
	}
	return nil
}

// newSourceCrawler gives each source the crawler that may reach it: only the
// demo's may fetch from loopback unless the operator allowed private addresses.
func (d *daemon) newSourceCrawler() *sourceCrawler {
	opts := crawlOptions(d.log, d.cfg.Crawl.AllowPrivateAddresses, d.now)
	if d.jobPool != nil {
		// workers keep each source's delay between them, not only each
		opts.Pacer = jobs.NewPacer(d.jobPool)
	}
	normal := crawl.New(opts)
	// The demo marketplace lives on loopback by design: its crawler may reach
	// exactly the demo's listener, and no other address of this network.
	if d.demo != nil {
		if ap, err := demoAddr(d.demoBase); err == nil {
			opts.AllowAddresses = []netip.AddrPort{ap}
		}
	}
	demoCrawler := crawl.New(opts)
	byID := make(map[string]crawl.Source, len(d.sources))
	for _, s := range d.sources {
		byID[s.ID] = s
	}
	return &sourceCrawler{
		sources:  byID,
		runs:     map[string]int{},
		runIndex: d.db.FinishedRuns,
		plan: func(src crawl.Source, run int) []string {
			return crawl.PlanQueries(d.marks, src.QueriesPerRun, run)
		},
		crawler: func(src crawl.Source) *crawl.Crawler {
			if d.isDemo(src) && d.demo != nil {
				return demoCrawler
			}
			return normal
		},
	}
}

// isDemo reports an embedded demo definition, by where it was loaded from.
func (d *daemon) isDemo(src crawl.Source) bool { return isDemoSource(d.demoFiles, src) }

// demoAddr is the demo marketplace's listener as an address, from its base
// URL ("http://127.0.0.1:8089").
func demoAddr(base string) (netip.AddrPort, error) {
	u, err := url.Parse(base)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("reading the demo's address %q: %w", base, err)
	}
	ap, err := netip.ParseAddrPort(u.Host)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("reading the demo's address %q: %w", base, err)
	}
	return ap, nil
}
