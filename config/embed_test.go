package config

import (
	"io/fs"
	"testing"
)

func TestEmbeddedDefaults(t *testing.T) {
	fsys := FS
	for _, name := range []string{DaemonConfig, Registry} {
		if data, err := fs.ReadFile(fsys, name); err != nil || len(data) == 0 {
			t.Errorf("reading embedded %s: %d bytes, %v", name, len(data), err)
		}
	}
	sources, err := fs.Glob(fsys, SourcesDir+"/*.yaml")
	if err != nil || len(sources) == 0 {
		t.Errorf("embedded sources: %v, %v", sources, err)
	}
}
