// Package app wires markwatch together: it is the only package that imports
// every capability, and it owns the command line.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Env is what a command may touch of the outside world; tests pass their own.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) (string, bool)
	// Environ lists the environment, to catch misspelt MARKWATCH_ variables;
	// nil skips that check.
	Environ func() []string
}

type command struct {
	summary string
	run     func(ctx context.Context, env Env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"serve":         {"run the daemon: schedule, crawl, match, store, index, alert; HTTP API", runServe},
		"crawl":         {"run one crawl of a source now, or show the query plan (--plan)", runCrawl},
		"match":         {"match JSON-lines listings on stdin against a registry (evaluation contract)", runMatch},
		"eval":          {"precision and recall of the matcher on labelled cases", runEval},
		"extract":       {"extract listings from saved pages with a source definition, --auto or --suggest", runExtract},
		"alerts":        {"list alerts from the store (alerts list)", runAlerts},
		"sources":       {"list sources, change schedules, pause, resume, trigger, show runs", runSources},
		"reindex":       {"rebuild the Meilisearch index from SQLite", runReindex},
		"users":         {"add, list, disable and enable users; reset passwords", runUsers},
		"tokens":        {"create, list and revoke API tokens", runTokens},
		"audit":         {"read the audit log of changes on the running daemon (audit list)", runAudit},
		"evidence":      {"verify artefact hashes, the evidence log, signatures and timestamps (evidence verify)", runEvidence},
		"version":       {"print the version", runVersion},
		"migrate-store": {"copy a SQLite store into PostgreSQL and verify it (--from sqlite:PATH --to postgres://…)", runMigrateStore},
	}
}

// Version is set at build time with -ldflags "-X ...app.Version=v1.2.3".
var Version = "dev"

// Main runs the command named by args[0] and returns the process exit code:
// 0 success, 1 failure, 2 usage error.
func Main(ctx context.Context, args []string, env Env) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stderr, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "markwatch: unknown command %q\n\n", args[0])
		usage(env.Stderr, cmds)
		return 2
	}
	if err := c.run(ctx, env, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(env.Stderr, "markwatch %s: %v\n", args[0], err)
			return 2
		}
		fmt.Fprintf(env.Stderr, "markwatch %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func usage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("markwatch — watches marketplaces for look-alikes of protected Chinese names\n\nusage: markwatch <command> [flags]\n\ncommands:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  %-8s %s\n", n, cmds[n].summary)
	}
	b.WriteString("\nRun 'markwatch <command> -h' for a command's flags.\n")
	io.WriteString(w, b.String())
}

// newFlags returns a FlagSet that reports errors instead of exiting, writing
// its usage to stderr.
func newFlags(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet("markwatch "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

func runVersion(_ context.Context, env Env, _ []string) error {
	_, err := fmt.Fprintf(env.Stdout, "markwatch %s\n", Version)
	return err
}

// parseInterspersed lets flags follow positional arguments ("runs jd
// --limit 5"), which the flag package alone stops at.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
