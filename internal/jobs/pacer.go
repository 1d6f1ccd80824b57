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
// microseconds) in one statement and returns how long this request waits
// for the turn it got: now if the host is free, else the host's next_at.
// The row lock of the upsert orders concurrent reservations; both times
// are the database's clock_timestamp(), so workers whose clocks disagree
// still keep the delay, and what each gets back is a duration, which
// needs no agreement of clocks.
const reserveTurn = `INSERT INTO markwatch_host_pacing AS p (host, next_at)
VALUES ($1, clock_timestamp() + $2::bigint * interval '1 microsecond')
ON CONFLICT (host) DO UPDATE
	SET next_at = GREATEST(p.next_at, clock_timestamp()) + $2::bigint * interval '1 microsecond'
RETURNING GREATEST(0, floor(extract(epoch FROM p.next_at - clock_timestamp()) * 1e6)::bigint - $2::bigint)`

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
	var waitMicros int64
	if err := p.pool.QueryRow(ctx, reserveTurn, host, delay.Microseconds()).Scan(&waitMicros); err != nil {
		return fmt.Errorf("reserving a turn at %s: %w", host, err)
	}
	if waitMicros == 0 {
		return nil
	}
	t := time.NewTimer(time.Duration(waitMicros) * time.Microsecond)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for a turn at %s: %w", host, ctx.Err())
	}
}
