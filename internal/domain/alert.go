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
}
