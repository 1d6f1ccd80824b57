package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/datadir"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/httpapi"
	"github.com/markwatch/markwatch/internal/index"
)

// runReindex rebuilds the search index from the store, the system of
// record. Beside a running daemon (it holds the data dir) or with --api, the
// daemon does it: only it may touch a managed Meilisearch's data, and its
// indexer keeps running. With no daemon it is done here, holding the data
// dir meanwhile so a daemon starting cannot race it.
func runReindex(ctx context.Context, env Env, args []string) error {
	fs := newFlags("reindex", env)
	cfgPath := configFlag(fs)
	apiFlag := fs.String("api", "", "URL of the daemon to rebuild in (default: the daemon holding data_dir, at http:// and http.listen)")
	tokenFile := tokenFileFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("reindex takes no arguments, got %q", fs.Args())
	}
	cfg, err := loadConfig(*cfgPath, env)
	if err != nil {
		return err
	}
	if *apiFlag != "" {
		return reindexThroughDaemon(ctx, env, cfg, *apiFlag, *tokenFile)
	}
	lock, err := datadir.Acquire(cfg.DataDir)
	if domain.ErrorCode(err) == domain.ECONFLICT {
		return reindexThroughDaemon(ctx, env, cfg, apiURL(cfg.HTTP.Listen), *tokenFile)
	}
	if err != nil {
		return err
	}
	defer lock.Release()
	return reindexHere(ctx, env, cfg)
}

// reindexThroughDaemon asks the daemon at base to rebuild, as the holder of
// the CLI's token (an operator's or admin's).
func reindexThroughDaemon(ctx context.Context, env Env, cfg config.Config, base, tokenFile string) error {
	token, err := daemonToken(env, tokenFile)
	if err != nil {
		return fmt.Errorf("a markwatch daemon holds data_dir %s, so it rebuilds the index: %w", cfg.DataDir, err)
	}
	// No client timeout: the answer comes when the rebuild is done, and
	// Ctrl-C (ctx) ends the wait.
	c := httpapi.NewClient(strings.TrimRight(base, "/"), token, &http.Client{})
	res, err := c.Reindex(ctx)
	if err != nil {
		return fmt.Errorf("reindexing through the daemon at %s: %w", base, err)
	}
	_, err = fmt.Fprintf(env.Stdout, "reindexed %d hits into %q through the daemon at %s in %.1fs\n",
		res.Hits, cfg.Meilisearch.Index, base, res.DurationSeconds)
	return err
}

// reindexHere rebuilds with no daemon running: the store as it is (never
// created here) and Meilisearch started here when it is managed.
func reindexHere(ctx context.Context, env Env, cfg config.Config) error {
	log, err := newLogger(cfg.Log, env.Stderr)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer db.Close()
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
