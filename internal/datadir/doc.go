// Package datadir keeps a data directory to one markwatch at a time.
//
// Two daemons on one data dir corrupt each other's history: the second
// marks the first's live runs interrupted and both crawl. Acquire takes an
// exclusive flock on data_dir/markwatch.lock before anything else touches
// the directory; the kernel drops it when the process dies, so a crash never
// leaves a stale lock behind. A store shared between hosts (PostgreSQL)
// needs a lease per process in the database instead; a file lock only
// guards one host's directory.
package datadir
