package deploytest

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

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
