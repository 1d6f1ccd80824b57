package index

import (
	"context"
	"fmt"

	ms "github.com/meilisearch/meilisearch-go"

	"github.com/markwatch/markwatch/internal/domain"
)

// maxDocsPerTask keeps one request body small (a hit is well under 2 KB);
// Meilisearch indexes batches of 1k–10k at full speed.
const maxDocsPerTask = 5000

// Upsert replaces the documents of hits and waits until Meilisearch has
// indexed them. A failed task is a *TaskError; an unreachable server is
// domain.EUNAVAILABLE (see IsUnavailable).
func (c *Client) Upsert(ctx context.Context, hits []domain.Hit) error {
	return c.upsertInto(ctx, c.name, hits)
}

func (c *Client) upsertInto(ctx context.Context, uid string, hits []domain.Hit) error {
	for start := 0; start < len(hits); start += maxDocsPerTask {
		part := hits[start:min(start+maxDocsPerTask, len(hits))]
		docs, err := c.toDocuments(part)
		if err != nil {
			return err
		}
		what := fmt.Sprintf("indexing %d hits into %s", len(docs), uid)
		pk := primaryKey
		info, err := c.ms.Index(uid).AddDocuments(ctx, docs, &ms.DocumentOptions{PrimaryKey: &pk})
		if err != nil {
			return unavailable(what, err)
		}
		if err := c.wait(ctx, what, info); err != nil {
			return err
		}
	}
	return nil
}

// Delete removes the documents of hitIDs; ids not in the index are ignored.
func (c *Client) Delete(ctx context.Context, hitIDs []int64) error {
	if len(hitIDs) == 0 {
		return nil
	}
	ids := make([]string, len(hitIDs))
	for i, id := range hitIDs {
		ids[i] = docID(id)
	}
	what := fmt.Sprintf("deleting %d hits from %s", len(ids), c.name)
	info, err := c.ms.Index(c.name).DeleteDocuments(ctx, ids, nil)
	if err != nil {
		return unavailable(what, err)
	}
	return c.wait(ctx, what, info)
}
