package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/markwatch/markwatch/internal/crawl"
)

// runExtract tries a source definition on saved pages, for operators writing
// a definition for a new marketplace: it prints the listings as JSON lines
// and, per page, the selectors that matched nothing.
func runExtract(_ context.Context, env Env, args []string) error {
	fs := newFlags("extract", env)
	srcPath := fs.String("source", "", "source definition (YAML), e.g. config/sources/jd.yaml")
	baseURL := fs.String("base-url", "", "the pages' original address, to resolve relative links")
	pages, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *srcPath == "" || len(pages) == 0 {
		return usagef("usage: markwatch extract --source FILE [--base-url URL] PAGE...")
	}
	data, err := os.ReadFile(*srcPath)
	if err != nil {
		return fmt.Errorf("reading source definition: %w", err)
	}
	src, err := crawl.ParseSource(filepath.ToSlash(*srcPath), data)
	if err != nil {
		return err
	}
	return crawl.RunExtract(env.Stdout, src, pages, *baseURL)
}
