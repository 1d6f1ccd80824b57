package jobs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/markwatch/markwatch/internal/domain"
)

// reserveTurn moves a host's next free turn on by the delay ($2, in
// microseconds) in one statement and returns the turn this request got
// (now if the host is free, else the host's next_at) and the time it was
// given. The row lock of the upsert orders concurrent reservations; both
// times are the database's clock, so workers whose clocks disagree still
// keep the delay: each sleeps for the difference, which needs no agreement
// of clocks.
const reserveTurn = `INSERT INTO markwatch_host_pacing AS p (host, next_at)
VALUES ($1, clock_timestamp() + $2::bigint * interval '1 microsecond')
ON CONFLICT (host) DO UPDATE
	SET next_at = GREATEST(p.next_at, clock_timestamp()) + $2::bigint * interval '1 microsecond'
RETURNING p.next_at - $2::bigint * interval '1 microsecond', clock_timestamp()`

// Pacer spaces requests to a host over every worker sharing a database.
type Pacer struct {
	pool *pgxpool.Pool
}

// NewPacer returns a Pacer over the markwatch_host_pacing table (Migrate
// creates it).
func NewPacer(pool *pgxpool.Pool) *Pacer { return &Pacer{pool: pool} }

// Wait reserves this request's turn at host, delay after the turn before
// it, and sleeps until the turn; a delay of zero or less does not pace.
// Ending ctx ends the wait at once with ctx's error; the turn it reserved
// stays used.
func (p *Pacer) Wait(ctx context.Context, host string, delay time.Duration) error {
	host = strings.ToLower(host) // host names ignore case
	if host == "" {
		return domain.Errorf(domain.EINVALID, "pacing a request needs its host")
	}
	if delay <= 0 {
		return ctx.Err()
	}
	turn, now, err := p.reserve(ctx, host, delay)
	if err != nil {
		return err
	}
	wait := turn.Sub(now)
	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for a turn at %s: %w", host, ctx.Err())
	}
}

// reserve takes the next turn at host and returns it with the database's
// time when it was taken.
func (p *Pacer) reserve(ctx context.Context, host string, delay time.Duration) (turn, now time.Time, err error) {
	if err := p.pool.QueryRow(ctx, reserveTurn, host, delay.Microseconds()).Scan(&turn, &now); err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("reserving a turn at %s: %w", host, err)
	}
	return turn, now, nil
}
