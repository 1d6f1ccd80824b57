package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// maxBulk bounds one bulk review: a queue page, not the store.
const maxBulk = maxPageSize

// maxBulkBody bounds the bulk form: ids, a status, a note and a path.
const maxBulkBody = 64 << 10

// bulkReview serves POST /alerts/review: the alerts ticked in the queue
// (id=… repeated) confirmed or dismissed with one note. Every alert is
// looked up in the principal's scope before any is changed, so a form
// carrying another owner's or another jurisdiction's id changes nothing
// and answers as a missing alert. Each review is its own transaction with
// its own audit row, as one review from the evidence page is; should one
// fail, the ones before it stay reviewed and the page says how many.
func (c *console) bulkReview(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r, maxBulkBody); err != nil {
		c.fail(w, r, fmt.Errorf("reading the bulk review form: %w", err))
		return
	}
	status, ok := parseStatus(r.PostForm.Get("status"))
	if !ok || status == domain.AlertOpen {
		c.fail(w, r, domain.Errorf(domain.EINVALID, "status=%q 无效 must be confirmed (确认侵权) or dismissed (驳回)", r.PostForm.Get("status")))
		return
	}
	note := strings.TrimSpace(r.PostForm.Get("note"))
	if utf8.RuneCountInString(note) > maxNote {
		c.fail(w, r, domain.Errorf(domain.EINVALID, "备注过长 the note is longer than %d characters", maxNote))
		return
	}
	ids, err := bulkIDs(r.PostForm["id"])
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for _, id := range ids {
		if _, err := c.visibleAlert(r, id); err != nil {
			c.fail(w, r, fmt.Errorf("getting alert %d to review it in bulk: %w", id, err))
			return
		}
	}
	p, _ := access.FromContext(r.Context())
	for i, id := range ids {
		if _, err := c.deps.Reviews.ReviewAlert(r.Context(), id, domain.Review{Status: status, Note: note}, p.Actor()); err != nil {
			c.fail(w, r, fmt.Errorf("%d of %d alerts reviewed; reviewing alert %d: %w", i, len(ids), id, err))
			return
		}
	}
	c.log.Info("alerts reviewed in bulk", zap.Int("alerts", len(ids)), zap.String("status", string(status)),
		zap.String("user", p.User.Name), zap.String("remote_addr", r.RemoteAddr))
	http.Redirect(w, r, backTo(r.PostForm.Get("back"), "/"), http.StatusSeeOther)
}

// bulkIDs reads the ticked ids: at least one, at most maxBulk, each once.
func bulkIDs(raw []string) ([]int64, error) {
	if len(raw) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "未选择告警 no alert is ticked")
	}
	if len(raw) > maxBulk {
		return nil, domain.Errorf(domain.EINVALID, "一次最多 %d 条 at most %d alerts at once, %d ticked", maxBulk, maxBulk, len(raw))
	}
	seen := map[int64]bool{}
	var ids []int64
	for _, s := range raw {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return nil, domain.Errorf(domain.EINVALID, "id=%q 无效 must be an alert number", s)
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}
