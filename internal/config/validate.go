package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/storeurl"
)

// Validate checks every field and reports all problems at once, each naming
// where the value came from when it was loaded from a file or variable.
func (c Config) Validate() error {
	ps := &problems{}
	add := func(path, format string, args ...any) {
		ps.add(c.origin(path), path, format, args...)
	}

	if strings.TrimSpace(c.DataDir) == "" {
		add("data_dir", "must not be empty; give a directory for the database and the managed Meilisearch, e.g. ./data")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		add("log.level", "%q is not a level; use debug, info, warn or error", c.Log.Level)
	}
	switch c.Log.Format {
	case "console", "json":
	default:
		add("log.format", "%q is not a format; use console (for people) or json (for log collectors)", c.Log.Format)
	}
	if err := checkListen(c.HTTP.Listen); err != nil {
		add("http.listen", "%v", err)
	}
	if err := checkStoreURL(c.Store.URL); err != nil {
		add("store.url", "%v", err)
	}
	if c.Jobs.Workers < 1 {
		add("jobs.workers", "%d must be at least 1: the crawl runs one worker process runs at once, e.g. 2", c.Jobs.Workers)
	}
	if c.Jobs.RescueAfter < time.Second {
		add("jobs.rescue_after", "%s is too short: a job running longer is taken to be a dead worker's and retried elsewhere, so give more than any run takes, e.g. 1h", c.Jobs.RescueAfter)
	}
	if c.Jobs.StopTimeout <= 0 {
		add("jobs.stop_timeout", "%s must be positive: how long a stopping worker lets running jobs finish, e.g. 30s", c.Jobs.StopTimeout)
	}
	if c.DataDirMinFreeMB < 0 {
		add("data_dir_min_free_mb", "%d must not be negative; give the free MiB below which markwatch reports not ready, e.g. 256, or 0 for no floor", c.DataDirMinFreeMB)
	}
	for _, to := range []struct {
		path string
		d    time.Duration
	}{
		{"http.read_header_timeout", c.HTTP.ReadHeaderTimeout}, {"http.read_timeout", c.HTTP.ReadTimeout},
		{"http.write_timeout", c.HTTP.WriteTimeout}, {"http.idle_timeout", c.HTTP.IdleTimeout},
	} {
		if to.d <= 0 {
			add(to.path, "%s must be positive; a server without it lets one client hold a connection forever, e.g. 5s", to.d)
		}
	}
	if c.Sources.Demo.Enabled {
		if err := checkListen(c.Sources.Demo.Listen); err != nil {
			add("sources.demo.listen", "%v", err)
		}
	}
	if c.Meilisearch.URL != "" {
		if err := checkHTTPURL(c.Meilisearch.URL); err != nil {
			add("meilisearch.url", "%v; or leave it empty to let markwatch run Meilisearch itself", err)
		}
	}
	if !indexUID.MatchString(c.Meilisearch.Index) {
		add("meilisearch.index", "%q is not an index name; use letters, digits, - and _ only, e.g. hits", c.Meilisearch.Index)
	}
	if !byteSize.MatchString(c.Meilisearch.MaxIndexingMemory) {
		add("meilisearch.max_indexing_memory", "%q is not a size; write a number with a unit like 256MiB or 2GiB", c.Meilisearch.MaxIndexingMemory)
	}
	if t := c.Match.AlertThreshold; t < 0 || t > 1 {
		add("match.alert_threshold", "%s is outside 0..1; scores run from 0 to 1, and 0 keeps the matcher's default", strconv.FormatFloat(t, 'g', -1, 64))
	}
	if c.Crawl.ShutdownGrace <= 0 {
		add("crawl.shutdown_grace", "%s must be positive; give how long a running crawl may finish on shutdown, e.g. 10s", c.Crawl.ShutdownGrace)
	}
	if c.Schedule.Timezone == "" {
		add("schedule.timezone", "must not be empty; give an IANA zone like Asia/Shanghai or UTC")
	} else if _, err := c.Schedule.Location(); err != nil {
		add("schedule.timezone", "%q is not a known time zone; use an IANA name like Asia/Shanghai or UTC", c.Schedule.Timezone)
	}
	if c.Schedule.Jitter < 0 {
		add("schedule.jitter", "%s must not be negative; give the most a scheduled run may be delayed, e.g. 30s, or 0", c.Schedule.Jitter)
	}
	checkFloors(c.Schedule, add)
	if c.HTTP.BaseURL != "" {
		if err := checkHTTPURL(c.HTTP.BaseURL); err != nil {
			add("http.base_url", "%v; give the console's address as people open it, e.g. https://markwatch.example.gov.cn", err)
		}
	}
	for _, h := range strings.FieldsFunc(c.HTTP.Hosts, func(r rune) bool { return r == ',' || r == ' ' }) {
		if strings.ContainsAny(h, "/:@") && net.ParseIP(h) == nil {
			add("http.hosts", "%q is not a host name; list names only, without scheme or port, e.g. markwatch.example.gov.cn", h)
		}
	}
	if c.Auth.SessionIdle <= 0 || c.Auth.SessionMax <= 0 {
		add("auth.session_idle", "session_idle (%s) and session_max (%s) must be positive, e.g. 2h and 24h", c.Auth.SessionIdle, c.Auth.SessionMax)
	} else if c.Auth.SessionIdle > c.Auth.SessionMax {
		add("auth.session_idle", "%s is longer than auth.session_max %s; a session cannot idle longer than it lives", c.Auth.SessionIdle, c.Auth.SessionMax)
	}
	if c.Notify.DisableAfter <= 0 {
		add("notify.disable_after", "%s must be positive; give how long a receiver may fail before its subscription is turned off, e.g. 72h", c.Notify.DisableAfter)
	}
	if c.Notify.SMTP.Host != "" {
		switch c.Notify.SMTP.Security {
		case "starttls", "tls", "none":
		default:
			add("notify.smtp.security", "%q is not supported; use starttls (port 587), tls (port 465) or none (local relay)", c.Notify.SMTP.Security)
		}
		if p := c.Notify.SMTP.Port; p <= 0 || p > 65535 {
			add("notify.smtp.port", "%d is not a port; use 587 for starttls, 465 for tls", p)
		}
		if _, err := mail.ParseAddress(c.Notify.SMTP.From); err != nil {
			add("notify.smtp.from", "%q is not an e-mail address; write e.g. markwatch <alerts@example.gov.cn>", c.Notify.SMTP.From)
		}
	}
	if c.Evidence.MaxArtefactMB <= 0 {
		add("evidence.max_artefact_mb", "%d must be positive; give the largest artefact to keep in MiB, e.g. 32", c.Evidence.MaxArtefactMB)
	}
	if c.Evidence.HeadInterval <= 0 {
		add("evidence.head_interval", "%s must be positive; give how often the evidence log gets a signed tree head, e.g. 1m", c.Evidence.HeadInterval)
	}
	if c.Evidence.TSAURL != "" {
		if err := checkHTTPURL(c.Evidence.TSAURL); err != nil {
			add("evidence.tsa_url", "%v; give the RFC 3161 Time-Stamping Authority's URL, or leave it empty", err)
		}
	}
	seen := make(map[string]int, len(c.Notify.Webhooks))
	for i, w := range c.Notify.Webhooks {
		path := fmt.Sprintf("notify.webhooks[%d].url", i)
		if err := checkHTTPURL(w.URL); err != nil {
			// The URL itself is not echoed: chat webhooks carry their
			// token in it.
			add(path, "%v", err)
			continue
		}
		if first, dup := seen[w.URL]; dup {
			add(path, "same URL as notify.webhooks[%d]; each alert would be delivered twice", first)
			continue
		}
		seen[w.URL] = i
	}
	return ps.err()
}

