package app

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/httpapi"
)

const sourcesUsage = `usage: markwatch sources <command> [--api URL] [--config FILE] [--json]
  list                 sources with schedule, state, next and last run
  show ID              one source and its last run
  schedule ID SPEC     change the cron schedule, e.g. "*/30 * * * *", "0 0 8 * * *" (with seconds), "@every 2h"
  pause ID             stop scheduled runs (a run going now finishes)
  resume ID            restart scheduled runs
  run ID               start a run now
  runs ID [--limit N]  run history, newest first`

// sourceArity says how many positional arguments a subcommand takes
// (schedule: an id and a spec, which may arrive split by the shell; max -1
// is unbounded).
func sourceArity(sub string) (lo, hi int, ok bool) {
	switch sub {
	case "list":
		return 0, 0, true
	case "show", "pause", "resume", "run", "runs":
		return 1, 1, true
	case "schedule":
		return 2, -1, true
	}
	return 0, 0, false
}

// runSources talks to the running daemon's API rather than the store: the
// daemon's scheduler is what has to change, and the API applies a change to
// it and to the store together.
func runSources(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return usagef("%s", sourcesUsage)
	}
	sub := args[0]
	switch sub {
	case "help", "-h", "--help":
		fmt.Fprintln(env.Stderr, sourcesUsage)
		return flag.ErrHelp
	}
	lo, hi, ok := sourceArity(sub)
	if !ok {
		return usagef("unknown subcommand %q\n%s", sub, sourcesUsage)
	}
	fs := newFlags("sources "+sub, env)
	cfgPath := configFlag(fs)
	apiFlag := fs.String("api", "", "URL of the running daemon (default: http:// and http.listen from the configuration)")
	asJSON := fs.Bool("json", false, "print the API's JSON answer instead of a table")
	tokenFile := tokenFileFlag(fs)
	limit := new(int)
	if sub == "runs" {
		limit = fs.Int("limit", 20, "at most this many runs, newest first (1 to 500)")
	}
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) < lo || (hi >= 0 && len(pos) > hi) {
		return usagef("wrong number of arguments for %q\n%s", sub, sourcesUsage)
	}
	cfg, err := loadConfig(*cfgPath, env)
	if err != nil {
		return err
	}
	loc, err := cfg.Schedule.Location()
	if err != nil {
		return fmt.Errorf("reading schedule.timezone: %w", err)
	}
	base := *apiFlag
	if base == "" {
		base = apiURL(cfg.HTTP.Listen)
	}
	token, err := daemonToken(env, *tokenFile)
	if err != nil {
		return err
	}
	c := &sourcesClient{base: strings.TrimRight(base, "/"), token: token, http: &http.Client{Timeout: 30 * time.Second}}
	p := &sourcePrinter{w: env.Stdout, loc: loc, json: *asJSON}

	var id string
	if len(pos) > 0 {
		id = pos[0]
	}
	path := "/api/v1/sources/" + url.PathEscape(id)
	switch sub {
	case "list":
		var list struct {
			Sources []httpapi.SourceJSON `json:"sources"`
		}
		raw, err := c.do(ctx, http.MethodGet, "/api/v1/sources", nil, &list)
		if err != nil {
			return fmt.Errorf("listing sources: %w", err)
		}
		return p.list(raw, list.Sources)
	case "show":
		var s httpapi.SourceJSON
		raw, err := c.do(ctx, http.MethodGet, path, nil, &s)
		if err != nil {
			return fmt.Errorf("showing source %s: %w", id, err)
		}
		return p.show(raw, s)
	case "schedule":
		spec := strings.Join(pos[1:], " ")
		body, _ := json.Marshal(map[string]string{"schedule": spec}) // a map of strings always encodes
		var s httpapi.SourceJSON
		raw, err := c.do(ctx, http.MethodPut, path+"/schedule", body, &s)
		if err != nil {
			return fmt.Errorf("changing schedule of %s: %w", id, err)
		}
		return p.changed(raw, s, fmt.Sprintf("schedule now %q", s.Schedule))
	case "pause":
		var s httpapi.SourceJSON
		raw, err := c.do(ctx, http.MethodPost, path+"/pause", nil, &s)
		if err != nil {
			return fmt.Errorf("pausing %s: %w", id, err)
		}
		return p.changed(raw, s, "paused; a run going now finishes")
	case "resume":
		var s httpapi.SourceJSON
		raw, err := c.do(ctx, http.MethodPost, path+"/resume", nil, &s)
		if err != nil {
			return fmt.Errorf("resuming %s: %w", id, err)
		}
		return p.changed(raw, s, "resumed")
	case "run":
		var s httpapi.SourceJSON
		raw, err := c.do(ctx, http.MethodPost, path+"/run", nil, &s)
		if err != nil {
			return fmt.Errorf("starting a run of %s: %w", id, err)
		}
		return p.changed(raw, s, "run started; `markwatch sources runs "+id+"` shows how it ends")
	case "runs":
		var list struct {
			Runs []httpapi.RunJSON `json:"runs"`
		}
		raw, err := c.do(ctx, http.MethodGet, fmt.Sprintf("%s/runs?limit=%d", path, *limit), nil, &list)
		if err != nil {
			return fmt.Errorf("listing runs of %s: %w", id, err)
		}
		return p.runs(raw, list.Runs)
	}
	return nil
}

