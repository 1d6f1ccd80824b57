package index

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	ms "github.com/meilisearch/meilisearch-go"
	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// A refused entry is one whose document Meilisearch will not take however
// often it is sent unchanged: over the size limit checked before sending,
// over Meilisearch's payload limit on its own, or failing its task with an
// invalid_document_* code. It keeps its outbox row (last_error, attempts)
// and is held back: not sent again until its hit changes (the store queues
// the change under a new outbox id) or RefusedRetry has passed (an operator
// may have raised the limit), so it costs nothing while the drain goes on.
// Everything else that fails (an outage, a 5xx) is retried as before.

// refusedError marks a document refused before it was sent.
type refusedError struct{ err error }

func (e *refusedError) Error() string { return e.err.Error() }
func (e *refusedError) Unwrap() error { return e.err }

// IsRefused reports whether err is a document refused for what it holds,
// which sending it again unchanged cannot fix (see above).
func IsRefused(err error) bool {
	var r *refusedError
	if errors.As(err, &r) {
		return true
	}
	var te *TaskError
	if errors.As(err, &te) {
		return strings.HasPrefix(te.Code, "invalid_document_") ||
			te.Code == "missing_document_id" || te.Code == "document_fields_limit_reached"
	}
	var me *ms.Error
	return errors.As(err, &me) && me.StatusCode == http.StatusRequestEntityTooLarge
}

// document builds the document of an upsert entry, refusing a hit that
// cannot be one or whose document is over MaxDocumentBytes: documents are
// small by design (about 550 bytes), and one that is not would be refused by
// Meilisearch or slow every batch it rides in.
func (ix *Indexer) document(h domain.Hit) (document, error) {
	d, err := ix.c.toDocument(h)
	if err != nil {
		return d, &refusedError{err: err}
	}
	if n, over := encodedOver(&d, ix.opts.MaxDocumentBytes); over {
		return d, &refusedError{err: domain.Errorf(domain.EINVALID,
			"indexing hit %d (mark %s, %s, title %q): its document is %d bytes encoded, over the %d-byte limit (IndexerOptions.MaxDocumentBytes)",
			h.ID, h.MarkID, h.URL, titleStart(h.Title), n, ix.opts.MaxDocumentBytes)}
	}
	return d, nil
}

// titleStart is enough of a title to recognise it in a log line.
func titleStart(t string) string {
	const keep = 30
	n := 0
	for i := range t {
		if n == keep {
			return t[:i] + "…"
		}
		n++
	}
	return t
}

// refusals is the Indexer's record of refused entries. It is only touched
// by a drain round, which holds Indexer.batch.
type refusals struct {
	at map[int64]int64 // outbox id → when refused, Unix ms of IndexerOptions.Now
	// seen are the refused ids this round read or refused, and count how
	// many of its entries were held back or refused.
	seen  map[int64]bool
	count int
}

// startRound forgets the previous round's counts.
func (r *refusals) startRound() {
	r.count = 0
	clear(r.seen)
}

// heldBack reports whether e was refused less than RefusedRetry ago, and
// so is not to be sent this round.
func (ix *Indexer) heldBack(e domain.OutboxEntry) bool {
	at, ok := ix.refused.at[e.ID]
	if !ok {
		return false
	}
	ix.refused.seen[e.ID] = true
	if ix.opts.Now().UnixMilli()-at < ix.opts.RefusedRetry.Milliseconds() {
		ix.refused.count++
		return true
	}
	delete(ix.refused.at, e.ID) // sent again; refused again if nothing changed
	ix.held.Store(int64(len(ix.refused.at)))
	return false
}

// refuse records e as refused on its outbox row and holds it back.
func (ix *Indexer) refuse(ctx context.Context, e domain.OutboxEntry, cause error) {
	ix.log.Warn("meilisearch refused an index entry; held back until its hit changes",
		zap.Int64("outbox_id", e.ID), zap.Int64("hit_id", e.HitID),
		zap.Duration("retry_in", ix.opts.RefusedRetry), zap.Error(cause))
	ix.fail(ctx, []domain.OutboxEntry{e}, fmt.Errorf("refused, held back until the hit changes (or for %v): %w", ix.opts.RefusedRetry, cause))
	ix.refused.at[e.ID] = ix.opts.Now().UnixMilli()
	ix.refused.seen[e.ID] = true
	ix.refused.count++
	ix.held.Store(int64(len(ix.refused.at)))
}

// forgetUnseen drops refused ids a round that read the whole outbox did not
// meet: acknowledged since, or replaced by a newer change of their hit.
func (ix *Indexer) forgetUnseen() {
	for id := range ix.refused.at {
		if !ix.refused.seen[id] {
			delete(ix.refused.at, id)
		}
	}
	ix.held.Store(int64(len(ix.refused.at)))
}
