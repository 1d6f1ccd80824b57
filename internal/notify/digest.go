package notify

import (
	"fmt"
	"slices"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// batch is one message's worth of outbox rows: one row for immediate
// subscriptions, every due row of one (subscription, due_at) for digests.
type batch struct {
	subID  int64
	digest bool
	dueAt  time.Time
	rows   []domain.Notification
	key    string
}

func (b batch) ids() []int64 {
	ids := make([]int64, len(b.rows))
	for i, r := range b.rows {
		ids[i] = r.ID
	}
	return ids
}

// attempts is how many tries the batch has had: its rows were retried
// together, but a digest may have gained a row tried fewer times.
func (b batch) attempts() int {
	n := 0
	for _, r := range b.rows {
		n = max(n, r.Attempts)
	}
	return n
}

// digestKey is a digest's idempotency key: one per subscription and
// digest time, so a resent digest carries the key of the first sending.
func digestKey(subID int64, dueAt time.Time) string {
	return fmt.Sprintf("mw-digest-s%d-%d", subID, dueAt.Unix())
}

// groupRows makes messages from due rows, in the order of each message's
// oldest row. isDigest says which subscriptions send digests.
//
// The store returns at most `limit` rows, so when it returned a full page
// the digest holding the last row may go on past it. That digest waits for
// the next pass, which starts with it, unless it is all there is: then it
// is sent as a part whose key adds its first row's id, so the rest (sent
// later under the plain key) is not taken by a receiver for a duplicate.
// Both are decided from the rows alone, so a pass repeated after a crash
// forms the same messages with the same keys.
func groupRows(rows []domain.Notification, full bool, isDigest func(subID int64) bool) []batch {
	var out []batch
	index := map[string]int{}
	for _, r := range rows {
		if !isDigest(r.SubscriptionID) {
			out = append(out, batch{subID: r.SubscriptionID, dueAt: r.DueAt, rows: []domain.Notification{r}, key: r.IdempotencyKey})
			continue
		}
		k := digestKey(r.SubscriptionID, r.DueAt)
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, batch{subID: r.SubscriptionID, digest: true, dueAt: r.DueAt, key: k})
		}
		out[i].rows = append(out[i].rows, r)
	}
	if !full || len(rows) == 0 {
		return out
	}
	last := rows[len(rows)-1]
	i := slices.IndexFunc(out, func(b batch) bool {
		return b.digest && slices.ContainsFunc(b.rows, func(r domain.Notification) bool { return r.ID == last.ID })
	})
	switch {
	case i < 0:
	case len(out) > 1:
		out = slices.Delete(out, i, i+1)
	default:
		out[i].key = fmt.Sprintf("%s-n%d", out[i].key, out[i].rows[0].ID)
	}
	return out
}
