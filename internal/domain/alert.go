package domain

import "time"

// AlertStatus is where a supervisor's review of an alert stands.
type AlertStatus string

const (
	AlertOpen      AlertStatus = "open"
	AlertConfirmed AlertStatus = "confirmed" // handed to enforcement
	AlertDismissed AlertStatus = "dismissed"
)

// Alert is a suspected infringement worth a supervisor's time: one per
// (mark, listing URL). Seeing the listing again only moves LastSeen.
type Alert struct {
	ID       int64  `json:"id"`
	MarkID   string `json:"mark_id"`
	HitID    int64  `json:"hit_id"`
	SourceID string `json:"source_id"`
	URL      string `json:"url"`
	Title    string `json:"title"`
	Seller   string `json:"seller"`
	// SellerID is the seller's record in the seller network; 0 when the
	// listing was stored before sellers were kept.
	SellerID  int64       `json:"seller_id,omitempty"`
	Location  string      `json:"location"`
	Score     float64     `json:"score"`
	Reasons   []Reason    `json:"reasons"`
	Status    AlertStatus `json:"status"`
	FirstSeen time.Time   `json:"first_seen"`
	LastSeen  time.Time   `json:"last_seen"`
}

// AlertFilter selects alerts for listing.
type AlertFilter struct {
	MarkID string
	Status AlertStatus
	// Scope keeps only what the asking principal may see; the zero Scope
	// sees everything (the daemon's own reads, the admin).
	Scope  Scope
	Limit  int
	Offset int

	// The queue's further filters. A zero field does not filter; the
	// values of one field are alternatives, the fields narrow each other
	// (and MarkID, Status and Scope).
	MarkIDs   []string
	SourceIDs []string
	Sellers   []string // seller names, exactly
	// Locations are seller-location prefixes by whole words: a province
	// (河北) or a city (河北 石家庄).
	Locations []string
	Scores    []ScoreRange
	// From and To bound when the alert's listing was last seen:
	// From ≤ last seen < To, as for hits.
	From, To time.Time
	// Sort is AlertSortNewest (also ""), AlertSortScore or AlertSortPrice.
	Sort string
	// ByHits keeps only the alerts of HitIDs (none when it is empty): the
	// hit index's answer to words or a tactic, which it normalises and
	// the store does not.
	ByHits bool
	HitIDs []int64
}

// Orders of AlertFilter.Sort, the names /api/v1/hits uses.
const (
	AlertSortNewest = "newest" // first seen, newest first
	AlertSortScore  = "score"  // highest score first
	AlertSortPrice  = "price"  // cheapest first (counterfeits undercut); unknown prices last
)

// ScoreRange is a band of scores: Min ≤ score < Max.
type ScoreRange struct {
	Min, Max float64
}
