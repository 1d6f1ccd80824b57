package deploytest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// composeFile is the part of deploy/compose.yaml the checks read.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Image           string                `yaml:"image"`
	Build           any                   `yaml:"build"`
	Command         words                 `yaml:"command"`
	Profiles        []string              `yaml:"profiles"`
	Environment     map[string]string     `yaml:"environment"`
	Ports           []string              `yaml:"ports"`
	DependsOn       map[string]dependency `yaml:"depends_on"`
	Restart         string                `yaml:"restart"`
	StopGracePeriod string                `yaml:"stop_grace_period"`
	Healthcheck     *struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
	Volumes []string `yaml:"volumes"`
}

type dependency struct {
	Condition string `yaml:"condition"`
}

// words is a command in either of Compose's forms: a list, or a string
// split on spaces.
type words []string

func (w *words) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*w = strings.Fields(n.Value)
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return err
	}
	*w = list
	return nil
}

// composeBaseEnv is all an embedded installation's env file holds
// (markwatch.env.example): Compose interpolates every service whatever the
// profile, so the whole file must interpolate with it alone, or the
// distributed services would break `docker compose up` for existing users.
func composeBaseEnv() map[string]string {
	return map[string]string{"MEILI_MASTER_KEY": "test-master-key-0123456789"}
}

