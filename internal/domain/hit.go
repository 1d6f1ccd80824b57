package domain

import "time"

// Reason explains one piece of evidence behind a hit, in words a supervisor can
// read ("形近: 帅→师"), with the rune span of the title it points at so the
// console can highlight it. Start and End are rune offsets into the original
// title, End exclusive; both are -1 when the reason is not about a span
// (e.g. seller location).
type Reason struct {
	// Tactic is machine-readable: exact, sound, shape, split, merge,
	// insertion, deletion, reorder, swap, script, latin, symbols,
	// counterfeit, gi-origin, gi-qualifier, or context (goods words,
	// authorised shop, compatible-with wording: the circumstances that
	// raise or lower a score, usually not a span).
	Tactic string `json:"tactic"`
	Text   string `json:"text"`
	Start  int    `json:"start"`
	End    int    `json:"end"`
}

// Match is the matcher's verdict on one (listing, mark) pair.
type Match struct {
	MarkID  string   `json:"mark_id"`
	Score   float64  `json:"score"` // in [0,1]
	Alert   bool     `json:"alert"`
	Reasons []Reason `json:"reasons"`
}

// Hit is a stored match: a listing that looks like a mark.
type Hit struct {
	ID        int64     `json:"id"`
	ListingID int64     `json:"listing_id"`
	SourceID  string    `json:"source_id"`
	MarkID    string    `json:"mark_id"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Seller    string    `json:"seller"`
	Location  string    `json:"location"`
	Price     float64   `json:"price"`
	Score     float64   `json:"score"`
	Alert     bool      `json:"alert"`
	Reasons   []Reason  `json:"reasons"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}
