package index

import (
	"context"
	"fmt"

	ms "github.com/meilisearch/meilisearch-go"

	"github.com/markwatch/markwatch/internal/domain"
)

// maxDocsPerTask bounds one request body (a hit's document is about 550
// bytes). Tasks of this size are encoded and sent while Meilisearch indexes
// earlier ones, and Meilisearch merges the tasks queued meanwhile into one
// batch: measured by BenchmarkIngest, a task of 19,000 sent at once left
// Meilisearch idle for the second it took to encode, send and parse.
const maxDocsPerTask = 5000

// task is a Meilisearch task enqueued and not yet waited on.
type task struct {
	what string
	info *ms.TaskInfo
	hits int // documents it carries, for counting
}

// await waits for t and returns its outcome (see Client.wait).
func (c *Client) await(ctx context.Context, t task) error { return c.wait(ctx, t.what, t.info) }

// finished reports whether t has ended, without waiting; a task that could
// not be asked about counts as running (await reports the error).
func (c *Client) finished(ctx context.Context, t task) bool {
	if t.info == nil {
		return true // refused when sent
	}
	got, err := c.ms.GetTask(ctx, t.info.TaskUID)
	return err == nil && got.Status != ms.TaskStatusEnqueued && got.Status != ms.TaskStatusProcessing
}

// Upsert replaces the documents of hits and waits until Meilisearch has
// indexed them. A failed task is a *TaskError; an unreachable server is
// domain.EUNAVAILABLE (see IsUnavailable).
func (c *Client) Upsert(ctx context.Context, hits []domain.Hit) error {
	return c.upsertInto(ctx, c.name, hits)
}

// upsertInto enqueues every part before waiting on the first, so the parts
// are indexed in one Meilisearch batch rather than one after another.
func (c *Client) upsertInto(ctx context.Context, uid string, hits []domain.Hit) error {
	var tasks []task
	for start := 0; start < len(hits); start += maxDocsPerTask {
		t, err := c.sendUpsert(ctx, uid, hits[start:min(start+maxDocsPerTask, len(hits))])
		if err != nil {
			return err
		}
		tasks = append(tasks, t)
	}
	for _, t := range tasks {
		if err := c.await(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// sendUpsert enqueues one task replacing the documents of hits; it does not
// wait for it.
func (c *Client) sendUpsert(ctx context.Context, uid string, hits []domain.Hit) (task, error) {
	docs, err := c.toDocuments(hits)
	if err != nil {
		return task{}, err
	}
	return c.sendDocuments(ctx, uid, docs)
}

// sendDocuments enqueues one task replacing docs in index uid.
func (c *Client) sendDocuments(ctx context.Context, uid string, docs []document) (task, error) {
	what := fmt.Sprintf("indexing %d hits into %s", len(docs), uid)
	pk := primaryKey
	info, err := c.ms.Index(uid).AddDocuments(ctx, docs, &ms.DocumentOptions{PrimaryKey: &pk})
	if err != nil {
		return task{}, unavailable(what, err)
	}
	return task{what: what, info: info}, nil
}

// Delete removes the documents of hitIDs; ids not in the index are ignored.
func (c *Client) Delete(ctx context.Context, hitIDs []int64) error {
	if len(hitIDs) == 0 {
		return nil
	}
	t, err := c.sendDelete(ctx, hitIDs)
	if err != nil {
		return err
	}
	return c.await(ctx, t)
}

// sendDelete enqueues one task removing the documents of hitIDs.
func (c *Client) sendDelete(ctx context.Context, hitIDs []int64) (task, error) {
	ids := make([]string, len(hitIDs))
	for i, id := range hitIDs {
		ids[i] = docID(id)
	}
	what := fmt.Sprintf("deleting %d hits from %s", len(ids), c.name)
	info, err := c.ms.Index(c.name).DeleteDocuments(ctx, ids, nil)
	if err != nil {
		return task{}, unavailable(what, err)
	}
	return task{what: what, info: info}, nil
}
