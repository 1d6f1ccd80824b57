package app

import (
	"context"
	"fmt"
	"os"

	"go.uber.org/zap"

	defaults "github.com/markwatch/markwatch/config"
	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/store"
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
