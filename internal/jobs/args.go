package jobs

import (
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Job kinds and queues. The kinds are stored in river_job and named in the
// markwatch_jobs metric; they are a contract.
const (
	kindCrawlRun     = "crawl_run"
	kindScheduleTick = "schedule_tick"

	// Crawl jobs and ticks have queues of their own so that a worker-only
	// process never takes a tick and a scheduler-only one never a crawl.
	queueCrawl    = "crawl"
	queueSchedule = "schedule"

	// crawlMaxAttempts bounds the retries of one slot; the next slot of the
	// source comes on schedule anyway.
	crawlMaxAttempts = 5
)

// Slot is one schedule slot of a source: the cron time the run is due. The
// job keeps At in UTC to the millisecond, as the store keeps times, and
// hands the Runner that.
type Slot struct {
	SourceID string
	At       time.Time
}

// crawlRunArgs are the args of a crawl_run job. Slot is normalised (UTC,
// whole milliseconds, as the store keeps times) before it is encoded, so
// that two processes computing the same slot encode the same args and meet
// the same unique key.
type crawlRunArgs struct {
	SourceID string    `json:"source_id"`
	Slot     time.Time `json:"slot"`
}

func newCrawlRunArgs(s Slot) crawlRunArgs {
	return crawlRunArgs{SourceID: s.SourceID, Slot: s.At.UTC().Truncate(time.Millisecond)}
}

func (crawlRunArgs) Kind() string { return kindCrawlRun }

// InsertOpts makes a slot unique by its args in every state but cancelled:
// completed keeps a restarted scheduler from running a slot again (while
// River keeps the row, 24 h), discarded keeps a slot that used up its
// attempts from being reborn on every tick; an operator who cancels a job
// may enqueue its slot again.
func (crawlRunArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       queueCrawl,
		MaxAttempts: crawlMaxAttempts,
		UniqueOpts: river.UniqueOpts{
			ByArgs: true,
			ByState: []rivertype.JobState{
				rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
				rivertype.JobStateRetryable, rivertype.JobStateScheduled,
				rivertype.JobStateCompleted, rivertype.JobStateDiscarded,
			},
		},
	}
}

// scheduleTickArgs are the (empty) args of the periodic schedule_tick job.
type scheduleTickArgs struct{}

func (scheduleTickArgs) Kind() string { return kindScheduleTick }

// InsertOpts keeps at most one tick waiting or running: a tick slower than
// its interval makes the next one skip instead of piling up behind it
// (completed is left out so the next tick can be inserted once this one is
// done). A failed tick is not retried: the next one does its work.
func (scheduleTickArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       queueSchedule,
		MaxAttempts: 1,
		UniqueOpts: river.UniqueOpts{
			ByState: []rivertype.JobState{
				rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
				rivertype.JobStateRetryable, rivertype.JobStateScheduled,
			},
		},
	}
}
