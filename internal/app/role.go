package app

import (
	"strings"

	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/domain"
)

// role is what one `markwatch serve` process does (docs/DISTRIBUTED.md):
// all of it, as the embedded mode always has, or one part of a
// distributed installation sharing a PostgreSQL store.
type role string

// The names are a contract (issue 13): scripts and manifests use them.
const (
	roleAll       role = "all"
	roleScheduler role = "scheduler"
	roleWorker    role = "worker"
	roleAPI       role = "api"
)

var roles = []role{roleAll, roleScheduler, roleWorker, roleAPI}

// parseRole reads --role, refusing a role this configuration cannot run:
// the parts of a distributed installation share their state through
// PostgreSQL, which an SQLite file cannot do across processes.
func parseRole(s string, cfg config.Config) (role, error) {
	r := role(strings.TrimSpace(s))
	known := false
	for _, k := range roles {
		known = known || r == k
	}
	if !known {
		names := make([]string, len(roles))
		for i, k := range roles {
			names[i] = string(k)
		}
		return "", domain.Errorf(domain.EINVALID, "serve --role %q: want one of %s", s, strings.Join(names, ", "))
	}
	if r != roleAll && !cfg.Store.Postgres() {
		return "", domain.Errorf(domain.EINVALID,
			"serve --role %s needs a PostgreSQL store shared by every process: set store.url (MARKWATCH_STORE_URL) to postgres://user:password@host:5432/dbname, or run --role all on SQLite", r)
	}
	if r != roleAll && cfg.Meilisearch.URL == "" && r != roleWorker {
		return "", domain.Errorf(domain.EINVALID,
			"serve --role %s needs an external Meilisearch shared by every process: set meilisearch.url (MARKWATCH_MEILISEARCH_URL); the managed child process is for --role all", r)
	}
	// A worker signs and checks no link; the scheduler and api must agree.
	if (r == roleScheduler || r == roleAPI) && !cfg.Auth.Secret.IsSet() {
		return "", domain.Errorf(domain.EINVALID,
			"serve --role %s needs auth.secret (MARKWATCH_AUTH_SECRET) set to one value in every process: the scheduler signs unsubscribe links the api checks, and a key generated per data_dir would differ", r)
	}
	if r != roleAll && cfg.Evidence.Dir == "" {
		return "", domain.Errorf(domain.EINVALID,
			"serve --role %s needs evidence.dir (MARKWATCH_EVIDENCE_DIR) on storage every process shares: workers keep the pages, the api serves them, the scheduler captures and stamps them", r)
	}
	return r, nil
}

// String is the role's name, for logs.
func (r role) String() string { return string(r) }

// describe says in a line what the role runs, for the start-up log.
func (r role) describe() string {
	switch r {
	case roleScheduler:
		return "enqueues due crawl runs; drains the index, notification and timestamp queues"
	case roleWorker:
		return "runs crawl jobs"
	case roleAPI:
		return "serves the HTTP API and console"
	default:
		return "everything in one process: schedule, crawl, store, index, alert, API"
	}
}

// parts are the parts of the daemon a role starts. Every role opens the
// store and serves /healthz, /readyz and /metrics.
type parts struct {
	api    bool // the HTTP API and console, sessions, the first administrator
	crawl  bool // the pipeline runs crawls in this process
	clock  bool // an in-process cron starts the runs (the embedded mode)
	index  bool // talks to Meilisearch (search, or the outbox drain)
	drains bool // drains the index outbox, notifications, captures and timestamps, merges identities
}

func partsOf(r role) parts {
	switch r {
	case roleScheduler:
		return parts{index: true, drains: true}
	case roleWorker:
		return parts{crawl: true}
	case roleAPI:
		return parts{api: true, index: true}
	default:
		return parts{api: true, crawl: true, clock: true, index: true, drains: true}
	}
}
