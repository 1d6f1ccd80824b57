package app

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	defaults "github.com/markwatch/markwatch/config"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/imagesig"
	"github.com/markwatch/markwatch/internal/match"
	"github.com/markwatch/markwatch/internal/registry"
)

// loadRegistry reads the registry at path, or the embedded one when path is
// empty, and hashes its reference images (relative to the registry file;
// the embedded registry's are in config/marks). Errors name file, line and
// field (registry's job), or the mark and the image.
func loadRegistry(path string) ([]domain.Mark, error) {
	var (
		marks []domain.Mark
		err   error
		fsys  fs.FS = defaults.FS
		dir         = defaults.RegistryDir
	)
	if path == "" {
		if marks, err = registry.LoadFS(defaults.FS, defaults.Registry, defaults.DisplayPrefix+defaults.Registry+" (embedded)"); err != nil {
			return nil, fmt.Errorf("loading embedded registry: %w", err)
		}
	} else {
		if marks, err = registry.Load(path); err != nil {
			return nil, fmt.Errorf("loading registry: %w", err)
		}
		fsys, dir = os.DirFS(filepath.Dir(path)), "."
	}
	if err := registry.HashImages(fsys, dir, marks, imagesig.Hasher{}.Hash); err != nil {
		where := filepath.Dir(path)
		if path == "" {
			where = "config/" + defaults.RegistryDir + " (embedded)"
		}
		return nil, fmt.Errorf("loading registry %s: %w; a mark's images are paths relative to %s: fix the path or add the picture (jpeg, png, gif or webp)", orEmbedded(path), err, where)
	}
	return marks, nil
}

// buildMatcher loads the registry (path "" = embedded) and builds the one
// matcher every command and the daemon use.
func buildMatcher(registryPath string, threshold float64) ([]domain.Mark, *match.Matcher, error) {
	marks, err := loadRegistry(registryPath)
	if err != nil {
		return nil, nil, err
	}
	m, err := match.New(marks, match.Options{AlertThreshold: threshold})
	if err != nil {
		return nil, nil, fmt.Errorf("building matcher: %w", err)
	}
	return marks, m, nil
}

func orEmbedded(path string) string {
	if path == "" {
		return "config/" + defaults.Registry + " (embedded)"
	}
	return path
}
