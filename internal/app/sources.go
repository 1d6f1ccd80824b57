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
func loadSources(cfg config.Config) ([]crawl.Source, error) {
	if cfg.Sources.Dir != "" {
		srcs, err := crawl.LoadSources(os.DirFS(cfg.Sources.Dir), ".")
		if err != nil {
			return nil, fmt.Errorf("loading sources from %s: %w", cfg.Sources.Dir, err)
		}
		return srcs, nil
	}
	all, err := crawl.LoadSources(defaults.FS, defaults.SourcesDir)
	if err != nil {
		return nil, fmt.Errorf("loading embedded sources: %w", err)
	}
	var out []crawl.Source
	for _, s := range all {
		if s.ID == demoSourceID && cfg.Sources.Demo.Enabled {
			out = append(out, s)
		}
	}
	return out, nil
}
