package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// env returns a getenv over a fixed map, so tests never see the real
// environment.
func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "markwatch.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEmbeddedDefaultsMatchDefault(t *testing.T) {
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.origins = nil
	if want := Default(); !reflect.DeepEqual(c, want) {
		t.Errorf("embedded config/markwatch.yaml and Default() differ:\n got %+v\nwant %+v", c, want)
	}
	if err := Default().Validate(); err != nil {
		t.Errorf("Default() is invalid: %v", err)
	}
}

func TestLoadOverlaysFile(t *testing.T) {
	path := writeConfig(t, `
data_dir: /var/lib/markwatch
http:
  listen: ":9090"
meilisearch:
  url: http://meilisearch:7700
  api_key: masterKey-长城
crawl:
  shutdown_grace: 1m30s
notify:
  webhooks:
    - url: https://oapi.dingtalk.com/robot/send?access_token=abc
      secret: SECdingtalk
`)
	c, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/var/lib/markwatch" || c.HTTP.Listen != ":9090" || c.Meilisearch.URL != "http://meilisearch:7700" ||
		c.Meilisearch.APIKey.Value() != "masterKey-长城" || c.Crawl.ShutdownGrace != 90*time.Second {
		t.Errorf("file values not applied: %+v", c)
	}
	// Fields the file leaves out keep the defaults.
	if c.Log.Level != "info" || c.Meilisearch.Index != "hits" || !c.Crawl.RunOnStart || c.Schedule.Timezone != "Asia/Shanghai" {
		t.Errorf("defaults lost: %+v", c)
	}
	if len(c.Notify.Webhooks) != 1 || c.Notify.Webhooks[0].Secret.Value() != "SECdingtalk" {
		t.Errorf("webhooks = %+v", c.Notify.Webhooks)
	}
	if c.Meilisearch.Managed() {
		t.Error("a configured URL still reports a managed Meilisearch")
	}
	if got := c.Origin("http.listen"); got != path+":4" {
		t.Errorf("Origin(http.listen) = %q, want %q", got, path+":4")
	}
}