var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?+])?([^}]*)\}|\$\$|\$([A-Za-z_][A-Za-z0-9_]*)`)

// interpolate expands ${VAR}, ${VAR:-default}, ${VAR-default},
// ${VAR:?message}, ${VAR?message}, ${VAR:+alt}, $VAR and $$ as Compose
// does; a required variable that env lacks is an error.
func interpolate(s string, env map[string]string) (string, error) {
	var err error
	out := varRef.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		sub := varRef.FindStringSubmatch(m)
		if sub[4] != "" {
			return env[sub[4]]
		}
		name, op, arg := sub[1], sub[2], sub[3]
		v, set := env[name]
		empty := !set || (strings.HasPrefix(op, ":") && v == "")
		switch strings.TrimPrefix(op, ":") {
		case "-":
			if empty {
				return arg
			}
		case "?":
			if empty {
				err = fmt.Errorf("required variable %s is missing a value: %s", name, arg)
			}
		case "+":
			if empty {
				return ""
			}
			return arg
		}
		return v
	})
	return out, err
}

// secretName matches variables whose defaults would be secrets.
var secretName = regexp.MustCompile(`PASSWORD|SECRET|KEY|TOKEN`)

// checkSecretDefaults refuses a default for a secret that does not say it
// is for local development only: a real secret in the file would be
// everyone's.
func checkSecretDefaults(ps *problems, where, s string) {
	for _, sub := range varRef.FindAllStringSubmatch(s, -1) {
		if secretName.MatchString(sub[1]) && strings.TrimPrefix(sub[2], ":") == "-" && !strings.Contains(sub[3], "local-dev-only") {
			ps.add("%s: ${%s} defaults to %q; a secret's default must be marked local-dev-only, or set it in the env file", where, sub[1], sub[3])
		}
	}
}

// expanded is a service with its variables interpolated.
type expanded struct {
	composeService
	env []string // NAME=value, for config
}

// expand interpolates a service's command, environment, image and ports,
// reporting what does not interpolate with the base env and secret
// defaults that are not marked.
func expand(ps *problems, name string, s composeService) expanded {
	where := "compose service " + name
	x := func(field, v string) string {
		checkSecretDefaults(ps, where+" "+field, v)
		out, err := interpolate(v, composeBaseEnv())
		if err != nil {
			ps.add("%s %s: %v (with only the embedded env file's variables: a profile does not keep Compose from reading a service)", where, field, err)
		}
		return out
	}
	e := expanded{composeService: s}
	e.Image = x("image", s.Image)
	e.Command = make(words, len(s.Command))
	for i, w := range s.Command {
		e.Command[i] = x("command", w)
	}
	e.Environment = map[string]string{}
	for _, k := range sortedKeys(s.Environment) {
		v := x(k, s.Environment[k])
		e.Environment[k] = v
		e.env = append(e.env, k+"="+v)
	}
	e.Ports = make([]string, len(s.Ports))
	for i, p := range s.Ports {
		e.Ports[i] = x("ports", p)
	}
	return e
}

// isMarkwatch reports whether a service runs the markwatch image.
func (s composeService) isMarkwatch() bool {
	return s.Build != nil || s.Image == "markwatch" || strings.HasPrefix(s.Image, "markwatch:")
}

func (s composeService) in(profile string) bool {
	for _, p := range s.Profiles {
		if p == profile {
			return true
		}
	}
	return false
}

// namedMount is the named volume mounted at or above path, or "".
func (s composeService) namedMount(path string) string {
	for _, v := range s.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) < 2 || strings.ContainsAny(parts[0], "/.~$") {
			continue
		}
		if target := parts[1]; path == target || strings.HasPrefix(path, strings.TrimSuffix(target, "/")+"/") {
			return parts[0]
		}
	}
	return ""
}

// checkCompose reads the Compose file at path and reports what breaks the
// contract of deploy/README.md and docs/DISTRIBUTED.md.
func checkCompose(path string) problems {
	var ps problems
	data, err := os.ReadFile(path)
	if err != nil {
		ps.add("reading %s: %v", path, err)
		return ps
	}
	var f composeFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		ps.add("parsing %s: %v", path, err)
		return ps
	}
	svcs := map[string]expanded{}
	for _, name := range sortedKeys(f.Services) {
		svcs[name] = expand(&ps, name, f.Services[name])
	}
	for _, name := range sortedKeys(svcs) {
		s := svcs[name]
		for dep, d := range s.DependsOn {
			if _, ok := svcs[dep]; !ok {
				ps.add("compose service %s depends on %s, which is not a service", name, dep)
			} else if d.Condition == "service_healthy" && svcs[dep].Healthcheck == nil {
				ps.add("compose service %s waits for %s to be healthy, which has no healthcheck", name, dep)
			}
		}
		for _, v := range s.Volumes {
			if vol := strings.Split(v, ":")[0]; !strings.ContainsAny(vol, "/.~") {
				if _, ok := f.Volumes[vol]; !ok {
					ps.add("compose service %s mounts volume %s, which the file does not declare", name, vol)
				}
			}
		}
		if strings.HasPrefix(s.Image, "getmeili/meilisearch") && s.Image != "getmeili/meilisearch:v1.21.0" {
			ps.add("compose service %s: image %s, want the pinned getmeili/meilisearch:v1.21.0", name, s.Image)
		}
		if !s.isMarkwatch() {
			continue
		}
		checkComposeMarkwatch(&ps, name, s)
	}
	checkComposeDistributed(&ps, svcs)
	return ps
}

// checkComposeMarkwatch checks one service running the markwatch image.
func checkComposeMarkwatch(ps *problems, name string, s expanded) {
	where := "compose service " + name
	args := []string(s.Command)
	if len(args) == 0 {
		args = []string{"serve"} // the Dockerfile's CMD
	}
	if role, ok := serveRole(args); ok {
		if !isRole(role) {
			ps.add("%s: serve --role %q, want one of all, scheduler, worker, api", where, role)
			return
		}
		if s.in("distributed") && role == "all" {
			ps.add("%s: the distributed profile runs scheduler, worker and api, not --role all", where)
		}
		if len(s.Profiles) == 0 && role != "all" {
			ps.add("%s: the default (no profile) service is the embedded --role all, not %s", where, role)
		}
		checkSettings(ps, where, role, s.env)
		if s.Restart == "" || s.Restart == "no" {
			ps.add("%s: a daemon needs a restart policy", where)
		}
		return
	}
	if args[0] != "migrate-store" {
		ps.add("%s: runs %q; markwatch services serve with a role, or migrate-store", where, strings.Join(args, " "))
		return
	}
	from, to := flagValue(args, "--from"), flagValue(args, "--to")
	if !strings.HasPrefix(from, "sqlite:") || !strings.HasPrefix(to, "postgres://") {
		ps.add("%s: migrate-store --from %q --to %q, want --from sqlite:PATH --to postgres://…", where, from, to)
	}
	checkSettings(ps, where, "all", s.env)
}

func flagValue(args []string, flag string) string {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, flag+"="); ok {
			return v
		}
	}
	return ""
}

// checkComposeDistributed checks the distributed profile as a whole and the
// embedded default beside it.
func checkComposeDistributed(ps *problems, svcs map[string]expanded) {
	byRole := map[string][]string{}
	evidence := map[string]string{} // service → named volume holding evidence.dir
	for _, name := range sortedKeys(svcs) {
		s := svcs[name]
		if !s.isMarkwatch() {
			continue
		}
		role, serves := serveRole(orServe(s.Command))
		if len(s.Profiles) == 0 && serves {
			byRole["embedded"] = append(byRole["embedded"], name)
			if len(s.Ports) == 0 {
				ps.add("compose service %s: the embedded daemon publishes no port", name)
			}
		}
		if !s.in("distributed") || !serves {
			continue
		}
		byRole[role] = append(byRole[role], name)
		where := "compose service " + name
		if !strings.HasPrefix(s.Environment["MARKWATCH_STORE_URL"], "postgres://") {
			ps.add("%s: MARKWATCH_STORE_URL %q, want postgres://…", where, s.Environment["MARKWATCH_STORE_URL"])
		}
		if d, ok := s.DependsOn["postgres"]; !ok || d.Condition != "service_healthy" {
			ps.add("%s: must wait for postgres to be healthy (depends_on condition service_healthy)", where)
		}
		cfg, err := loadEnv(s.env)
		stop := cfg.Jobs.StopTimeout
		grace, gerr := time.ParseDuration(s.StopGracePeriod)
		switch {
		case err != nil:
			ps.add("%s: reading jobs.stop_timeout: %v", where, err)
		case gerr != nil:
			ps.add("%s: stop_grace_period %q: %v (Docker's default, 10s, would kill running jobs)", where, s.StopGracePeriod, gerr)
		case grace < stop+10*time.Second:
			ps.add("%s: stop_grace_period %s, want at least jobs.stop_timeout %s + 10s so jobs are handed back before the kill", where, grace, stop)
		}
		if vol := s.namedMount(s.Environment["MARKWATCH_EVIDENCE_DIR"]); vol == "" {
			ps.add("%s: MARKWATCH_EVIDENCE_DIR %q is on no named volume; workers write artefacts the API reads", where, s.Environment["MARKWATCH_EVIDENCE_DIR"])
		} else {
			evidence[name] = vol
		}
		dataDir := s.Environment["MARKWATCH_DATA_DIR"]
		if dataDir == "" {
			dataDir = "/var/lib/markwatch" // the Dockerfile's ENV
		}
		if vol := s.namedMount(dataDir); vol != "" && role != "scheduler" {
			ps.add("%s: data dir %s on the named volume %s: every %s container would contend for its lock; leave it to the image's anonymous volume", where, dataDir, vol, role)
		}
		switch role {
		case "worker":
			if len(s.Ports) > 0 {
				ps.add("%s: a worker publishes no port (%v); it is scaled, and its endpoints are for the compose network", where, s.Ports)
			}
		case "api":
			if len(s.Ports) == 0 {
				ps.add("%s: the API publishes no port", where)
			}
		}
	}
	for _, role := range []string{"embedded", "scheduler", "api", "worker"} {
		if n := len(byRole[role]); n != 1 {
			ps.add("compose: %d services %v for %s, want one", n, byRole[role], role)
		}
	}
	vols := map[string]bool{}
	for _, v := range evidence {
		vols[v] = true
	}
	if len(vols) > 1 {
		ps.add("compose: evidence.dir is on different volumes %v; one volume must hold every process's artefacts", evidence)
	}
	checkComposePostgres(ps, svcs["postgres"])
}

func orServe(cmd words) []string {
	if len(cmd) == 0 {
		return []string{"serve"}
	}
	return cmd
}

// pgMajor reads the major version of a postgres:N… image.
var pgMajor = regexp.MustCompile(`^postgres:(\d+)`)

func checkComposePostgres(ps *problems, s expanded) {
	m := pgMajor.FindStringSubmatch(s.Image)
	if m == nil {
		ps.add("compose service postgres: image %q, want the official postgres:N image with a pinned major", s.Image)
		return
	}
	if n, _ := strconv.Atoi(m[1]); n < 15 {
		ps.add("compose service postgres: PostgreSQL %d; the store needs 15 or newer (ICU nondeterministic collation)", n)
	}
	if !s.in("distributed") {
		ps.add("compose service postgres: not in the distributed profile")
	}
	if s.Healthcheck == nil || !strings.Contains(strings.Join(s.Healthcheck.Test, " "), "pg_isready") {
		ps.add("compose service postgres: healthcheck must run pg_isready")
	}
	if s.namedMount("/var/lib/postgresql/data") == "" {
		ps.add("compose service postgres: no named volume for /var/lib/postgresql/data")
	}
}

func TestCompose(t *testing.T) {
	checkCompose(filepath.Join(deployDir(t), "compose.yaml")).report(t)
}

// TestComposeCheckFails breaks a copy of compose.yaml in one way at a time
// and wants checkCompose to say so.
func TestComposeCheckFails(t *testing.T) {
	src := filepath.Join(deployDir(t), "compose.yaml")
	const workerEnv = "    stop_grace_period: 60s\n    depends_on:\n      postgres:\n        condition: service_healthy\n    environment:\n      <<: *distributed-env\n"
	cases := []struct {
		name, old, new, want string
	}{
		{"unknown role", `command: ["serve", "--role", "worker"]`, `command: ["serve", "--role", "crawler"]`, `--role "crawler"`},
		{"worker publishes a port", `command: ["serve", "--role", "worker"]`, `command: ["serve", "--role", "worker"]` + "\n    ports: [\"8081:8080\"]", "publishes no port"},
		{"SQLite in the distributed mode", "  MARKWATCH_STORE_URL: postgres://markwatch:", "  MARKWATCH_STORE_URL: sqlite:/tmp/x.db\n  X_OLD: postgres://markwatch:", "want postgres://"},
		{"short grace", "# and handed back to the queue before Docker kills the process.\n    stop_grace_period: 60s", "# and handed back to the queue before Docker kills the process.\n    stop_grace_period: 20s", "stop_grace_period 20s"},
		{"required secret in a profile", "${MARKWATCH_AUTH_SECRET:-local-dev-only-unsubscribe-key-set-me}", "${MARKWATCH_AUTH_SECRET:?set it}", "required variable MARKWATCH_AUTH_SECRET"},
		{"unmarked secret default", "${POSTGRES_PASSWORD:-markwatch-local-dev-only} # local dev only default", "${POSTGRES_PASSWORD:-hunter2}", `defaults to "hunter2"`},
		{"old PostgreSQL", "image: postgres:17-bookworm", "image: postgres:14-bookworm", "PostgreSQL 14"},
		{"no pg_isready", `test: ["CMD", "pg_isready", "-U", "markwatch", "-d", "markwatch"]`, `test: ["CMD", "true"]`, "pg_isready"},
		{"worker does not wait for postgres", workerEnv, strings.Replace(workerEnv, "service_healthy", "service_started", 1), "must wait for postgres"},
		{"worker holds the Meilisearch key", workerEnv, workerEnv + "      MARKWATCH_MEILISEARCH_API_KEY: x\n", "worker needs no MARKWATCH_MEILISEARCH_API_KEY"},
		{"no such setting", workerEnv, workerEnv + "      MARKWATCH_INDEX_URL: http://meilisearch:7700\n", "MARKWATCH_INDEX_URL"},
		{"invalid setting", "MARKWATCH_JOBS_STOP_TIMEOUT: 30s", "MARKWATCH_JOBS_STOP_TIMEOUT: thirty", "MARKWATCH_JOBS_STOP_TIMEOUT"},
		{"unpinned Meilisearch", "image: getmeili/meilisearch:v1.21.0", "image: getmeili/meilisearch:latest", "pinned"},
		{"two workers", "  # One-shot copy", "  worker2:\n    image: markwatch:local\n    profiles: [distributed]\n    command: [serve, --role, worker]\n    restart: always\n  # One-shot copy", "for worker, want one"},
		{"no embedded default", "  markwatch:\n    build:", "  markwatch:\n    profiles: [embedded]\n    build:", "for embedded, want one"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "compose.yaml")
			data, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, data, 0o644); err != nil {
				t.Fatal(err)
			}
			edit(t, dst, c.old, c.new)
			ps := checkCompose(dst)
			if !strings.Contains(strings.Join(ps, "\n"), c.want) {
				t.Errorf("checkCompose found %d problems, none saying %q:\n%s", len(ps), c.want, strings.Join(ps, "\n"))
			}
		})
	}
}

func TestInterpolate(t *testing.T) {
	env := map[string]string{"SET": "v", "EMPTY": ""}
	cases := []struct{ in, want, err string }{
		{"a${SET}b", "avb", ""},
		{"$SET/$$x", "v/$x", ""},
		{"${UNSET:-d}", "d", ""},
		{"${EMPTY:-d}", "d", ""},
		{"${EMPTY-d}", "", ""},
		{"${UNSET-d}", "d", ""},
		{"${SET:+alt}", "alt", ""},
		{"${UNSET:+alt}", "", ""},
		{"${UNSET:?say}", "", "required variable UNSET"},
		{"${EMPTY:?say}", "", "required variable EMPTY"},
		{"${EMPTY?say}", "", ""},
		{"postgres://u:${PW:-六个核桃-local-dev-only}@h/db", "postgres://u:六个核桃-local-dev-only@h/db", ""},
	}
	for _, c := range cases {
		got, err := interpolate(c.in, env)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("interpolate(%q) error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("interpolate(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}
