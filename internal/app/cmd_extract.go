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
// and, per page, the selectors that matched nothing. With --auto it reads the
// pages by structure alone; with --suggest it prints a definition proposed
// from one page.
func runExtract(_ context.Context, env Env, args []string) error {
	fs := newFlags("extract", env)
	srcPath := fs.String("source", "", "source definition (YAML), e.g. config/sources/jd.yaml")
	baseURL := fs.String("base-url", "", "the pages' original address, to resolve relative links")
	auto := fs.Bool("auto", false, "read the listings by structure alone, with no source definition")
	suggest := fs.Bool("suggest", false, "print a source definition (YAML) with selectors proposed from the page")
	pages, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	const usage = "usage: markwatch extract --source FILE [--base-url URL] PAGE...\n" +
		"       markwatch extract --auto [--base-url URL] PAGE...\n" +
		"       markwatch extract --suggest [--base-url URL] PAGE"
	switch {
	case len(pages) == 0, *auto && *suggest, (*auto || *suggest) && *srcPath != "":
		return usagef(usage)
	case *auto:
		return crawl.RunExtractAuto(env.Stdout, pages, *baseURL)
	case *suggest:
		if len(pages) != 1 {
			return usagef(usage)
		}
		return crawl.RunSuggest(env.Stdout, pages[0], *baseURL)
	case *srcPath == "":
		return usagef(usage)
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
