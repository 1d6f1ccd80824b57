package domain

import (
	"encoding/json"
	"time"
)

// Audit actions. Each names one kind of change.
const (
	AuditAlertReview        = "alert.review"
	AuditSourceSchedule     = "source.schedule"
	AuditSourcePause        = "source.pause"
	AuditSourceResume       = "source.resume"
	AuditSourceRun          = "source.run"
	AuditUserAdd            = "user.add"
	AuditUserDisable        = "user.disable"
	AuditUserEnable         = "user.enable"
	AuditUserPassword       = "user.password"
	AuditTokenCreate        = "token.create"
	AuditTokenRevoke        = "token.revoke"
	AuditSubscriptionCreate = "subscription.create"
	AuditSubscriptionUpdate = "subscription.update"
	AuditSubscriptionDelete = "subscription.delete"
	AuditSellerClaim        = "seller.claim"
	AuditSellerDecide       = "seller.decide"
	AuditLogin              = "session.login"
	AuditLogout             = "session.logout"
)

// AuditEntry is one change: who, when, what, before and after, and why.
// Before and After are JSON documents of the changed object (never of a
// credential).
type AuditEntry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  Actor     `json:"actor"`
	Action string    `json:"action"`
	// Object names what changed: "alert:12", "source:jd", "user:ops".
	Object string `json:"object"`
	// MarkID is set when the change concerns one mark, so an owner can read
	// the part of the log about its marks.
	MarkID string          `json:"mark_id,omitempty"`
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
	Note   string          `json:"note,omitempty"`
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	Scope  Scope  // a restricted scope sees only entries on its marks
	Action string // "" for every action; a prefix ending in "." selects a family
	Object string
	Limit  int
	Offset int
}

// Review is a supervisor's decision on an alert, with an optional note.
type Review struct {
	Status AlertStatus `json:"status"`
	Note   string      `json:"note,omitempty"`
}