func TestLoadScheduleFloors(t *testing.T) {
	path := writeConfig(t, "schedule:\n  min_interval: 10m\n  sources:\n    - {id: jd, min_interval: 6h}\n    - {id: demo, min_interval: 1s}\n")
	c, err := Load(path, env(map[string]string{"MARKWATCH_SCHEDULE_MIN_INTERVAL": "15m"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Schedule.MinInterval != 15*time.Minute {
		t.Errorf("min_interval = %s, want the variable's 15m over the file's 10m", c.Schedule.MinInterval)
	}
	want := map[string]time.Duration{"jd": 6 * time.Hour, "demo": time.Second}
	if got := c.Schedule.MinIntervals(); !reflect.DeepEqual(got, want) {
		t.Errorf("MinIntervals() = %v, want %v", got, want)
	}
	if d := Default().Schedule.MinInterval; d != time.Minute {
		t.Errorf("default floor %s, want 1m", d)
	}
}

func TestLoadBrokenConfig(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string // one problem line: file:line: field: message
	}{
		{"unknown field", "http:\n  listen: 127.0.0.1:8080\n  lisen: :9090\n", `:3: field "http.lisen": unknown field; did you mean "http.listen"?`},
		{"unknown section", "meilisearh:\n  url: http://x:7700\n", `:1: field "meilisearh": unknown field; did you mean "meilisearch"?`},
		{"bad duration", "crawl:\n  shutdown_grace: 10\n", `:2: field "crawl.shutdown_grace": "10" is not a duration; write a Go duration with a unit like 10s`},
		{"bad duration text", "crawl:\n  shutdown_grace: 十秒\n", `:2: field "crawl.shutdown_grace": "十秒" is not a duration`},
		{"negative duration", "crawl:\n  shutdown_grace: -5s\n", `:2: field "crawl.shutdown_grace": -5s must be positive`},
		{"negative jitter", "schedule:\n  jitter: -1m\n", `:2: field "schedule.jitter": -1m0s must not be negative`},
		{"bad listen address", "http:\n  listen: localhost\n", `:2: field "http.listen": "localhost" is not a listen address; write host:port`},
		{"bad port", "sources:\n  demo:\n    listen: 127.0.0.1:99999\n    enabled: true\n", `:3: field "sources.demo.listen": "127.0.0.1:99999" has an invalid port`},
		{"bad URL scheme", "meilisearch:\n  url: meilisearch:7700\n", `:2: field "meilisearch.url": scheme "meilisearch" is not supported`},
		{"URL without host", "meilisearch:\n  url: http:///indexes\n", `:2: field "meilisearch.url": the URL has no host`},
		{"bad webhook URL", "notify:\n  webhooks:\n    - url: ftp://example.com/hook\n", `:3: field "notify.webhooks[0].url": scheme "ftp" is not supported`},
		{"duplicate webhook", "notify:\n  webhooks:\n    - url: https://example.com/a\n    - url: https://example.com/a\n", `:4: field "notify.webhooks[1].url": same URL as notify.webhooks[0]`},
		{"unknown webhook field", "notify:\n  webhooks:\n    - url: https://example.com/a\n      secrt: x\n", `:4: field "notify.webhooks[0].secrt": unknown field; did you mean "notify.webhooks[0].secret"?`},
		{"bool as text", "sources:\n  demo:\n    enabled: \"no\"\n", `:3: field "sources.demo.enabled": "no" is not a boolean; write true or false`},
		{"threshold out of range", "match:\n  alert_threshold: 1.5\n", `:2: field "match.alert_threshold": 1.5 is outside 0..1`},
		{"threshold not a number", "match:\n  alert_threshold: 高\n", `:2: field "match.alert_threshold": "高" is not a number`},
		{"bad level", "log:\n  level: verbose\n", `:2: field "log.level": "verbose" is not a level; use debug, info, warn or error`},
		{"bad format", "log:\n  format: text\n", `:2: field "log.format": "text" is not a format`},
		{"floor under a second", "schedule:\n  min_interval: 500ms\n", `:2: field "schedule.min_interval": 500ms is under 1s`},
		{"source floor without id", "schedule:\n  sources:\n    - min_interval: 6h\n", `:3: field "schedule.sources[0].id": must name a source`},
		{"source floor twice", "schedule:\n  sources:\n    - {id: jd, min_interval: 6h}\n    - {id: jd, min_interval: 1h}\n", `:4: field "schedule.sources[1].id": source "jd" is listed twice`},
		{"source floor zero", "schedule:\n  sources:\n    - {id: 京东, min_interval: 0s}\n", `:3: field "schedule.sources[0].min_interval": 0s is under 1s; give the least time between two scheduled runs of source "京东"`},
		{"source floor misspelt", "schedule:\n  sources:\n    - {id: jd, min_intervall: 6h}\n", `:3: field "schedule.sources[0].min_intervall": unknown field; did you mean "schedule.sources[0].min_interval"?`},
		{"bad time zone", "schedule:\n  timezone: Asia/Beijing\n", `:2: field "schedule.timezone": "Asia/Beijing" is not a known time zone`},
		{"bad index", "meilisearch:\n  index: 命中\n", `:2: field "meilisearch.index": "命中" is not an index name`},
		{"bad memory", "meilisearch:\n  max_indexing_memory: lots\n", `:2: field "meilisearch.max_indexing_memory": "lots" is not a size`},
		{"section not a mapping", "http: 127.0.0.1:8080\n", `:1: field "http": must be a mapping of fields`},
		{"list where value expected", "data_dir: [a, b]\n", `:1: field "data_dir": must be a single value, not a list`},
		{"repeated key", "data_dir: ./a\ndata_dir: ./b\n", `:2: field "data_dir": given twice (first at line 1)`},
		{"syntax error", "http:\n  listen: 127.0.0.1:8080\n    extra: x\n", `:3: invalid YAML near here`},
		{"second document", "data_dir: ./a\n---\ndata_dir: ./b\n", `:2: a second YAML document starts here`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.yaml)
			_, err := Load(path, nil)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("ErrorCode = %q, want %q", domain.ErrorCode(err), domain.EINVALID)
			}
			if want := path + tt.want; !strings.Contains(err.Error(), want) {
				t.Errorf("error does not contain\n  %s\ngot\n  %v", want, err)
			}
		})
	}
}

