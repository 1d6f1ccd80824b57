package app

import (
	"fmt"
	"os"

	defaults "github.com/markwatch/markwatch/config"
	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/crawl"
)

// demoSourceID is the source definition that reads the demo marketplace.
const demoSourceID = "demo"

// loadSources reads the source definitions. With no sources.dir the embedded
// ones are used, and of those only the demo runs: the embedded jd and taobao
// definitions are examples for operators (real marketplaces need a decision
// about what to crawl, cookies and a network), not something a fresh install
// should start hitting.
//
// demo is the embedded demo definition when it is among them, else nil. It
// is recognised by where it came from, never by its id: a source file of an
// operator's named "demo" is an ordinary source and gets no loopback access.
func loadSources(cfg config.Config) (srcs []crawl.Source, demo *crawl.Source, err error) {
	if cfg.Sources.Dir != "" {
		srcs, err := crawl.LoadSources(os.DirFS(cfg.Sources.Dir), ".")
		if err != nil {
			return nil, nil, fmt.Errorf("loading sources from %s: %w", cfg.Sources.Dir, err)
		}
		return srcs, nil, nil
	}
	all, err := crawl.LoadSources(defaults.FS, defaults.SourcesDir)
	if err != nil {
		return nil, nil, fmt.Errorf("loading embedded sources: %w", err)
	}
	for _, s := range all {
		if s.ID == demoSourceID && cfg.Sources.Demo.Enabled {
			srcs = append(srcs, s)
		}
	}
	if len(srcs) == 1 {
		demo = &srcs[0]
	}
	return srcs, demo, nil
}
