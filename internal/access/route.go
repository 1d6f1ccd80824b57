package access

import "net/http"

// Route is one path an HTTP surface (API or console) serves and what it
// requires. Pattern is a net/http ServeMux pattern with its method
// ("GET /api/v1/alerts/{id}").
type Route struct {
	Pattern string
	Perm    Permission
	// API routes answer refusals as JSON (401 with WWW-Authenticate, 403,
	// 404); console routes redirect to the login page or render a page.
	API     bool
	Handler http.Handler
}
