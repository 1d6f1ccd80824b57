package domain

import "time"

// Listing is one marketplace offer as extracted from a page. URL identifies it
// within a source.
type Listing struct {
	ID       string    `json:"id,omitempty"`
	SourceID string    `json:"source_id,omitempty"`
	Platform string    `json:"platform,omitempty"`
	Title    string    `json:"title"`
	Price    float64   `json:"price,omitempty"`
	Seller   string    `json:"seller,omitempty"`
	Location string    `json:"location,omitempty"` // seller location as the marketplace shows it ("省 市")
	URL      string    `json:"url,omitempty"`
	ImageURL string    `json:"image_url,omitempty"`
	Query    string    `json:"query,omitempty"` // the search that found it
	SeenAt   time.Time `json:"seen_at,omitempty"`
	// ImageHash is the perceptual hash of ImageURL's image when the source
	// fetched it; 0 when not.
	ImageHash PHash `json:"image_hash,omitempty"`
	// Contacts are the seller's phone, WeChat, QQ, address and normalised
	// shop name as found on the listing's card or page.
	Contacts []Contact `json:"contacts,omitempty"`
	// SellerHistory is the seller network's record, set before matching
	// by whoever knows it (the pipeline, from the store); nil when none.
	SellerHistory *SellerHistory `json:"seller_history,omitempty"`
	// Fetch is the page the listing was read from, shared by the page's
	// listings; nil when the listing did not come from a crawl.
	Fetch *Fetch `json:"-"`
	// DetailFetch is the listing's own page, when the source fetched it.
	DetailFetch *Fetch `json:"-"`
}