// apiURL turns the daemon's listen address into one a client can dial: a
// wildcard host (":8080", "0.0.0.0:8080") is reached on loopback.
func apiURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "http://" + listen
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// maxAnswer bounds what the CLI reads of an answer (500 runs fit easily).
const maxAnswer = 16 << 20

type sourcesClient struct {
	base  string
	token string
	http  *http.Client
}

// do sends a request and decodes a 2xx JSON answer into out, returning the
// raw answer for --json. An error answer becomes a domain error with the
// daemon's code and message, so the user reads, for instance, why a cron
// spec was refused.
func (c *sourcesClient) do(ctx context.Context, method, path string, body []byte, out any) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "API address %q: %v", c.base, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, domain.Errorf(domain.EUNAVAILABLE,
			"cannot reach the markwatch daemon at %s (is `markwatch serve` running? --api sets its address): %v", c.base, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("reading answer of %s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(raw, &e) == nil && e.Error.Message != "" {
			return nil, domain.Errorf(e.Error.Code, "%s", e.Error.Message)
		}
		return nil, fmt.Errorf("%s %s answered %s: %.200s", method, c.base+path, resp.Status, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return nil, fmt.Errorf("decoding answer of %s %s (is %s a markwatch daemon?): %w", method, path, c.base, err)
	}
	return raw, nil
}

// sourcePrinter writes tables with times in the schedule's time zone, the
// one the cron specs are read in.
type sourcePrinter struct {
	w    io.Writer
	loc  *time.Location
	json bool
}

const timeLayout = "2006-01-02 15:04:05"

func (p *sourcePrinter) when(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.In(p.loc).Format(timeLayout)
}

func (p *sourcePrinter) raw(raw []byte) error {
	_, err := p.w.Write(append(bytes.TrimRight(raw, "\n"), '\n'))
	return err
}

func state(s httpapi.SourceJSON) string {
	switch {
	case s.Running && s.Paused:
		return "running (paused)"
	case s.Running:
		return "running"
	case s.Paused:
		return "paused"
	}
	return "scheduled"
}

func (p *sourcePrinter) list(raw []byte, srcs []httpapi.SourceJSON) error {
	if p.json {
		return p.raw(raw)
	}
	tw := newTable(p.w)
	fmt.Fprintln(tw, "ID\tSCHEDULE\tSTATE\tNEXT RUN\tLAST RUN\tLAST RESULT\tFAILS IN A ROW")
	for _, s := range srcs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", s.ID, s.Schedule, state(s), p.when(s.NextRun),
			p.when(s.LastRun), result(s.LastResult), s.ConsecutiveErrors)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing sources: %w", err)
	}
	_, err := fmt.Fprintf(p.w, "%d sources; times in %s\n", len(srcs), p.loc)
	return err
}

