package domain

import "time"

// Channel is how a subscription's messages travel.
type Channel string

const (
	ChannelEmail    Channel = "email"
	ChannelWebhook  Channel = "webhook" // markwatch's signed JSON
	ChannelDingTalk Channel = "dingtalk"
	ChannelWeCom    Channel = "wecom"
)

// Channels lists every channel.
var Channels = []Channel{ChannelEmail, ChannelWebhook, ChannelDingTalk, ChannelWeCom}

// DeliveryMode says when messages go out: at once, or grouped in a digest.
type DeliveryMode string

const (
	DeliverImmediate DeliveryMode = "immediate"
	DeliverDaily     DeliveryMode = "daily"
	DeliverWeekly    DeliveryMode = "weekly"
)

// Events a subscription can ask for.
const (
	EventAlert  = "alert"  // a new alert
	EventStatus = "status" // a supervisor confirmed, dismissed or reopened an alert
	// EventDegraded: a source's crawl run was found degraded (selectors
	// stopped matching). Only admins and operators may ask for it, and only
	// by listing it: it is not among the default events.
	EventDegraded = "degraded"
)

// Subscription is one user's standing request to be told about alerts.
// Empty filter lists select everything the user may see.
type Subscription struct {
	ID     int64  `json:"id"`
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	// MarkIDs narrows to these marks (an owner may list only its own).
	MarkIDs   []string   `json:"mark_ids,omitempty"`
	MinScore  float64    `json:"min_score,omitempty"`
	Kinds     []MarkKind `json:"kinds,omitempty"`
	Tactics   []string   `json:"tactics,omitempty"`
	Platforms []string   `json:"platforms,omitempty"`
	// Events defaults to both alert and status.
	Events  []string `json:"events,omitempty"`
	Channel Channel  `json:"channel"`
	// Target is the e-mail address or the webhook/robot URL. Robot URLs
	// carry an access token: it is shown to its user only, cut to the host
	// elsewhere.
	Target string `json:"target"`
	// Secret signs webhook bodies (HMAC) or DingTalk requests; never
	// returned once set.
	Secret string       `json:"-"`
	Mode   DeliveryMode `json:"mode"`
	// DigestTime is "HH:MM" in Asia/Shanghai for daily and weekly digests.
	DigestTime string `json:"digest_time,omitempty"`
	// DigestWeekday is the weekday of weekly digests (0 Sunday … 6 Saturday).
	DigestWeekday int `json:"digest_weekday,omitempty"`
	// Disabled is set by its user, by an unsubscribe link, or by markwatch
	// when the receiver kept failing (DisabledReason says which).
	Disabled       bool       `json:"disabled"`
	DisabledReason string     `json:"disabled_reason,omitempty"`
	FailingSince   *time.Time `json:"failing_since,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Subscriber is a subscription with the user it belongs to, which the
// router needs to apply the user's scope.
type Subscriber struct {
	Subscription Subscription
	User         User
}

// AlertEvent is something that happened to an alert that subscribers may
// be told: its creation, or a review (with the audit entry that records it).
type AlertEvent struct {
	Kind string // EventAlert, EventStatus or EventDegraded
	// Alert is zero for degraded events.
	Alert Alert
	// SourceID and Reasons are set for degraded events: the source whose
	// run was degraded and the health check's reasons. RunID is the run.
	SourceID string
	Reasons  []string
	RunID    int64
	// Platform of the listing behind the alert.
	Platform string
	// AuditID and Review are set for status events.
	AuditID int64
	Review  *Review
	Actor   *Actor
	At      time.Time
}

// NotificationState is where one pending message stands.
type NotificationState string

const (
	NotifyPending   NotificationState = "pending"
	NotifySent      NotificationState = "sent"
	NotifyFailed    NotificationState = "failed"    // gave up: receiver disabled or error not worth retrying
	NotifyCancelled NotificationState = "cancelled" // subscription deleted or unsubscribed before sending
)

// Notification is one event owed to one subscription: a row of the durable
// delivery outbox, written in the same transaction as the alert or review
// it announces. Digest subscriptions' rows share a DueAt and go out as one
// message.
type Notification struct {
	ID             int64  `json:"id"`
	SubscriptionID int64  `json:"subscription_id"`
	UserID         int64  `json:"user_id"`
	Event          string `json:"event"`
	AlertID        int64  `json:"alert_id"` // 0 for degraded events
	AuditID        int64  `json:"audit_id,omitempty"`
	MarkID         string `json:"mark_id"`
	// SourceID and Reasons are set for degraded events.
	SourceID string   `json:"source_id,omitempty"`
	Reasons  []string `json:"reasons,omitempty"`
	// IdempotencyKey is unique and stable across retries and restarts;
	// receivers deduplicate on it (header Idempotency-Key, Message-ID).
	IdempotencyKey string            `json:"idempotency_key"`
	DueAt          time.Time         `json:"due_at"`
	State          NotificationState `json:"state"`
	Attempts       int               `json:"attempts"`
	NextAttemptAt  time.Time         `json:"next_attempt_at"`
	LastError      string            `json:"last_error,omitempty"`
	CreatedAt      time.Time         `json:"created_at"`
	SentAt         *time.Time        `json:"sent_at,omitempty"`
	// MessageKey is the idempotency key of the message it went out in: its
	// own for immediate delivery, the digest's for digests.
	MessageKey string `json:"message_key,omitempty"`
}

// SellerClaimStatus is where an owner's "this seller is authorised" stands.
type SellerClaimStatus string

const (
	ClaimPending  SellerClaimStatus = "pending"
	ClaimAccepted SellerClaimStatus = "accepted"
	ClaimRejected SellerClaimStatus = "rejected"
)

// SellerClaim is an owner saying a seller is authorised to sell a mark's
// goods. Once a supervisor or admin accepts it, the seller joins the mark's
// allow list.
type SellerClaim struct {
	ID        int64             `json:"id"`
	MarkID    string            `json:"mark_id"`
	Seller    string            `json:"seller"`
	Note      string            `json:"note,omitempty"`
	Status    SellerClaimStatus `json:"status"`
	ClaimedBy Actor             `json:"claimed_by"`
	DecidedBy *Actor            `json:"decided_by,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
	DecidedAt *time.Time        `json:"decided_at,omitempty"`
}
