package app

import (
	"context"
	"fmt"
	"path/filepath"

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

	url, key := cfg.Meilisearch.URL, cfg.Meilisearch.APIKey.Value()
	if cfg.Meilisearch.Managed() {
		bin := cfg.Meilisearch.Binary
		if bin == "" {
			if bin, err = index.FindBinary(); err != nil {
				return fmt.Errorf("finding the Meilisearch binary: %w", err)
			}
		}
		m, err := index.StartManaged(ctx, index.ManagedOptions{
			BinPath: bin, DataDir: filepath.Join(cfg.DataDir, "meilisearch"),
			MaxIndexingMemory: cfg.Meilisearch.MaxIndexingMemory, Log: log.Named("meilisearch"),
		})
		if err != nil {
			return fmt.Errorf("starting managed Meilisearch (is `markwatch serve` still running on this data_dir?): %w", err)
		}
		defer m.Stop(context.WithoutCancel(ctx))
		url, key = m.URL(), m.Key()
	}
	c, err := index.NewClient(url, key, index.ClientOptions{IndexName: cfg.Meilisearch.Index})
	if err != nil {
		return fmt.Errorf("connecting to Meilisearch at %s: %w", url, err)
	}
	n, err := index.Reindex(ctx, c, db)
	if err != nil {
		return fmt.Errorf("reindexing: %w", err)
	}
	log.Info("reindexed hits from the store", zap.Int("hits", n))
	_, err = fmt.Fprintf(env.Stdout, "reindexed %d hits into %q\n", n, cfg.Meilisearch.Index)
	return err
}
