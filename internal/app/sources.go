package app

import (
	"context"
	"fmt"
	"os"

	"go.uber.org/zap"

	defaults "github.com/markwatch/markwatch/config"
	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/store"
)

// demoSourceID is the demo's first platform (冀货通), the one tests drive.
const demoSourceID = "demo"

// demoSources are the embedded definitions that read the demo marketplace:
// its three platforms, across which the demo's counterfeit ring sells.
var demoSources = map[string]bool{demoSourceID: true, "demo-pifa": true, "demo-youxuan": true}

// isDemoSource reports an embedded demo definition, by where it came from
// (demoFiles, from loadSources) and its id.
func isDemoSource(demoFiles map[string]bool, src crawl.Source) bool {
	return demoFiles[src.File] && demoSources[src.ID]
}

// loadSources reads the source definitions. With no sources.dir the embedded
// ones are used, and of those only the demo runs: the embedded jd and taobao
// definitions are examples for operators (real marketplaces need a decision
// about what to crawl, cookies and a network), not something a fresh install
// should start hitting.
//
// demoFiles are the files of the embedded demo definitions among them. A
// demo is recognised by where it came from, never by its id alone: a source
// file of an operator's named "demo" is an ordinary source and gets no
// loopback access.
func loadSources(cfg config.Config) (srcs []crawl.Source, demoFiles map[string]bool, err error) {
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
	demoFiles = map[string]bool{}
	if !cfg.Sources.Demo.Enabled {
		return nil, demoFiles, nil
	}
	want := map[string]bool{}
	for _, id := range cfg.Sources.Demo.Platforms {
		if !demoSources[id] {
			return nil, nil, domain.Errorf(domain.EINVALID, "sources.demo.platforms: %q is not a demo platform; use demo, demo-pifa or demo-youxuan", id)
		}
		want[id] = true
	}
	for _, s := range all {
		if want[s.ID] {
			srcs = append(srcs, s)
			demoFiles[s.File] = true
		}
	}
	return srcs, demoFiles, nil
}

// mergeIdentities folds listings and alerts stored under different URL
// forms of one offer into one, keeping the supervisors' decisions. It runs
// once per change of the sources' identity rules (the store remembers the
// rules' fingerprint), so a start with unchanged rules costs one query.
func mergeIdentities(ctx context.Context, db *store.DB, srcs []crawl.Source, log *zap.Logger) error {
	rep, err := db.MergeIdentities(ctx, crawl.IdentityFingerprint(srcs), crawl.IdentityOf(srcs))
	if err != nil {
		return fmt.Errorf("merging alerts of one offer: %w", err)
	}
	if !rep.Skipped {
		log.Info("listings and alerts of one offer merged", zap.Any("report", rep))
	}
	return nil
}
