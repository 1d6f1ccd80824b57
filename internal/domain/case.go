package domain

import "time"

// CaseStatus is where an enforcement case stands.
type CaseStatus string

const (
	CaseOpen          CaseStatus = "open"
	CaseInvestigating CaseStatus = "investigating"
	CaseNoticeSent    CaseStatus = "notice_sent"
	CaseRemoved       CaseStatus = "removed" // 已下架
	CaseClosed        CaseStatus = "closed"
)

// Case (案件) groups confirmed alerts a supervisor carries to enforcement.
type Case struct {
	ID     int64  `json:"id"`
	Number string `json:"number"` // MW-2026-0001
	Title  string `json:"title"`
	MarkID string `json:"mark_id"`
	// Jurisdiction is taken from the sellers' location ("河北 石家庄").
	Jurisdiction string     `json:"jurisdiction"`
	Assignee     string     `json:"assignee,omitempty"`
	Status       CaseStatus `json:"status"`
	Notes        string     `json:"notes,omitempty"`
	AlertIDs     []int64    `json:"alert_ids"`
	CreatedBy    Actor      `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// CaseFilter selects cases.
type CaseFilter struct {
	Scope  Scope
	Status CaseStatus
	Limit  int
	Offset int
}

// Notice is a takedown notice generated for a platform's IP-protection
// portal, and what became of it.
type Notice struct {
	ID          int64      `json:"id"`
	CaseID      int64      `json:"case_id"`
	Platform    string     `json:"platform"` // alibaba, jd, pinduoduo
	GeneratedAt time.Time  `json:"generated_at"`
	SentAt      *time.Time `json:"sent_at,omitempty"`
	AnsweredAt  *time.Time `json:"answered_at,omitempty"`
	Answer      string     `json:"answer,omitempty"`
}

// Audit actions of cases and evidence.
const (
	AuditCaseCreate = "case.create"
	AuditCaseUpdate = "case.update"
	AuditCaseNotice = "case.notice"
	// AuditCaptureRequest: a supervisor asked for a fresh capture of a listing.
	AuditCaptureRequest = "evidence.capture"
)
