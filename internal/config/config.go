package config

import (
	"fmt"
	"net"
	"strings"
	"time"

	"go.uber.org/zap/zapcore"

	// Embedded zone data: the static image has no /usr/share/zoneinfo, and
	// Asia/Shanghai must load there too.
	_ "time/tzdata"
)

// Config is the whole daemon configuration. The yaml tags name the fields in
// the file; the environment variable of a field is MARKWATCH_ followed by its
// dotted path in upper case with dots as underscores (http.listen →
// MARKWATCH_HTTP_LISTEN).
type Config struct {
	DataDir     string      `yaml:"data_dir"`
	Store       Store       `yaml:"store"`
	Jobs        Jobs        `yaml:"jobs"`
	Log         Log         `yaml:"log"`
	HTTP        HTTP        `yaml:"http"`
	Registry    Registry    `yaml:"registry"`
	Sources     Sources     `yaml:"sources"`
	Meilisearch Meilisearch `yaml:"meilisearch"`
	Match       Match       `yaml:"match"`
	Crawl       Crawl       `yaml:"crawl"`
	Schedule    Schedule    `yaml:"schedule"`
	Notify      Notify      `yaml:"notify"`
	Auth        Auth        `yaml:"auth"`
	Evidence    Evidence    `yaml:"evidence"`

	// DataDirMinFreeMB is the free space, in MiB, below which /readyz
	// answers 503: the store and Meilisearch fail mid-write on a full
	// disk. 0 turns the floor off.
	DataDirMinFreeMB int `yaml:"data_dir_min_free_mb"`

	// origins maps a field's dotted path to where its value came from
	// ("deploy/markwatch.yaml:12", "MARKWATCH_HTTP_LISTEN"), so Validate can
	// point at the line to fix. Nil for a Config built in code.
	origins map[string]string
}

// Store says where the system of record lives.
type Store struct {
	// URL: "" is SQLite in data_dir/markwatch.db; sqlite:PATH is SQLite
	// at PATH; postgres://… (or postgresql://…) is PostgreSQL, for the
	// distributed mode (docs/DISTRIBUTED.md). Its password is redacted
	// wherever the configuration is shown.
	URL string `yaml:"url"`
}

// Postgres reports whether the store is PostgreSQL.
func (s Store) Postgres() bool {
	return strings.HasPrefix(s.URL, "postgres://") || strings.HasPrefix(s.URL, "postgresql://")
}

// Jobs configures crawl runs as jobs on PostgreSQL (serve --role worker
// and scheduler); the embedded SQLite mode does not use them.
type Jobs struct {
	// Workers is how many crawl runs one worker process runs at once.
	Workers int `yaml:"workers"`
	// RescueAfter is how long a running job may go without finishing
	// before it is taken to be a dead worker's and retried elsewhere:
	// longer than any run takes.
	RescueAfter time.Duration `yaml:"rescue_after"`
	// StopTimeout is how long a stopping worker lets its running jobs
	// finish before cancelling them (they are retried).
	StopTimeout time.Duration `yaml:"stop_timeout"`
}

// Log configures the daemon's logger.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // console (for people) or json (for collectors)
}

// HTTP configures the API server.
type HTTP struct {
	Listen string `yaml:"listen"` // host:port
	// Hosts are the host names the daemon answers to, separated by commas
	// or spaces; a request naming any other Host is refused (DNS
	// rebinding). localhost, 127.0.0.1, ::1 and the listen host are always
	// allowed.
	Hosts string `yaml:"hosts"`
	// BaseURL is the console's address as people reach it, for links in
	// notifications; "" means http://<listen>.
	BaseURL string `yaml:"base_url"`
	// SecureCookies marks the session cookie Secure. It is on by itself
	// when base_url is https or the request came over TLS.
	SecureCookies bool `yaml:"secure_cookies"`
	// TrustProxy takes the client address from X-Forwarded-For (set it
	// only behind a reverse proxy that overwrites that header), so login
	// throttling per address sees the real client.
	TrustProxy bool `yaml:"trust_proxy"`
	// ReadHeaderTimeout bounds reading a request's headers, from its first
	// byte even on a kept-alive connection (a client trickling bytes is cut
	// off); ReadTimeout the whole request with its body; WriteTimeout
	// writing the response; IdleTimeout a kept-alive connection waiting
	// for its next request.
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	ReadTimeout       time.Duration `yaml:"read_timeout"`
	WriteTimeout      time.Duration `yaml:"write_timeout"`
	IdleTimeout       time.Duration `yaml:"idle_timeout"`
}

