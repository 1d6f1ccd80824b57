package config

import (
	"strings"
	"testing"
)

func TestCheckEnviron(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		want    string // "" for no error
	}{
		{"known and foreign variables", []string{"PATH=/usr/bin", "MARKWATCH_HTTP_LISTEN=:8080", "MARKWATCH_MEILISEARCH_API_KEY=k", "LANG=zh_CN.UTF-8"}, ""},
		{"allowed by caller", []string{"MARKWATCH_CONFIG=/etc/markwatch.yaml"}, ""},
		{"typo", []string{"MARKWATCH_MEILISEARCH_APIKEY=k"}, "MARKWATCH_MEILISEARCH_APIKEY: no such setting; did you mean MARKWATCH_MEILISEARCH_API_KEY?"},
		{"list", []string{"MARKWATCH_NOTIFY_WEBHOOKS=https://example.com/hook"}, `MARKWATCH_NOTIFY_WEBHOOKS: field "notify.webhooks": lists cannot be set from the environment`},
		{"another list", []string{"MARKWATCH_SCHEDULE_SOURCES=jd:6h"}, `MARKWATCH_SCHEDULE_SOURCES: field "schedule.sources": lists cannot be set from the environment`},
		{"nothing close", []string{"MARKWATCH_商标=x"}, "MARKWATCH_商标: no such setting; variables are MARKWATCH_ + a field path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckEnviron(tt.environ, "MARKWATCH_CONFIG")
			if tt.want == "" {
				if err != nil {
					t.Errorf("CheckEnviron = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CheckEnviron = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestEnvNamesCoverScalars(t *testing.T) {
	names := strings.Join(envNames(), " ")
	for _, want := range []string{"MARKWATCH_DATA_DIR", "MARKWATCH_LOG_LEVEL", "MARKWATCH_SOURCES_DEMO_ENABLED",
		"MARKWATCH_MEILISEARCH_MAX_INDEXING_MEMORY", "MARKWATCH_CRAWL_ALLOW_PRIVATE_ADDRESSES", "MARKWATCH_SCHEDULE_TIMEZONE"} {
		if !strings.Contains(names, want) {
			t.Errorf("%s missing from %s", want, names)
		}
	}
	if strings.Contains(names, "WEBHOOKS") || strings.Contains(names, "SCHEDULE_SOURCES") {
		t.Errorf("lists are not settable from the environment: %s", names)
	}
}
