package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// AlertStore reads alerts from the system of record.
type AlertStore interface {
	// QueryAlerts returns one page of alerts and the total matching the
	// filter, every field of it applied; it must honour f.Scope.
	QueryAlerts(ctx context.Context, f domain.AlertFilter) ([]domain.Alert, int, error)
	// CountAlertStatuses counts what f selects by status, f.Status left
	// out, in f.Scope.
	CountAlertStatuses(ctx context.Context, f domain.AlertFilter) (map[domain.AlertStatus]int, error)
	// GetAlert returns an error with code ENOTFOUND for an unknown id. It
	// knows no scope: the handler checks it, so one rule serves GET and PATCH.
	GetAlert(ctx context.Context, id int64) (domain.Alert, error)
}

// HitQuery narrows a hit search. Empty fields do not filter; the values of
// one list are alternatives, and the fields narrow each other.
//
// It has index.SearchFilter's fields in the same order, so the daemon
// converts one into the other (index.SearchFilter(q)): a field added to one
// and not the other fails to compile there rather than being dropped.
type HitQuery struct {
	MarkID    string // "" for every mark
	SourceID  string
	AlertOnly bool // only hits that raised an alert
	Limit     int
	Offset    int
	MarkIDs   []string
	SourceIDs []string
	Sellers   []string
	// Locations are location prefixes: provinces (河北) or cities (河北 石家庄).
	Locations  []string
	Tactics    []string
	Status     string   // "alert", "below" or "" for both
	ScoreBands []string // 90-100, 80-90, 70-80, 0-70
	// From and To bound when a hit was last seen: From ≤ seen < To.
	From, To time.Time
	Sort     string // newest, score, price, or "" for relevance
	// Facets asks for HitResult.Facets.
	Facets bool
}

// HitSearcher searches the hit index.
type HitSearcher interface {
	// SearchHits returns one page of hits matching q (may be empty: all hits)
	// and the total, exact or marked as an estimate, seen through scope (the
	// index enforces it with a tenant token). An index outage should carry
	// code EUNAVAILABLE; any error other than EINVALID is answered as
	// unavailable anyway, since search is a derived index and never the
	// system of record.
	SearchHits(ctx context.Context, q string, f HitQuery, scope domain.Scope) (HitResult, error)
}

// Credentials hashes and generates secrets. The daemon wires package
// access's functions; declaring them here keeps httpapi free of access's
// implementation and lets tests use cheap stand-ins.
type Credentials interface {
	// HashPassword returns the stored form (a PHC string) of pw.
	HashPassword(pw string) (string, error)
	// CheckPassword says why pw is not good enough for user (too short,
	// the user's own name…) with code EINVALID, or nil.
	CheckPassword(pw, user string) error
	// GeneratePassword returns a strong random password to be shown once.
	GeneratePassword() (string, error)
	// NewToken returns a new API token: the secret shown once, the hash
	// the store keeps, and the prefix shown in lists.
	NewToken() (secret, hash, shown string, err error)
}

// Check is one readiness condition, e.g. "store" (SQLite answers) or
// "index" (Meilisearch answers). Fn must return when ctx is done.
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
}

// Deps is what the API serves from. Every store dependency is optional: a
// nil one leaves its routes out, so a daemon without (say) a scheduler
// serves the rest and answers 404 for what it lacks.
type Deps struct {
	Alerts AlertStore
	// Reviewer records reviews (PATCH /api/v1/alerts/{id}); it needs Alerts
	// too, to check the alert is in the reviewer's scope first.
	Reviewer AlertReviewer
	// Hits may be nil while search is not configured; /api/v1/hits then
	// answers 503 and everything else still works.
	Hits HitSearcher
	// Platforms maps source ids to their platforms (a source definition's
	// platform), for the platform filter and facet; nil takes each
	// source to be its own platform, as the demo's are.
	Platforms map[string]string
	// Sources serves /api/v1/sources. Its changing routes also need Audit:
	// a change nobody could read back in the audit log is not offered.
	Sources SourceControl
	// Audit serves /api/v1/audit and records source changes.
	Audit AuditLog
	// Users serves /api/v1/users (with Credentials) and lets admins name
	// another user's tokens.
	Users UserStore
	// Tokens serves /api/v1/tokens (with Credentials).
	Tokens TokenStore
	// Subscriptions serves /api/v1/subscriptions; Deliveries adds their
	// delivery history.
	Subscriptions SubscriptionStore
	Deliveries    DeliveryHistory
	// ValidateSubscription checks a subscription against the rules of
	// package subscribe (channels, targets, digest times, the user's
	// marks) before it is stored; nil skips it (tests).
	ValidateSubscription func(domain.Subscription, domain.User, domain.Scope) error
	// Captures serves POST /api/v1/alerts/{id}/capture (a fresh screenshot
	// or recheck of one listing, asked for by a reviewer).
	Captures CaptureRequester
	// Claims serves /api/v1/seller-claims.
	Claims      ClaimStore
	Credentials Credentials
	// Networks serves GET /api/v1/sellers/{id}: a seller's network and
	// the alerts on it.
	Networks SellerNetworkReader

	// Evidence serves GET /api/v1/alerts/{id}/evidence (with Alerts);
	// with Blobs too, GET /api/v1/artefacts/{sha}.
	Evidence EvidenceStore
	Blobs    Blobs
	// Cases serves the case routes (with Alerts, to check every alert's
	// scope); PATCH also needs Transition. Jurisdiction computes a new
	// case's jurisdiction from its alerts (cases.Jurisdiction); nil takes
	// the sellers' common leading location words.
	Cases        CaseStore
	Transition   func(from, to domain.CaseStatus) error
	Jurisdiction func(alerts []domain.Alert) string
	// Notices with Notice (cases.Notice, adapted to NoticeDoc) and Marks
	// serve the notice routes. BaseURL (the console's public origin, like
	// https://markwatch.example.gov.cn) prefixes the evidence links
	// written into notices; "" leaves them as paths.
	Notices NoticeStore
	Notice  NoticeFunc
	Marks   []domain.Mark
	BaseURL string
	// Packet writes case packets (package packet's Render and Zip): the
	// packet.pdf and packet.zip routes.
	Packet PacketFunc

	// Reindexer serves POST /api/v1/admin/reindex: a rebuild of the search
	// index on the running daemon (markwatch reindex beside it).
	Reindexer Reindexer

	Checks []Check
	// Metrics serves /metrics (promhttp over the daemon's registry); nil
	// leaves the route out.
	Metrics http.Handler
	// ReadyTimeout bounds all readiness checks together; 0 means 2s.
	ReadyTimeout time.Duration
	// Now is the clock for token expiry and creation times; nil is time.Now.
	Now func() time.Time
}

const defaultReadyTimeout = 2 * time.Second
