// Package jobs runs crawl runs as River jobs on PostgreSQL (docs/DISTRIBUTED.md,
// "Crawl runs as River jobs"): any number of processes share one queue, a
// leader-elected schedule tick enqueues due slots, and workers take them.
//
// What holds across processes, and how:
//
//   - A slot is enqueued once: a crawl_run job is unique by its args
//     {source_id, slot} in every state but cancelled, so two schedulers, a
//     restarted one, or a "run now" racing a tick cannot add it twice, nor
//     bring back a slot that completed or used up its attempts.
//   - One run per source at a time: the job holds a session advisory lock
//     keyed by the source on a pooled connection of its own for the run and
//     snoozes while another job holds it; a worker that dies drops its
//     connection and with it the lock.
//   - A worker killed mid-run leaves its job running; the leader rescues it
//     after Options.RescueAfter and another worker retries it, first marking
//     the dead attempt's runs interrupted.
//   - Requests to one host keep their delay over all workers: Pacer reserves
//     turns in the markwatch_host_pacing table, in the database's clock.
//
// The package knows nothing of the store or the pipeline: the app hands it a
// Runner, a Planner and an Interrupter.
package jobs
