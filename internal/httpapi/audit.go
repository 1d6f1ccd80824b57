package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// Auditor records one change in the audit log; the store sets ID (and At
// when zero).
type Auditor interface {
	AppendAudit(ctx context.Context, e domain.AuditEntry) (domain.AuditEntry, error)
}

// AuditLog is the audit log: written for the changes this package makes
// itself (source control, which is not a store transaction), read by
// GET /api/v1/audit.
type AuditLog interface {
	Auditor
	// ListAudit returns one page of entries, newest first, and the total;
	// a restricted f.Scope sees only entries on its marks.
	ListAudit(ctx context.Context, f domain.AuditFilter) ([]domain.AuditEntry, int, error)
}

// audit appends e and reports whether it was written; on failure it has
// answered 500. The change it records has happened by then (source control
// is not transactional with the store), so the log line says so plainly.
func (a *api) audit(w http.ResponseWriter, r *http.Request, e domain.AuditEntry) bool {
	if e.At.IsZero() {
		e.At = a.deps.Now()
	}
	if _, err := a.deps.Audit.AppendAudit(r.Context(), e); err != nil {
		writeError(w, r, fmt.Errorf("recording %s of %s in the audit log (the change itself was applied): %w", e.Action, e.Object, err))
		return false
	}
	return true
}

// mustJSON encodes the small maps audit entries hold as before/after; they
// cannot fail to encode.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encoding audit document %T: %v", v, err))
	}
	return b
}

type auditList struct {
	Entries []domain.AuditEntry `json:"entries"`
	Total   int                 `json:"total"`
	Limit   int                 `json:"limit"`
	Offset  int                 `json:"offset"`
}

// maxAuditFilter bounds action and object filters: they name one action
// family or one object, never more.
const maxAuditFilter = 100

// listAudit serves GET /api/v1/audit?action=&object=&limit=&offset=, newest
// first, within the principal's scope: an owner reads only the entries on
// its own marks.
func (a *api) listAudit(w http.ResponseWriter, r *http.Request) {
	p, ok := principal(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	action, object := strings.TrimSpace(q.Get("action")), strings.TrimSpace(q.Get("object"))
	if len(action) > maxAuditFilter || len(object) > maxAuditFilter {
		writeError(w, r, domain.Errorf(domain.EINVALID, "query parameters action and object must be under %d bytes, like action=source. or object=alert:12", maxAuditFilter))
		return
	}
	limit, offset, err := page(q)
	if err != nil {
		writeError(w, r, err)
		return
	}
	f := domain.AuditFilter{Scope: p.Scope, Action: action, Object: object, Limit: limit, Offset: offset}
	entries, total, err := a.deps.Audit.ListAudit(r.Context(), f)
	if err != nil {
		writeError(w, r, fmt.Errorf("listing the audit log: %w", err))
		return
	}
	kept := make([]domain.AuditEntry, 0, len(entries))
	for _, e := range entries {
		// An entry with no mark is about users, sources or tokens: never an
		// owner's business. AllowsMark("") is false for restricted scopes.
		if !p.Scope.AllowsMark(e.MarkID) {
			continue
		}
		// Owners see who reviewed their marks' alerts, not from where: the
		// addresses of supervisors and staff are not theirs to read.
		if p.Scope.Restricted {
			e.Actor.RemoteAddr = ""
		}
		kept = append(kept, e)
	}
	if n := len(entries) - len(kept); n > 0 {
		a.scopeLeak(p, "audit entries", n)
		total -= n
	}
	writeJSON(w, http.StatusOK, auditList{Entries: kept, Total: total, Limit: limit, Offset: offset})
}
