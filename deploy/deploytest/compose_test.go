package deploytest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
