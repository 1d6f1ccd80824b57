package defaults

import (
	"bytes"
	"image"
	_ "image/png"
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

// The registry's reference images travel in the binary with the registry
// that names them, each a small PNG a perceptual hash can read.
func TestEmbeddedReferenceImages(t *testing.T) {
	images, err := fs.Glob(FS, RegistryDir+"/images/*.png")
	if err != nil {
		t.Fatal(err)
	}
	if len(images) < 8 {
		t.Fatalf("embedded reference images: %v, want at least 8", images)
	}
	for _, name := range images {
		data, err := fs.ReadFile(FS, name)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > 30<<10 {
			t.Errorf("%s: %d bytes, want at most 30 KB", name, len(data))
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil || format != "png" || cfg.Width != 256 || cfg.Height != 256 {
			t.Errorf("%s: %s %dx%d, %v; want a 256x256 png", name, format, cfg.Width, cfg.Height, err)
		}
	}
}
