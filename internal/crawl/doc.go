// Package crawl reads marketplace search results: source definitions (YAML),
// fetching with colly under politeness rules, and extraction of listings from
// HTML (CSS selectors) or embedded JSON. A new marketplace is a YAML file, not
// code: everything a source needs is in Source.
package crawl
