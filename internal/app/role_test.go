package app

import (
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/domain"
)

func TestParseRole(t *testing.T) {
	sqlite := config.Default()
	pg := config.Default()
	pg.Store.URL = "postgres://markwatch@db.hebei.local/markwatch"
	pg.Auth.Secret = "shared-between-processes"
	pg.Evidence.Dir = "/srv/markwatch/evidence"
	noSecret, noEvidence := pg, pg
	noSecret.Meilisearch.URL, noEvidence.Meilisearch.URL = "http://meilisearch:7700", "http://meilisearch:7700"
	noSecret.Auth.Secret, noEvidence.Evidence.Dir = "", ""
	pgMeili := pg
	pgMeili.Meilisearch.URL = "http://meilisearch:7700"
	for _, tc := range []struct {
		arg  string
		cfg  config.Config
		want role
		err  string
	}{
		{"all", sqlite, roleAll, ""},
		{"all", pg, roleAll, ""},
		{"worker", pg, roleWorker, ""},
		{"worker", pgMeili, roleWorker, ""},
		{"scheduler", pgMeili, roleScheduler, ""},
		{"api", pgMeili, roleAPI, ""},
		{"worker", sqlite, "", "needs a PostgreSQL store"},
		{"api", sqlite, "", "MARKWATCH_STORE_URL"},
		{"api", pg, "", "needs an external Meilisearch"},
		{"scheduler", pg, "", "MARKWATCH_MEILISEARCH_URL"},
		{"api", noSecret, "", "MARKWATCH_AUTH_SECRET"},
		{"scheduler", noSecret, "", "MARKWATCH_AUTH_SECRET"},
		{"worker", noSecret, roleWorker, ""},
		{"worker", noEvidence, "", "MARKWATCH_EVIDENCE_DIR"},
		{"all", noSecret, roleAll, ""},
		{"workers", pgMeili, "", "want one of all, scheduler, worker, api"},
		{"", pgMeili, "", "want one of"},
		{"Worker", pgMeili, "", "want one of"},
	} {
		got, err := parseRole(tc.arg, tc.cfg)
		if tc.err == "" {
			if err != nil || got != tc.want {
				t.Errorf("parseRole(%q) = %q, %v; want %q", tc.arg, got, err, tc.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) || domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("parseRole(%q) error = %v; want EINVALID saying %q", tc.arg, err, tc.err)
		}
	}
}
