package app

import (
	"context"
	"fmt"
	"path/filepath"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/index"
)

// connectIndex returns a client for the configured Meilisearch, first
// starting the pinned binary as a child process when no URL is configured.
// The caller stops the returned Managed (nil for an external server).
func connectIndex(ctx context.Context, cfg config.Config, log *zap.Logger) (*index.Client, *index.Managed, error) {
	url, key := cfg.Meilisearch.URL, cfg.Meilisearch.APIKey.Value()
	var managed *index.Managed
	if cfg.Meilisearch.Managed() {
		bin := cfg.Meilisearch.Binary
		if bin == "" {
			var err error
			if bin, err = index.FindBinary(); err != nil {
				return nil, nil, fmt.Errorf("finding the Meilisearch binary: %w", err)
			}
		}
		m, err := index.StartManaged(ctx, index.ManagedOptions{
			BinPath:           bin,
			DataDir:           filepath.Join(cfg.DataDir, "meilisearch"),
			MaxIndexingMemory: cfg.Meilisearch.MaxIndexingMemory,
			Log:               log.Named("meilisearch"),
		})
		if err != nil {
			return nil, nil, fmt.Errorf("starting managed Meilisearch: %w", err)
		}
		managed = m
		url, key = m.URL(), m.Key()
	}
	c, err := index.NewClient(url, key, index.ClientOptions{IndexName: cfg.Meilisearch.Index})
	if err != nil {
		if managed != nil {
			_ = managed.Stop(context.WithoutCancel(ctx))
		}
		return nil, nil, fmt.Errorf("connecting to Meilisearch at %s: %w", url, err)
	}
	return c, managed, nil
}
