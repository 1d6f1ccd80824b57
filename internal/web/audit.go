package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// maxAuditFilter bounds ?action= and ?object=.
const maxAuditFilter = 100

type auditRow struct {
	At, Who, Role, Action, ActionCode, Object, MarkName string
	Before, After, Note                                 string
}

type auditView struct {
	page
	Rows             []auditRow
	Action, Object   string
	Total            int
	Page, Pages      int
	PrevURL, NextURL string
}

// audit serves GET /audit?action=&object=&page=: who changed what, newest
// first, within the principal's scope (an owner reads the part about its
// marks).
func (c *console) audit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	action, object := strings.TrimSpace(q.Get("action")), strings.TrimSpace(q.Get("object"))
	if len(action) > maxAuditFilter || len(object) > maxAuditFilter {
		c.fail(w, r, domain.Errorf(domain.EINVALID, "筛选条件过长 the filter is longer than %d bytes", maxAuditFilter))
		return
	}
	pg := 1
	if raw := q.Get("page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxPage {
			c.fail(w, r, domain.Errorf(domain.EINVALID, "page=%q 无效 must be a whole number from 1 to %d", raw, maxPage))
			return
		}
		pg = n
	}
	scope := access.ScopeFrom(r.Context())
	size := c.deps.PageSize
	entries, total, err := c.deps.Audit.ListAudit(r.Context(), domain.AuditFilter{
		Scope: scope, Action: action, Object: object, Limit: size, Offset: (pg - 1) * size,
	})
	if err != nil {
		c.fail(w, r, fmt.Errorf("listing the audit log: %w", err))
		return
	}
	v := auditView{page: c.frame(r, "审计日志 Audit log"), Action: action, Object: object, Total: total, Page: pg,
		Pages: max(1, (total+size-1)/size)}
	for _, e := range entries {
		// The store applies the scope; an entry it let through about
		// another owner's mark, or about no mark, stays off an owner's page.
		if scope.Restricted && (e.MarkID == "" || !scope.AllowsMark(e.MarkID)) {
			continue
		}
		row := auditRow{
			At: c.when(e.At), Who: e.Actor.Name, Role: roleLabel(e.Actor.Role),
			Action: auditLabel(e.Action), ActionCode: e.Action, Object: e.Object,
			Before: string(e.Before), After: string(e.After), Note: e.Note,
		}
		if e.MarkID != "" {
			row.MarkName = c.markName(e.MarkID)
		}
		v.Rows = append(v.Rows, row)
	}
	link := func(n int) string {
		u := url.Values{}
		if action != "" {
			u.Set("action", action)
		}
		if object != "" {
			u.Set("object", object)
		}
		if n > 1 {
			u.Set("page", strconv.Itoa(n))
		}
		if len(u) == 0 {
			return "/audit"
		}
		return "/audit?" + u.Encode()
	}
	if pg > 1 {
		v.PrevURL = link(pg - 1)
	}
	if pg < v.Pages {
		v.NextURL = link(pg + 1)
	}
	c.render(w, r, http.StatusOK, "audit.html", v)
}