// result sums up a run in a few words: how it ended, what it found.
func result(r *httpapi.RunJSON) string {
	if r == nil {
		return "never ran"
	}
	if r.Status == domain.RunRunning {
		return "running"
	}
	s := fmt.Sprintf("%s in %s: %d pages, %d listings, %d alerts", runStatus(r.CrawlRun), duration(r.DurationSeconds),
		r.Pages, r.Listings, r.Alerts)
	if r.EndReason != "" {
		s += " (" + r.EndReason + ")"
	}
	return s
}

// runStatus is a run's status with its degraded flag: "succeeded,
// degraded" tells an operator the run finished but its selectors stopped
// matching (the reasons are in --json).
func runStatus(r domain.CrawlRun) string {
	if r.Degraded {
		return string(r.Status) + ", degraded"
	}
	return string(r.Status)
}

func duration(sec *float64) string {
	if sec == nil {
		return "-"
	}
	d := time.Duration(*sec * float64(time.Second))
	if d >= time.Second {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Millisecond).String()
}

// errorKinds prints errors by kind in a stable order.
func errorKinds(m map[string]int) string {
	if len(m) == 0 {
		return "-"
	}
	kinds := make([]string, 0, len(m))
	for k := range m {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	parts := make([]string, 0, len(kinds))
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

func (p *sourcePrinter) show(raw []byte, s httpapi.SourceJSON) error {
	if p.json {
		return p.raw(raw)
	}
	tw := newTable(p.w)
	fmt.Fprintf(tw, "id:\t%s\n", s.ID)
	fmt.Fprintf(tw, "schedule:\t%s\n", s.Schedule)
	fmt.Fprintf(tw, "state:\t%s\n", state(s))
	fmt.Fprintf(tw, "next run:\t%s\n", p.when(s.NextRun))
	fmt.Fprintf(tw, "last run:\t%s\n", p.when(s.LastRun))
	fmt.Fprintf(tw, "failed runs in a row:\t%d\n", s.ConsecutiveErrors)
	fmt.Fprintf(tw, "last result:\t%s\n", result(s.LastResult))
	if r := s.LastResult; r != nil {
		fmt.Fprintf(tw, "  found:\t%d pages, %d listings, %d hits, %d alerts\n", r.Pages, r.Listings, r.Hits, r.Alerts)
		fmt.Fprintf(tw, "  errors:\t%s\n", errorKinds(r.Errors))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing source %s: %w", s.ID, err)
	}
	_, err := fmt.Fprintf(p.w, "times in %s\n", p.loc)
	return err
}

func (p *sourcePrinter) changed(raw []byte, s httpapi.SourceJSON, what string) error {
	if p.json {
		return p.raw(raw)
	}
	next := "none while paused"
	if !s.Paused {
		next = p.when(s.NextRun) + " " + p.loc.String()
	}
	_, err := fmt.Fprintf(p.w, "%s: %s; next scheduled run: %s\n", s.ID, what, next)
	return err
}

func (p *sourcePrinter) runs(raw []byte, runs []httpapi.RunJSON) error {
	if p.json {
		return p.raw(raw)
	}
	tw := newTable(p.w)
	fmt.Fprintln(tw, "RUN\tSTARTED\tDURATION\tSTATUS\tPAGES\tLISTINGS\tHITS\tALERTS\tERRORS\tWHY IT ENDED")
	for _, r := range runs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n", r.ID, p.when(&r.StartedAt), duration(r.DurationSeconds),
			runStatus(r.CrawlRun), r.Pages, r.Listings, r.Hits, r.Alerts, errorKinds(r.Errors), orDash(r.EndReason))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing runs: %w", err)
	}
	_, err := fmt.Fprintf(p.w, "%d runs; times in %s\n", len(runs), p.loc)
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
