// Package distributedtest holds the distributed mode's end-to-end tests
// (issue 13): separate markwatch processes — a scheduler, an api and
// several workers — on one PostgreSQL and one Meilisearch, crawling a demo
// marketplace on loopback, one worker killed mid-run. It has no code of
// its own: the binary under test is built from cmd/markwatch.
package distributedtest