func TestLoadReportsAllProblems(t *testing.T) {
	path := writeConfig(t, "http:\n  listen: nope\nlog:\n  level: loud\ncrawl:\n  shutdown_grace: 0s\n")
	_, err := Load(path, nil)
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *config.Error", err)
	}
	if len(ce.Problems) != 3 {
		t.Errorf("got %d problems, want 3:\n%v", len(ce.Problems), err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.yaml")
	_, err := Load(path, nil)
	if !errors.Is(err, fs.ErrNotExist) || domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("error %v: want fs.ErrNotExist and code invalid", err)
	}
	if !strings.HasPrefix(err.Error(), path+": reading the configuration") {
		t.Errorf("error %q does not start with the path", err)
	}
}

func TestEnvOverrides(t *testing.T) {
	path := writeConfig(t, "http:\n  listen: 127.0.0.1:9000\nmeilisearch:\n  url: http://file:7700\n")
	c, err := Load(path, env(map[string]string{
		"MARKWATCH_DATA_DIR":               "/srv/商标监测",
		"MARKWATCH_HTTP_LISTEN":            "0.0.0.0:8080",
		"MARKWATCH_MEILISEARCH_URL":        "",
		"MARKWATCH_MEILISEARCH_API_KEY":    "k3y",
		"MARKWATCH_SOURCES_DEMO_ENABLED":   "false",
		"MARKWATCH_CRAWL_SHUTDOWN_GRACE":   "30s",
		"MARKWATCH_MATCH_ALERT_THRESHOLD":  "0.75",
		"MARKWATCH_SCHEDULE_TIMEZONE":      "UTC",
		"MARKWATCH_CRAWL_RUN_ON_START":     "0",
		"MARKWATCH_NOT_A_FIELD_IS_IGNORED": "x",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/srv/商标监测" || c.HTTP.Listen != "0.0.0.0:8080" || c.Meilisearch.APIKey.Value() != "k3y" ||
		c.Sources.Demo.Enabled || c.Crawl.ShutdownGrace != 30*time.Second || c.Match.AlertThreshold != 0.75 ||
		c.Schedule.Timezone != "UTC" || c.Crawl.RunOnStart {
		t.Errorf("environment not applied: %+v", c)
	}
	if !c.Meilisearch.Managed() {
		t.Error("an empty MARKWATCH_MEILISEARCH_URL should override the file and select the managed process")
	}
	if got := c.Origin("http.listen"); got != "MARKWATCH_HTTP_LISTEN" {
		t.Errorf("Origin(http.listen) = %q", got)
	}
}

func TestEnvBadValues(t *testing.T) {
	tests := []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{"MARKWATCH_CRAWL_SHUTDOWN_GRACE": "ten"}, `MARKWATCH_CRAWL_SHUTDOWN_GRACE: field "crawl.shutdown_grace": "ten" is not a duration`},
		{map[string]string{"MARKWATCH_SOURCES_DEMO_ENABLED": "是"}, `MARKWATCH_SOURCES_DEMO_ENABLED: field "sources.demo.enabled": "是" is not a boolean`},
		{map[string]string{"MARKWATCH_HTTP_LISTEN": "8080"}, `MARKWATCH_HTTP_LISTEN: field "http.listen": "8080" is not a listen address`},
		{map[string]string{"MARKWATCH_MEILISEARCH_URL": "localhost:7700"}, `MARKWATCH_MEILISEARCH_URL: field "meilisearch.url"`},
		{map[string]string{"MARKWATCH_MATCH_ALERT_THRESHOLD": "-0.1"}, `MARKWATCH_MATCH_ALERT_THRESHOLD: field "match.alert_threshold": -0.1 is outside 0..1`},
	}
	for _, tt := range tests {
		_, err := Load("", env(tt.vars))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load with %v: error %v, want it to contain %q", tt.vars, err, tt.want)
		}
	}
}

func TestValidateInCode(t *testing.T) {
	c := Default()
	c.HTTP.Listen = "127.0.0.1"
	err := c.Validate()
	if err == nil || !strings.HasPrefix(err.Error(), `field "http.listen": "127.0.0.1" is not a listen address`) {
		t.Errorf("Validate = %v", err)
	}
}