// origin is where path's value came from; a field missing from a list item
// (a webhook without url) points at the item.
func (c Config) origin(path string) string {
	if o := c.origins[path]; o != "" {
		return o
	}
	if i := strings.LastIndex(path, "]"); i >= 0 {
		return c.origins[path[:i+1]]
	}
	return ""
}

// indexUID is Meilisearch's rule for index names.
var indexUID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,400}$`)

// byteSize accepts what Meilisearch's --max-indexing-memory accepts:
// a number and an optional SI or binary unit.
var byteSize = regexp.MustCompile(`(?i)^[0-9]+(\.[0-9]+)?\s*([kmgt]i?b|b)?$`)

func checkListen(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not a listen address; write host:port, e.g. 127.0.0.1:8080 (or :8080 for every interface)", addr)
	}
	if strings.ContainsAny(host, " /") {
		return fmt.Errorf("%q has an invalid host; write host:port, e.g. 127.0.0.1:8080", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q has an invalid port; use a number from 0 to 65535", addr)
	}
	return nil
}

// checkHTTPURL accepts absolute http and https URLs. Its messages never
// include the URL, which may carry a token.
func checkHTTPURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a valid URL; write an absolute http(s) URL like http://127.0.0.1:7700")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("scheme %q is not supported; write an absolute http(s) URL like http://127.0.0.1:7700", u.Scheme)
	}
	if u.Host == "" {
		return fmt.Errorf("the URL has no host; write an absolute http(s) URL like http://127.0.0.1:7700")
	}
	return nil
}

// checkFloors: cron counts in whole seconds, so 1s is the least floor (and
// lets any schedule through).
func checkFloors(s Schedule, add func(path, format string, args ...any)) {
	if s.MinInterval < time.Second {
		add("schedule.min_interval", "%s is under 1s; give the least time between two scheduled runs of a source, e.g. 1m (1s lets any schedule through)", s.MinInterval)
	}
	seen := make(map[string]int, len(s.Sources))
	for i, src := range s.Sources {
		path := fmt.Sprintf("schedule.sources[%d]", i)
		switch first, dup := seen[src.ID]; {
		case strings.TrimSpace(src.ID) == "":
			add(path+".id", "must name a source, e.g. jd (the id: in its definition)")
		case dup:
			add(path+".id", "source %q is listed twice (first at schedule.sources[%d]); keep one", src.ID, first)
		default:
			seen[src.ID] = i
		}
		if src.MinInterval < time.Second {
			add(path+".min_interval", "%s is under 1s; give the least time between two scheduled runs of source %q, e.g. 6h", src.MinInterval, src.ID)
		}
	}
}

// checkStoreURL accepts the store.url forms; its errors never repeat a
// password.
func checkStoreURL(raw string) error {
	switch {
	case raw == "":
		return nil
	case strings.HasPrefix(raw, "sqlite:"):
		if strings.TrimSpace(strings.TrimPrefix(raw, "sqlite:")) == "" {
			return fmt.Errorf("sqlite: needs a path, e.g. sqlite:/var/lib/markwatch/markwatch.db")
		}
		return nil
	case storeurl.IsURL(raw):
		// Read as pgx reads it (internal/storeurl), so what is accepted
		// here is what connects: a password may hold ?, # or @.
		if !storeurl.HasHost(raw) {
			return fmt.Errorf("%q is not a PostgreSQL URL; use postgres://user:password@host:5432/dbname, and write a / in the password as %%2F", storeurl.Redact(raw))
		}
		return nil
	case !strings.Contains(raw, "://") && strings.Contains(raw, "="):
		return fmt.Errorf("a keyword/value connection string (host=… password=…) is not taken; write it as a URL: postgres://user:password@host:5432/dbname")
	default:
		return fmt.Errorf("%q is not a store; use \"\" (SQLite in data_dir), sqlite:PATH or postgres://user:password@host:5432/dbname", storeurl.Redact(raw))
	}
}
