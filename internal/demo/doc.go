// Package demo serves a small, deterministic marketplace on loopback so that
// `make run` and tests have realistic search-result pages to crawl without
// touching the network: look-alikes of protected Hebei marks, genuine
// listings, unrelated goods, paginated results, a robots.txt, and some pages
// in GBK as older Chinese marketplaces still serve them.
package demo
