package web

import (
	"context"
	"net/http"
	"time"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// The interfaces below are the store methods the console calls, with the
// signatures of docs/ACCESS.md "Store"; one per concern, so a page's
// dependency says exactly what it reads or writes. Errors carry domain
// codes: ENOTFOUND for an unknown id, EINVALID for a value it refuses,
// ECONFLICT for a name taken, EUNAVAILABLE when it cannot answer now.

// AlertStore reads alerts. QueryAlerts must honour AlertFilter.Scope; the
// console filters the page again so a store that forgot still leaks nothing.
type AlertStore interface {
	// QueryAlerts returns one page of alerts in the filter's order
	// (newest first by default) and the total matching the filter.
	QueryAlerts(ctx context.Context, f domain.AlertFilter) ([]domain.Alert, int, error)
	// CountAlertStatuses counts what the filter selects by status, its
	// own status left out.
	CountAlertStatuses(ctx context.Context, f domain.AlertFilter) (map[domain.AlertStatus]int, error)
	GetAlert(ctx context.Context, id int64) (domain.Alert, error)
}

// AlertReviewer records a review: status change, audit row and the
// notifications of status subscribers, in one transaction.
type AlertReviewer interface {
	ReviewAlert(ctx context.Context, id int64, rv domain.Review, actor domain.Actor) (domain.Alert, error)
}

// SourceLister lists the marketplace sources and their crawl state.
type SourceLister interface {
	ListSources(ctx context.Context) ([]domain.SourceState, error)
}

// HitGetter reads the hit behind an alert, which carries the listing's
// price (alerts do not).
type HitGetter interface {
	GetHit(ctx context.Context, id int64) (domain.Hit, error)
}

// Auth signs people in and out and changes passwords (package access's
// Authenticator). Login gives the same error for an unknown user and a wrong
// password, and code "too_many_requests" when throttled.
type Auth interface {
	Login(ctx context.Context, name, password, remoteAddr, userAgent string) (access.Principal, *http.Cookie, error)
	Logout(ctx context.Context, p access.Principal) *http.Cookie
	// ChangePassword ends every session of the user and returns the
	// cookie of a fresh one, so the person changing it stays signed in.
	ChangePassword(ctx context.Context, p access.Principal, old, new string) (*http.Cookie, error)
}

// UserStore manages console users.
type UserStore interface {
	CreateUser(ctx context.Context, u domain.User, passwordHash string, actor domain.Actor) (domain.User, error)
	ListUsers(ctx context.Context) ([]domain.User, error)
	SetUserDisabled(ctx context.Context, name string, disabled bool, actor domain.Actor) (domain.User, error)
}

// TokenStore lists and revokes API tokens.
type TokenStore interface {
	// ListTokens lists a user's tokens; userID 0 lists every user's, with
	// UserName set.
	ListTokens(ctx context.Context, userID int64) ([]domain.APIToken, error)
	RevokeToken(ctx context.Context, id int64, actor domain.Actor) (domain.APIToken, error)
}

// AuditReader reads the audit log, newest first; a restricted scope sees
// only entries on its marks.
type AuditReader interface {
	ListAudit(ctx context.Context, f domain.AuditFilter) ([]domain.AuditEntry, int, error)
}

// SubscriptionStore keeps users' subscriptions. GetSubscription returns the
// secret (internal use): the console never puts it in a page.
type SubscriptionStore interface {
	CreateSubscription(ctx context.Context, s domain.Subscription, actor domain.Actor) (domain.Subscription, error)
	// UpdateSubscription keeps the old secret when s.Secret is empty.
	UpdateSubscription(ctx context.Context, s domain.Subscription, actor domain.Actor) (domain.Subscription, error)
	DeleteSubscription(ctx context.Context, id int64, actor domain.Actor) error
	GetSubscription(ctx context.Context, id int64) (domain.Subscription, error)
	// ListSubscriptions lists a user's subscriptions (0: everyone's).
	ListSubscriptions(ctx context.Context, userID int64) ([]domain.Subscription, error)
}

// SubscriptionDisabler turns a subscription off; an unsubscribe link uses
// it without a session.
type SubscriptionDisabler interface {
	SetSubscriptionDisabled(ctx context.Context, id int64, disabled bool, reason string) error
}

// NotificationReader reads a subscription's delivery history.
type NotificationReader interface {
	// ListNotifications returns the newest limit rows first.
	ListNotifications(ctx context.Context, subscriptionID int64, limit int) ([]domain.Notification, error)
}

// SellerClaimStore keeps owners' claims that a seller is authorised.
type SellerClaimStore interface {
	CreateSellerClaim(ctx context.Context, c domain.SellerClaim) (domain.SellerClaim, error)
	DecideSellerClaim(ctx context.Context, id int64, accept bool, actor domain.Actor) (domain.SellerClaim, error)
	// ListSellerClaims lists claims on the scope's marks; status "" lists
	// every status.
	ListSellerClaims(ctx context.Context, scope domain.Scope, status domain.SellerClaimStatus) ([]domain.SellerClaim, error)
}

// SellerNetworkReader reads seller networks (docs/SIGNALS.md): shops
// linked across platforms by a shared shop name, phone, WeChat id or
// address.
type SellerNetworkReader interface {
	// SellerNetwork returns the network seller sellerID belongs to: its
	// shops, the contacts linking them, and the alerts on their listings
	// that scope allows, newest first. ENOTFOUND for an unknown seller.
	SellerNetwork(ctx context.Context, sellerID int64, scope domain.Scope) (domain.SellerNetwork, error)
}

// EvidenceReader reads the evidence kept for an alert (docs/EVIDENCE.md,
// "store"): its captures and listing versions, oldest first. It knows no
// scope: the page checks the alert first.
type EvidenceReader interface {
	CapturesOf(ctx context.Context, alertID int64) ([]domain.Capture, error)
	ListVersions(ctx context.Context, alertID int64) ([]domain.ListingVersion, error)
	// AlertImages returns the listing image the latest capture of each
	// alert kept, for those that have a raster one: the thumbnails.
	AlertImages(ctx context.Context, alertIDs []int64) (map[int64]domain.ArtefactRef, error)
}

// CaseStore keeps enforcement cases (案件). Every change writes its audit
// row in the same transaction. GetCase knows no scope: the pages check it.
type CaseStore interface {
	// CreateCase numbers the case; alerts that are not confirmed are
	// refused with EINVALID.
	CreateCase(ctx context.Context, c domain.Case, actor domain.Actor) (domain.Case, error)
	GetCase(ctx context.Context, id int64) (domain.Case, error)
	// ListCases must honour f.Scope; the console filters the page again.
	ListCases(ctx context.Context, f domain.CaseFilter) ([]domain.Case, int, error)
	// UpdateCase stores status, assignee, notes and title.
	UpdateCase(ctx context.Context, c domain.Case, actor domain.Actor) (domain.Case, error)
	SetCaseAlerts(ctx context.Context, id int64, alertIDs []int64, actor domain.Actor) (domain.Case, error)
	// SuggestCaseAlerts returns confirmed alerts of the case's sellers on
	// its mark that are in no case yet.
	SuggestCaseAlerts(ctx context.Context, id int64) ([]domain.Alert, error)
}

// NoticeStore keeps the takedown notices of cases.
type NoticeStore interface {
	CreateNotice(ctx context.Context, n domain.Notice, actor domain.Actor) (domain.Notice, error)
	UpdateNotice(ctx context.Context, n domain.Notice, actor domain.Actor) (domain.Notice, error)
	ListNotices(ctx context.Context, caseID int64) ([]domain.Notice, error)
}

// Deps is what the console serves from. Only Alerts is needed for the
// queue; every other page is declared only when its dependencies are set,
// so a console without them has no half-working pages.
type Deps struct {
	Alerts AlertStore
	// Reviews, when set, adds the review form (POST /alerts/{id}/status).
	Reviews AlertReviewer
	// Marks is the registry; it gives names, kinds, owners and registration
	// details. Without it the console shows mark ids only.
	Marks []domain.Mark
	// Sources, when set, adds a page listing the crawled sources.
	Sources SourceLister
	// Platforms maps source ids to their platforms, for the queue's
	// platform filter (shown when two sources share one).
	Platforms map[string]string
	// Hits, when set, lets the evidence page show the listing's price.
	Hits HitGetter
	// API, when set, adds the search page (GET /search) and the queue's
	// export link: the page asks the API's /api/v1/hits through it
	// in-process as the visitor (their cookie, Host and address), so the
	// console searches exactly as the API does. The daemon passes its
	// access guard, which serves the API.
	API http.Handler

	// Auth adds the login, logout and password pages.
	Auth Auth

	// Users and HashPassword add user management; Tokens adds the tokens
	// of each user there, with revoke. HashPassword is access.HashPassword,
	// injected so the console depends on nothing of access beyond its
	// vocabulary.
	Users        UserStore
	HashPassword func(password string) (string, error)
	Tokens       TokenStore

	// Audit adds the audit log page.
	Audit AuditReader

	// Subscriptions and ValidateSubscription add the subscription pages;
	// Notifications adds their delivery history.
	Subscriptions        SubscriptionStore
	ValidateSubscription func(s domain.Subscription, u domain.User, scope domain.Scope) error
	Notifications        NotificationReader

	// Unsubscribe verifies a List-Unsubscribe token and returns the
	// subscription it names, changing nothing; Unsubscriber then disables
	// it. Both add the public /unsubscribe page. Any error but
	// EUNAVAILABLE is answered as an invalid link (400).
	Unsubscribe  func(ctx context.Context, token string) (domain.Subscription, error)
	Unsubscriber SubscriptionDisabler

	// Sellers adds the authorised-seller claims page.
	Sellers SellerClaimStore
	// Networks adds the seller network page (GET /sellers/{id}) and links
	// an alert's seller to it.
	Networks SellerNetworkReader

	// Evidence adds the captures and the listing's version timeline to
	// the evidence page.
	Evidence EvidenceReader
	// Cases adds the case pages (GET /cases, /cases/{id}; POST /cases,
	// /cases/{id}) and the 立案 form on confirmed alerts. CaseTransition
	// (cases.Transition) decides which status buttons a case shows; nil
	// offers none. CaseJurisdiction (cases.Jurisdiction) computes a new
	// case's jurisdiction; nil takes the sellers' common location words.
	Cases            CaseStore
	CaseTransition   func(from, to domain.CaseStatus) error
	CaseJurisdiction func(alerts []domain.Alert) string
	// Notices adds the takedown notices to the case page, with their
	// forms (needs Cases).
	Notices NoticeStore
	// APIDownloads says the API on this origin serves artefacts
	// (/api/v1/artefacts/{sha}), case packets and notice files: the pages
	// link to them and show the screenshot thumbnail. The session cookie
	// authenticates those GETs too.
	APIDownloads bool

	// Now stamps printed evidence and claims; nil means time.Now.
	Now func() time.Time
	// Location is the zone times are shown in; nil means China Standard
	// Time.
	Location *time.Location
	// PageSize is how many alerts the queue shows per page; 0 means 50.
	PageSize int
}

const defaultPageSize = 50

// maxPageSize keeps one page from reading the whole store.
const maxPageSize = 500

// chinaTime is UTC+8 as a fixed zone: China has had no daylight saving since
// 1991, and a fixed zone needs no tzdata in a distroless image.
func chinaTime() *time.Location { return time.FixedZone("CST", 8*60*60) }
