package app

import (
	"context"
	"fmt"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/index"
)

// runReindex rebuilds the search index from SQLite, the system of record. Run
// it with the daemon stopped when Meilisearch is managed (both would use the
// same data directory), or any time against an external server.
func runReindex(ctx context.Context, env Env, args []string) error {
	fs := newFlags("reindex", env)
	cfgPath := configFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath, env)
	if err != nil {
		return err
	}
	log, err := newLogger(cfg.Log, env.Stderr)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer db.Close()

	// With a managed Meilisearch, StartManaged refuses while serve owns the
	// same data directory, so a rebuild never races the daemon's indexer.
	c, managed, err := connectIndex(ctx, cfg, log)
	if err != nil {
		return err
	}
	if managed != nil {
		defer managed.Stop(context.WithoutCancel(ctx))
	}
	n, err := index.Reindex(ctx, c, db)
	if err != nil {
		return fmt.Errorf("reindexing: %w", err)
	}
	log.Info("reindexed hits from the store", zap.Int("hits", n))
	_, err = fmt.Fprintf(env.Stdout, "reindexed %d hits into %q\n", n, cfg.Meilisearch.Index)
	return err
}
