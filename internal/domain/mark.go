package domain

// MarkKind is the legal kind of a protected name.
type MarkKind string

const (
	KindTrademark    MarkKind = "trademark"
	KindTimeHonoured MarkKind = "time_honoured"           // 中华老字号
	KindGI           MarkKind = "geographical_indication" // 地理标志
)

// Valid reports whether k is one of the known kinds.
func (k MarkKind) Valid() bool {
	switch k {
	case KindTrademark, KindTimeHonoured, KindGI:
		return true
	}
	return false
}

// Origin is the protected area of a geographical indication.
type Origin struct {
	// Places are place names that, in a title, claim the GI's origin.
	Places []string `json:"places,omitempty"`
	// SellerLocations are marketplace seller locations ("省 市") inside the area.
	SellerLocations []string `json:"seller_locations,omitempty"`
}

// Mark is one protected name from the registry.
type Mark struct {
	ID                string   `json:"id"`
	Name              string   `json:"name"`
	Kind              MarkKind `json:"kind"`
	Owner             string   `json:"owner,omitempty"`
	WellKnown         bool     `json:"well_known,omitempty"`
	Classes           []int    `json:"classes,omitempty"`
	Goods             []string `json:"goods,omitempty"`
	Product           []string `json:"product,omitempty"`
	Origin            Origin   `json:"origin"`
	Forms             []string `json:"forms,omitempty"`
	Generic           []string `json:"generic,omitempty"`
	Exclude           []string `json:"exclude,omitempty"`
	AuthorizedSellers []string `json:"authorized_sellers,omitempty"`
	// Prices are genuine price ranges of the goods, one per unit.
	Prices []PriceRange `json:"prices,omitempty"`
	// Images are reference images (logo, packaging) with their hashes.
	Images []RefImage `json:"images,omitempty"`
}