// AllowedHosts lists the host names of Hosts plus the loopback names and
// the listen host.
func (h HTTP) AllowedHosts() []string {
	out := []string{"localhost", "127.0.0.1", "::1"}
	if host, _, err := net.SplitHostPort(h.Listen); err == nil && host != "" && host != "0.0.0.0" && host != "::" {
		out = append(out, host)
	}
	for _, f := range strings.FieldsFunc(h.Hosts, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, strings.ToLower(f))
	}
	return out
}

// Evidence configures what is kept of listings that raise alerts.
type Evidence struct {
	// Dir holds the content-addressed artefacts; "" means data_dir/evidence.
	Dir string `yaml:"dir"`
	// MaxArtefactMB refuses a single artefact (page, image, screenshot)
	// larger than this many MiB.
	MaxArtefactMB int `yaml:"max_artefact_mb"`
	// TSAURL is an RFC 3161 Time-Stamping Authority. "" keeps tree heads
	// signed and chained but unstamped until one is configured.
	TSAURL string `yaml:"tsa_url"`
	// TSACA is a PEM file of the TSA's root certificate(s), for verifying
	// its tokens; "" uses the system roots.
	TSACA string `yaml:"tsa_ca"`
	// HeadInterval is how often a grown log gets a signed tree head.
	HeadInterval time.Duration `yaml:"head_interval"`
	// KeyFile holds the ed25519 seed that signs tree heads; "" means
	// data_dir/evidence.key, generated at first start. A distributed
	// installation whose scheduler may start on another machine points it
	// at a file that outlives the machine (a Kubernetes Secret, a volume),
	// so every tree head is signed by one key.
	KeyFile string `yaml:"key_file"`
}

// Auth configures sign-in.
type Auth struct {
	// SessionIdle signs a console session out after this long without use.
	SessionIdle time.Duration `yaml:"session_idle"`
	// SessionMax signs a console session out this long after sign-in,
	// used or not.
	SessionMax time.Duration `yaml:"session_max"`
	// Secret signs unsubscribe links. "" generates one into
	// data_dir/auth.key (mode 0600) at first start.
	Secret Secret `yaml:"secret"`
}

// Registry says where the protected marks come from.
type Registry struct {
	// Path of a registry file; "" uses the embedded config/marks/hebei.yaml.
	Path string `yaml:"path"`
}

// Sources says where marketplace definitions come from.
type Sources struct {
	// Dir holds *.yaml source definitions; "" uses the embedded config/sources.
	Dir  string `yaml:"dir"`
	Demo Demo   `yaml:"demo"`
}

// Demo is the built-in demo marketplace served on loopback.
type Demo struct {
	Enabled bool   `yaml:"enabled"`
	Listen  string `yaml:"listen"` // host:port
	// Platforms are the demo's embedded source ids to crawl: its three
	// platforms by default, across which its counterfeit ring sells.
	Platforms []string `yaml:"platforms"`
}

// Meilisearch configures the search index.
type Meilisearch struct {
	// URL of a running server; "" runs the pinned binary as a child process
	// with its data and a generated key under DataDir.
	URL    string `yaml:"url"`
	APIKey Secret `yaml:"api_key"`
	Index  string `yaml:"index"`
	// Binary is the meilisearch executable for the managed process; ""
	// looks in .tools/ and then PATH.
	Binary string `yaml:"binary"`
	// MaxIndexingMemory is passed to --max-indexing-memory: the default
	// lets Meilisearch take gigabytes, 256MiB keeps it near 0.4 GB at the
	// same bulk speed.
	MaxIndexingMemory string `yaml:"max_indexing_memory"`
}

// Managed reports whether markwatch runs Meilisearch itself.
func (m Meilisearch) Managed() bool { return m.URL == "" }

// Match tunes the matcher.
type Match struct {
	// AlertThreshold is the score from which a hit raises an alert; 0 keeps
	// the matcher's default.
	AlertThreshold float64 `yaml:"alert_threshold"`
}

