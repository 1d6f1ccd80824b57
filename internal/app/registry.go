package app

import (
	"fmt"

	defaults "github.com/markwatch/markwatch/config"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/match"
	"github.com/markwatch/markwatch/internal/registry"
)

// loadRegistry reads the registry at path, or the embedded one when path is
// empty. Errors name file, line and field (registry's job).
func loadRegistry(path string) ([]domain.Mark, error) {
	if path == "" {
		marks, err := registry.LoadFS(defaults.FS, defaults.Registry, defaults.DisplayPrefix+defaults.Registry+" (embedded)")
		if err != nil {
			return nil, fmt.Errorf("loading embedded registry: %w", err)
		}
		return marks, nil
	}
	marks, err := registry.Load(path)
	if err != nil {
		return nil, fmt.Errorf("loading registry: %w", err)
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
