package index

import (
	"context"
	"errors"
	"fmt"

	ms "github.com/meilisearch/meilisearch-go"
)

// primaryKey is the document field Meilisearch identifies hits by.
const primaryKey = "id"

// maxFacetValues is how many values of one facet a search counts.
const maxFacetValues = 1000

// settings are the hits index settings. Chinese fields are declared cmn so a
// title with a kana character is not tokenised as Japanese and missed;
// maxTotalHits is how far searches count and page.
func settings(maxTotalHits int) *ms.Settings {
	return &ms.Settings{
		Pagination:           &ms.Pagination{MaxTotalHits: int64(maxTotalHits)},
		SearchableAttributes: []string{"title", "title_norm", "seller", "mark_id", "reasons_text"},
		FilterableAttributes: []string{"mark_id", "source_id", "alert", "location", "location_prefixes", "score",
			"seller", "tactics", "score_band", "last_seen"},
		SortableAttributes: []string{"score", "last_seen", "price"},
		// sort first: a supervisor who sorts by price or date wants that
		// order, not relevance with the sort breaking ties. A search
		// without a sort is ranked by relevance as before.
		RankingRules: []string{"sort", "words", "typo", "proximity", "attribute", "exactness"},
		// A location facet holds provinces and cities: Meilisearch's 100
		// values would drop cities from the counts.
		Faceting: &ms.Faceting{MaxValuesPerFacet: maxFacetValues},
		LocalizedAttributes: []*ms.LocalizedAttributes{{
			Locales:           []string{"cmn"},
			AttributePatterns: []string{"title", "title_norm", "seller", "reasons_text", "location"},
		}},
	}
}

// ApplySettings creates the index if needed and applies the hits settings,
// waiting until Meilisearch has applied them. It is idempotent: run it at
// every start so an upgraded markwatch brings its settings along.
//
// It also finds or creates the search key SearchScoped signs tenant tokens
// with. A key that may change settings but not manage API keys is not an
// error here (unscoped search and indexing still work); SearchScoped then
// fails closed and says which key to configure.
func (c *Client) ApplySettings(ctx context.Context) error {
	if err := c.applySettings(ctx, c.name); err != nil {
		return err
	}
	if _, err := c.ensureSearchKey(ctx); err != nil && !isAuthRefusal(err) {
		return fmt.Errorf("applying settings to index %s: %w", c.name, err)
	}
	return nil
}

func (c *Client) applySettings(ctx context.Context, uid string) error {
	if err := c.ensureIndex(ctx, uid); err != nil {
		return err
	}
	info, err := c.ms.Index(uid).UpdateSettings(ctx, settings(c.maxTotalHits))
	if err != nil {
		return unavailable("applying settings to index "+uid, err)
	}
	return c.wait(ctx, "applying settings to index "+uid, info)
}

// ensureIndex creates uid with the hits primary key unless it exists. It
// looks first so that restarts do not leave a failed task in the task list.
func (c *Client) ensureIndex(ctx context.Context, uid string) error {
	what := "creating index " + uid
	_, err := c.ms.GetIndex(ctx, uid)
	if err == nil {
		return nil
	}
	var me *ms.Error
	if !errors.As(err, &me) || !me.HasCode(ms.APIErrCodeIndexNotFound) {
		return unavailable(what, err)
	}
	info, err := c.ms.CreateIndex(ctx, &ms.IndexConfig{Uid: uid, PrimaryKey: primaryKey})
	if err != nil {
		return unavailable(what, err)
	}
	err = c.wait(ctx, what, info)
	var te *TaskError
	if errors.As(err, &te) && te.Code == string(ms.APIErrCodeIndexAlreadyExists) {
		return nil // created concurrently by another markwatch
	}
	return err
}
