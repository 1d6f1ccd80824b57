package crawl

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// PageURL expands the search URL template for a query and a 0-based page
// index: {base}, {query} (escaped in the source's query encoding) and {page}.
func (s Source) PageURL(query string, index int) (string, error) {
	q, err := escapeQuery(query, s.QueryEncoding)
	if err != nil {
		return "", fmt.Errorf("encoding query %q: %w", query, err)
	}
	step := s.Pagination.Step
	if step == 0 {
		step = 1
	}
	page := s.Pagination.Start + index*step
	r := strings.NewReplacer("{base}", strings.TrimSuffix(s.BaseURL, "/"), "{query}", q, "{page}", strconv.Itoa(page))
	raw := r.Replace(s.SearchURL)
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("expanding search URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("expanding search URL: %q is not an absolute http(s) URL", raw)
	}
	return raw, nil
}

// Hosts returns the host names requests may go to: AllowedDomains, or the
// host of the search URL when none are configured.
func (s Source) Hosts() []string {
	if len(s.AllowedDomains) > 0 {
		return slices.Clone(s.AllowedDomains)
	}
	raw, err := s.PageURL("q", 0)
	if err != nil {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	return []string{u.Hostname()}
}
