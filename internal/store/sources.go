package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

const sourceColumns = "id, schedule, paused, next_run_at, last_run_at, consecutive_errors"

// InitSource registers a configured source at startup and returns its
// effective state. spec, the configuration file's schedule, is only an
// initial value: it is stored when the source is new or has no schedule yet
// (a run recorded before any schedule, say), while a schedule already
// stored wins, so an operator's change survives restarts. The store does not
// parse cron specs; the scheduler validates them.
func (db *DB) InitSource(ctx context.Context, id, spec string) (domain.SourceState, error) {
	if strings.TrimSpace(id) == "" {
		return domain.SourceState{}, domain.Errorf(domain.EINVALID, "initialising source: source id is empty")
	}
	var st domain.SourceState
	err := db.inTx(ctx, "initialising source "+id, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sources (id, schedule, created_at) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET schedule = excluded.schedule WHERE sources.schedule = ''`,
			id, spec, toMillis(db.stamp()))
		if err != nil {
			return fmt.Errorf("inserting: %w", err)
		}
		st, err = scanSource(tx.QueryRowContext(ctx, "SELECT "+sourceColumns+" FROM sources WHERE id = ?", id))
		if err != nil {
			return fmt.Errorf("reading back: %w", err)
		}
		return nil
	})
	if err != nil {
		return domain.SourceState{}, err
	}
	return st, nil
}

// SetSourceSchedule stores an operator's schedule for a known source. The
// caller validates spec (the store holds no cron parser); an empty one is
// refused because it would let the configuration's value come back at the
// next start.
func (db *DB) SetSourceSchedule(ctx context.Context, id, spec string) error {
	if strings.TrimSpace(spec) == "" {
		return domain.Errorf(domain.EINVALID, "setting schedule of source %s: the schedule is empty; give a cron spec such as \"*/30 * * * *\"", id)
	}
	return db.updateSource(ctx, "setting schedule of source "+id, id, "schedule = ?", spec)
}

// SetSourcePaused stores whether a known source is paused.
func (db *DB) SetSourcePaused(ctx context.Context, id string, paused bool) error {
	what := "resuming source " + id
	if paused {
		what = "pausing source " + id
	}
	return db.updateSource(ctx, what, id, "paused = ?", paused)
}

// SetSourceNextRun stores when the scheduler will next run a known source;
// the zero time clears it (paused, or nothing planned).
func (db *DB) SetSourceNextRun(ctx context.Context, id string, next time.Time) error {
	var v sql.NullInt64
	if !next.IsZero() {
		v = sql.NullInt64{Int64: toMillis(next), Valid: true}
	}
	return db.updateSource(ctx, "recording next run of source "+id, id, "next_run_at = ?", v)
}

// updateSource sets one column of a source's row; an unknown source is
// domain.ENOTFOUND rather than a silent no-op, so a typo in an id is seen.
func (db *DB) updateSource(ctx context.Context, what, id, set string, arg any) error {
	res, err := db.wr.ExecContext(ctx, "UPDATE sources SET "+set+" WHERE id = ?", arg, id)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: counting updated rows: %w", what, err)
	}
	if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "%s: no source %q is known", what, id)
	}
	return nil
}

// GetSource returns the stored state of one source (domain.ENOTFOUND if it
// was never registered).
func (db *DB) GetSource(ctx context.Context, id string) (domain.SourceState, error) {
	st, err := scanSource(db.sql.QueryRowContext(ctx, "SELECT "+sourceColumns+" FROM sources WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.SourceState{}, domain.Errorf(domain.ENOTFOUND, "no source %q is known", id)
	}
	if err != nil {
		return domain.SourceState{}, fmt.Errorf("getting source %s: %w", id, err)
	}
	return st, nil
}

// ListSources returns every stored source ordered by id, including sources
// since removed from the configuration: their run history is still here.
func (db *DB) ListSources(ctx context.Context) ([]domain.SourceState, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT "+sourceColumns+" FROM sources ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("listing sources: %w", err)
	}
	out, err := scanAll(rows, scanSource)
	if err != nil {
		return nil, fmt.Errorf("listing sources: %w", err)
	}
	return out, nil
}

func scanSource(r scanner) (domain.SourceState, error) {
	var (
		st         domain.SourceState
		next, last sql.NullInt64
	)
	if err := r.Scan(&st.ID, &st.Schedule, &st.Paused, &next, &last, &st.ConsecutiveErrors); err != nil {
		return domain.SourceState{}, err
	}
	st.NextRunAt = fromNullMillis(next)
	st.LastRunAt = fromNullMillis(last)
	return st, nil
}
