package index

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// document is a hit as stored in Meilisearch. Times are Unix milliseconds so
// they sort numerically; reasons are kept whole for display and flattened into
// reasons_text for search.
type document struct {
	ID        string `json:"id"`
	HitID     int64  `json:"hit_id"`
	ListingID int64  `json:"listing_id"`
	SourceID  string `json:"source_id"`
	MarkID    string `json:"mark_id"`
	Title     string `json:"title"`
	TitleNorm string `json:"title_norm"`
	URL       string `json:"url"`
	Seller    string `json:"seller"`
	Location  string `json:"location"`
	// LocationPrefixes are the jurisdictions the location lies in ("河北",
	// "河北 石家庄"), so a jurisdiction scope is one equality filter.
	LocationPrefixes []string        `json:"location_prefixes"`
	Price            float64         `json:"price"`
	Score            float64         `json:"score"`
	Alert            bool            `json:"alert"`
	Reasons          []domain.Reason `json:"reasons"`
	ReasonsText      string          `json:"reasons_text"`
	// Tactics and ScoreBand are there to be filtered and counted as facets.
	Tactics   []string `json:"tactics"`
	ScoreBand string   `json:"score_band"`
	FirstSeen int64    `json:"first_seen"`
	LastSeen  int64    `json:"last_seen"`
}

// docIDPrefix makes ids readable in the Meilisearch console and keeps them
// within [a-zA-Z0-9_-].
const docIDPrefix = "hit-"

func docID(hitID int64) string { return docIDPrefix + strconv.FormatInt(hitID, 10) }

func (c *Client) toDocument(h domain.Hit) (document, error) {
	if h.ID <= 0 {
		return document{}, domain.Errorf(domain.EINVALID, "indexing hit: id %d is not a stored hit's id", h.ID)
	}
	texts := make([]string, 0, len(h.Reasons))
	for _, r := range h.Reasons {
		texts = append(texts, r.Text)
	}
	reasons := h.Reasons
	if reasons == nil {
		reasons = []domain.Reason{}
	}
	return document{
		ID: docID(h.ID), HitID: h.ID, ListingID: h.ListingID, SourceID: h.SourceID, MarkID: h.MarkID,
		Title: h.Title, TitleNorm: c.norm.Normalize(h.Title), URL: h.URL, Seller: h.Seller,
		Location: h.Location, LocationPrefixes: domain.LocationPrefixes(h.Location), Price: h.Price, Score: h.Score, Alert: h.Alert,
		Reasons: reasons, ReasonsText: strings.Join(texts, "；"), Tactics: tactics(reasons), ScoreBand: scoreBand(h.Score),
		FirstSeen: h.FirstSeen.UnixMilli(), LastSeen: h.LastSeen.UnixMilli(),
	}, nil
}

func (d document) hit() domain.Hit {
	return domain.Hit{
		ID: d.HitID, ListingID: d.ListingID, SourceID: d.SourceID, MarkID: d.MarkID,
		Title: d.Title, URL: d.URL, Seller: d.Seller, Location: d.Location, Price: d.Price,
		Score: d.Score, Alert: d.Alert, Reasons: d.Reasons,
		FirstSeen: time.UnixMilli(d.FirstSeen).UTC(), LastSeen: time.UnixMilli(d.LastSeen).UTC(),
	}
}

func (c *Client) toDocuments(hits []domain.Hit) ([]document, error) {
	docs := make([]document, 0, len(hits))
	for _, h := range hits {
		d, err := c.toDocument(h)
		if err != nil {
			return nil, fmt.Errorf("indexing %d hits: %w", len(hits), err)
		}
		docs = append(docs, d)
	}
	return docs, nil
}
