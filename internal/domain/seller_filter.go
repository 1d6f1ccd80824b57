package domain

// SellerFilter selects sellers for listing (the console's seller list).
type SellerFilter struct {
	// Query keeps sellers whose shop name contains it.
	Query string
	// Platform keeps one platform's sellers ("taobao").
	Platform string
	// Confirmed keeps sellers with at least one confirmed alert of their own.
	Confirmed bool
	// Scope keeps sellers with an alert the principal may see, and counts
	// only those alerts; the zero Scope sees every seller.
	Scope  Scope
	Limit  int
	Offset int
}
