package app

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/store"
)

// configFlag adds --config to a command. MARKWATCH_CONFIG is its default so
// containers and systemd units can point at a file without flags.
func configFlag(fs *flag.FlagSet) *string {
	return fs.String("config", "", "configuration file overlaying the embedded defaults (env MARKWATCH_CONFIG)")
}

func loadConfig(path string, env Env) (config.Config, error) {
	if path == "" {
		if v, ok := env.Getenv("MARKWATCH_CONFIG"); ok {
			path = v
		}
	}
	if env.Environ != nil {
		// Variables the app reads itself, beside the config fields.
		if err := config.CheckEnviron(env.Environ(), "MARKWATCH_CONFIG", "MARKWATCH_MEILISEARCH_BIN", "MARKWATCH_TOKEN", "MARKWATCH_TOKEN_FILE"); err != nil {
			return config.Config{}, fmt.Errorf("checking environment: %w", err)
		}
	}
	cfg, err := config.Load(path, env.Getenv)
	if err != nil {
		return cfg, fmt.Errorf("loading configuration: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("checking configuration: %w", err)
	}
	return cfg, nil
}

// dbPath is where the SQLite system of record lives: store.url's
// sqlite:PATH, else inside the data directory. "" for PostgreSQL.
func dbPath(cfg config.Config) string {
	switch u := cfg.Store.URL; {
	case u == "":
		return filepath.Join(cfg.DataDir, "markwatch.db")
	case strings.HasPrefix(u, "sqlite:"):
		return strings.TrimPrefix(u, "sqlite:")
	default:
		return ""
	}
}

// openStore opens the store store.url names (SQLite in the data dir by
// default). Commands that only read (alerts list) pass create=false so a
// typo in --config does not create an empty database.
func openStore(ctx context.Context, cfg config.Config, create bool) (*store.DB, error) {
	return openStoreWith(ctx, cfg, create, store.Options{})
}

// openStoreWith is openStore with store options: the daemon and crawl pass
// the router that turns new alerts into subscribers' notifications.
func openStoreWith(ctx context.Context, cfg config.Config, create bool, opts store.Options) (*store.DB, error) {
	if cfg.Store.Postgres() {
		db, err := store.OpenURL(ctx, cfg.Store.URL, opts)
		if err != nil {
			return nil, fmt.Errorf("opening the PostgreSQL store (store.url): %w", err)
		}
		return db, nil
	}
	path := dbPath(cfg)
	if !create {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("opening store %s: %w (has `markwatch serve` run with this data_dir?)", path, err)
		}
	} else if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("creating data directory %s: %w", cfg.DataDir, err)
	}
	db, err := store.Open(ctx, path, opts)
	if err != nil {
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	return db, nil
}