// Crawl tunes crawling.
type Crawl struct {
	RunOnStart bool `yaml:"run_on_start"`
	// ShutdownGrace is how long a running crawl may finish on SIGTERM
	// before it is cancelled.
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`
	// AllowPrivateAddresses lets sources fetch from loopback and private
	// networks; off by default so a source definition cannot reach internal
	// services. The demo marketplace is allowed regardless.
	AllowPrivateAddresses bool `yaml:"allow_private_addresses"`
}

// Schedule configures when sources are crawled.
type Schedule struct {
	// Timezone of cron schedules, an IANA name.
	Timezone string `yaml:"timezone"`
	// Jitter delays each scheduled run by a random amount up to this, so
	// sources on the same spec ("0 * * * *") do not all start at once.
	Jitter time.Duration `yaml:"jitter"`
	// MinInterval is the floor under every source's schedule: a spec whose
	// consecutive runs come closer is refused, so a typo ("* * * * * *")
	// cannot crawl a marketplace every second.
	MinInterval time.Duration `yaml:"min_interval"`
	// Sources give single sources a floor of their own, above or below
	// MinInterval.
	Sources []SourceSchedule `yaml:"sources"`
}

// SourceSchedule is one source's entry under schedule.sources.
type SourceSchedule struct {
	ID          string        `yaml:"id"`
	MinInterval time.Duration `yaml:"min_interval"`
}

// MinIntervals maps source ids to their own floors, as the scheduler takes
// them (schedule.Options.SourceMinInterval).
func (s Schedule) MinIntervals() map[string]time.Duration {
	out := make(map[string]time.Duration, len(s.Sources))
	for _, src := range s.Sources {
		out[src.ID] = src.MinInterval
	}
	return out
}

// Location loads the schedule's time zone.
func (s Schedule) Location() (*time.Location, error) {
	loc, err := time.LoadLocation(s.Timezone)
	if err != nil {
		return nil, fmt.Errorf("loading time zone %q: %w", s.Timezone, err)
	}
	return loc, nil
}

// Notify configures where alerts are delivered.
type Notify struct {
	Webhooks []Webhook `yaml:"webhooks"`
	// SMTP sends subscriptions' e-mail; an empty host leaves e-mail
	// subscriptions pending until one is configured.
	SMTP SMTP `yaml:"smtp"`
	// DisableAfter turns a subscription off when its receiver has failed
	// for this long without one success; its user sees why in the console.
	DisableAfter time.Duration `yaml:"disable_after"`
}

// SMTP is the mail server e-mail subscriptions go through.
type SMTP struct {
	Host string `yaml:"host"`
	Port int    `yaml:"port"`
	// Security is starttls (port 587), tls (port 465) or none (a local
	// relay only).
	Security string `yaml:"security"`
	Username string `yaml:"username"`
	Password Secret `yaml:"password"`
	From     string `yaml:"from"`
}

// Webhook is one HTTP endpoint alerts are POSTed to.
type Webhook struct {
	URL string `yaml:"url"`
	// Secret signs the payload so the receiver can check it came from us.
	Secret Secret `yaml:"secret"`
}

// Default returns the built-in defaults. The embedded config/markwatch.yaml
// states the same values (a test keeps them equal); Default exists so code
// and tests can get a valid Config without parsing anything.
func Default() Config {
	return Config{
		DataDir:  "./data",
		Jobs:     Jobs{Workers: 2, RescueAfter: time.Hour, StopTimeout: 30 * time.Second},
		Log:      Log{Level: "info", Format: "console"},
		HTTP:     HTTP{Listen: "127.0.0.1:8080", ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 60 * time.Second},
		Sources:  Sources{Demo: Demo{Enabled: false, Listen: "127.0.0.1:8089", Platforms: []string{"demo", "demo-pifa", "demo-youxuan"}}},
		Match:    Match{},
		Schedule: Schedule{Timezone: "Asia/Shanghai", MinInterval: time.Minute},
		Meilisearch: Meilisearch{
			Index:             "hits",
			MaxIndexingMemory: "256MiB",
		},
		Crawl:    Crawl{RunOnStart: true, ShutdownGrace: 10 * time.Second},
		Notify:   Notify{SMTP: SMTP{Port: 587, Security: "starttls"}, DisableAfter: 72 * time.Hour},
		Auth:     Auth{SessionIdle: 2 * time.Hour, SessionMax: 24 * time.Hour},
		Evidence: Evidence{MaxArtefactMB: 32, HeadInterval: time.Minute},

		DataDirMinFreeMB: 256,
	}
}

// ZapLevel is Level as a zap level; Validate has checked it parses.
func (l Log) ZapLevel() zapcore.Level {
	lvl, err := zapcore.ParseLevel(l.Level)
	if err != nil {
		return zapcore.InfoLevel
	}
	return lvl
}
