package config

import "testing"

// FuzzOverlay checks that no YAML input panics the strict decoder.
func FuzzOverlay(f *testing.F) {
	f.Add([]byte("http:\n  listen: 127.0.0.1:8080\nnotify:\n  webhooks:\n    - url: https://example.com/hook\n      secret: s\n"))
	f.Add([]byte("crawl: {shutdown_grace: 十秒, run_on_start: 是}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := Default()
		c.origins = map[string]string{}
		ps := &problems{}
		(&decoder{file: "fuzz.yaml", ps: ps, origins: c.origins}).overlay(&c, data)
		if ps.err() == nil {
			_ = c.Validate()
		}
	})
}
