package app

import (
	"context"
	"fmt"
	"io"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// runServe is the daemon. It stops on SIGINT/SIGTERM or when ctx ends.
func runServe(ctx context.Context, env Env, args []string) error {
	fs := newFlags("serve", env)
	cfgPath := configFlag(fs)
	demoFlag := fs.Bool("demo", false, "serve the demo marketplace and crawl it (same as sources.demo.enabled: true)")
	roleFlag := fs.String("role", string(roleAll), "what this process runs: all (everything, the default), or with a PostgreSQL store one part of a distributed installation: scheduler, worker or api (docs/DISTRIBUTED.md)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath, env)
	if err != nil {
		return err
	}
	if *demoFlag {
		cfg.Sources.Demo.Enabled = true
	}
	r, err := parseRole(*roleFlag, cfg)
	if err != nil {
		return err
	}
	log, err := newLogger(cfg.Log, env.Stderr)
	if err != nil {
		return fmt.Errorf("configuring logs: %w", err)
	}
	defer log.Sync()
	log.Info("starting markwatch", zap.String("version", Version), zap.String("role", r.String()))
	log.Debug("configuration", zap.Object("config", cfg))

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	// A run may end before startDaemon returns: the first rounds are
	// counted from the start, and the banner printed once d is known and
	// every source's first run has ended.
	var (
		d     *daemon
		mu    sync.Mutex
		first = newFirstRounds()
	)
	printSum := func(sum domain.CrawlRun) {
		mu.Lock()
		defer mu.Unlock()
		printWhereToLook(env.Stdout, d, sum)
	}
	started, err := startDaemonAs(ctx, cfg, r, log, func(run domain.CrawlRun) {
		if sum, all := first.add(run); all {
			printSum(sum)
		}
	})
	mu.Lock()
	d = started
	mu.Unlock()
	if err != nil {
		return err
	}
	if r != roleAll {
		// the first rounds run in workers; nothing to wait for here
	} else if sum, all := first.expect(len(d.sources)); all {
		printSum(sum)
	}
	if d.admin != nil {
		// Stdout, not the log: a password must never reach a log collector.
		printFirstAdmin(env.Stdout, d)
	}
	log.Info("markwatch running", zap.String("role", r.String()), zap.Int("marks", len(d.marks)), zap.Int("sources", len(d.sources)), zap.String("http", d.httpURL))
	<-ctx.Done()
	log.Info("shutting down")
	d.stop(context.Background())
	log.Info("stopped")
	return nil
}

// printFirstAdmin shows the first administrator's one-time password, the
// only time it is ever shown.
func printFirstAdmin(w io.Writer, d *daemon) {
	fmt.Fprintf(w, `
==> markwatch: first start — created the administrator %q.
    One-time password (shown only now; change it at first sign-in): %s
    Sign in at %s/login

`, d.admin.Name, d.admin.Password, d.httpURL)
}

// printWhereToLook tells a new user, after the first crawl, where the results
// are and, in demo mode, how to sign in as each kind of user. It goes to
// stdout, apart from the logs.
func printWhereToLook(w io.Writer, d *daemon, run domain.CrawlRun) {
	var logins strings.Builder
	for _, l := range d.demoLogins {
		fmt.Fprintf(&logins, "      %-9s %-20s password %s   (%s)\n", l.Name, l.Role, l.Password, l.Note)
	}
	if logins.Len() > 0 {
		logins.WriteString("      admin     admin 管理员           password printed at first start; reset: bin/markwatch users passwd admin\n")
	}
	fmt.Fprintf(w, `
==> markwatch: first crawl of %s %s: %d pages, %d listings, %d hits, %d new alerts.
    Sign in to the console at %s/login as:
%s    Or from the command line and over HTTP, with a token:
      export MARKWATCH_TOKEN=$(bin/markwatch tokens create --user %s --name quickstart)
      bin/markwatch sources list
      curl -fsS -H "Authorization: Bearer $MARKWATCH_TOKEN" %s/api/v1/alerts
      curl -fsS -H "Authorization: Bearer $MARKWATCH_TOKEN" '%s/api/v1/hits?q=核桃'
      bin/markwatch alerts list%s
    Ctrl-C stops the daemon.

`, run.SourceID, run.Status, run.Pages, run.Listings, run.Hits, run.Alerts,
		d.httpURL, logins.String(), demoTokenUser(d), d.httpURL, d.httpURL, dataDirHint(d))
}

// demoTokenUser is whom the printed token example acts as: the demo
// supervisor when there is one, else the administrator.
func demoTokenUser(d *daemon) string {
	if len(d.demoLogins) > 0 {
		return d.demoLogins[0].Name
	}
	return firstAdminName
}

func dataDirHint(d *daemon) string {
	if d.cfg.DataDir == "./data" || d.cfg.DataDir == "data" {
		return ""
	}
	return " (with MARKWATCH_DATA_DIR=" + d.cfg.DataDir + ")"
}
