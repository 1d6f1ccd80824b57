package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/markwatch/markwatch/internal/domain"
)

func pgErr(code, constraint string) error {
	return fmt.Errorf("inserting: %w", &pgconn.PgError{Code: code, ConstraintName: constraint, Message: "test"})
}

// A conflict another writer caused is retried, up to maxTxAttempts; any
// other error, a unique violation on a real key among them, is not.
func TestRetryPolicy(t *testing.T) {
	cases := []struct {
		name     string
		err      error
		attempts int
	}{
		{"serialization failure", pgErr("40001", ""), maxTxAttempts},
		{"deadlock", pgErr("40P01", ""), maxTxAttempts},
		{"next log index taken", pgErr("23505", "captures_log_index_key"), maxTxAttempts},
		{"next case number taken", pgErr("23505", "cases_year_seq_key"), maxTxAttempts},
		{"user name taken", pgErr("23505", "users_name_key"), 1},
		{"check violation", pgErr("23514", "listings_price_check"), 1},
		{"not PostgreSQL's", errors.New("六个核桃: no such mark"), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var waits []time.Duration
			p := newRetryPolicy(42, func(_ context.Context, d time.Duration) error {
				waits = append(waits, d)
				return nil
			})
			n := 0
			var retries []bool
			err := p.run(context.Background(), "saving", func(retry bool) error {
				n++
				retries = append(retries, retry)
				return c.err
			})
			if n != c.attempts || !errors.Is(err, errors.Unwrap(c.err)) && !errors.Is(err, c.err) {
				t.Fatalf("%d attempts, error %v; want %d attempts and the last error", n, err, c.attempts)
			}
			if n == maxTxAttempts && domain.ErrorCode(err) != domain.EUNAVAILABLE {
				t.Errorf("retries exhausted: code %q, want %q (%v)", domain.ErrorCode(err), domain.EUNAVAILABLE, err)
			}
			if retries[0] || n > 1 && !retries[1] {
				t.Errorf("retry flags %v: the first attempt is not a retry, the rest are", retries)
			}
			backoff := retryBase
			for i, w := range waits {
				if w < 0 || w >= backoff {
					t.Errorf("wait %d = %v, want in [0, %v)", i, w, backoff)
				}
				backoff *= 2
			}
		})
	}
}

// A conflict that clears is absorbed; a cancelled wait ends the retries.
func TestRetryPolicySucceedsAndStops(t *testing.T) {
	p := newRetryPolicy(7, nil)
	n := 0
	err := p.run(context.Background(), "saving", func(bool) error {
		if n++; n < 3 {
			return pgErr("40001", "")
		}
		return nil
	})
	if err != nil || n != 3 {
		t.Fatalf("run = %v after %d attempts; want success on the third", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = p.run(ctx, "saving", func(bool) error { return pgErr("40001", "") })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("run on a cancelled context = %v, want context.Canceled", err)
	}
}

// The jitter comes from the seed, not a global: two policies seeded alike
// wait alike.
func TestRetryJitterIsSeeded(t *testing.T) {
	a, b := newRetryPolicy(2026, nil), newRetryPolicy(2026, nil)
	for range 20 {
		if x, y := a.jitter(time.Second), b.jitter(time.Second); x != y {
			t.Fatalf("same seed, jitter %v and %v", x, y)
		}
	}
}
