package store

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// alertQuery is an alert filter in SQL: the conditions and their arguments,
// and the order of a page.
type alertQuery struct {
	where string // " WHERE …", never empty
	args  []any
	order string // " ORDER BY …"
}

// alertPrice is the price of the listing behind an alert (alerts keep no
// price of their own); NULL for an alert whose hit is gone.
const alertPrice = "(SELECT l.price FROM hits h JOIN listings l ON l.id = h.listing_id WHERE h.id = alerts.hit_id)"

// alertOrders are the ORDER BY clauses of AlertFilter.Sort. Every one ends
// in first_seen, id so a page boundary is stable. Price puts the unknown
// (no hit, or 0: the marketplace showed none) last in both dialects rather
// than leaving NULLs to SQLite's first and PostgreSQL's last.
var alertOrders = map[string]string{
	"":                     " ORDER BY first_seen DESC, id DESC",
	domain.AlertSortNewest: " ORDER BY first_seen DESC, id DESC",
	domain.AlertSortScore:  " ORDER BY score DESC, first_seen DESC, id DESC",
	domain.AlertSortPrice: " ORDER BY CASE WHEN coalesce(" + alertPrice + ", 0) > 0 THEN 0 ELSE 1 END, " +
		"coalesce(" + alertPrice + ", 0), first_seen DESC, id DESC",
}

// buildAlertQuery turns f into SQL. withStatus false leaves f.Status out,
// for counting by status. The scope is ANDed with the filters, as in
// ListAlerts, so asking for another owner's mark or seller finds nothing.
func buildAlertQuery(f domain.AlertFilter, withStatus bool) (alertQuery, error) {
	order, ok := alertOrders[f.Sort]
	if !ok {
		return alertQuery{}, domain.Errorf(domain.EINVALID, "sort %q must be newest, score or price", f.Sort)
	}
	// An alert merged into another (alert_merges) is the same offer: only
	// the kept one is listed.
	where := []string{"id NOT IN (SELECT merged_id FROM alert_merges)"}
	var args []any
	if f.MarkID != "" {
		where = append(where, "mark_id = ?")
		args = append(args, f.MarkID)
	}
	if withStatus {
		switch f.Status {
		case "":
		case domain.AlertOpen, domain.AlertConfirmed, domain.AlertDismissed:
			where = append(where, "status = ?")
			args = append(args, string(f.Status))
		default:
			return alertQuery{}, domain.Errorf(domain.EINVALID, "status %q must be one of open, confirmed, dismissed", f.Status)
		}
	}
	for _, in := range []struct {
		col    string
		values []string
	}{{"mark_id", f.MarkIDs}, {"source_id", f.SourceIDs}, {"seller", f.Sellers}} {
		if len(in.values) > 0 {
			where = append(where, in.col+" IN ("+placeholders(len(in.values))+")")
			for _, v := range in.values {
				args = append(args, v)
			}
		}
	}
	if c, a := anyCond(f.Locations, func(loc string) (string, []any) { return jurisdictionCond(loc, "location") }); c != "" {
		where = append(where, c)
		args = append(args, a...)
	}
	for _, r := range f.Scores {
		if math.IsNaN(r.Min) || math.IsNaN(r.Max) || r.Min >= r.Max {
			return alertQuery{}, domain.Errorf(domain.EINVALID, "score range [%v, %v) is empty", r.Min, r.Max)
		}
	}
	if c, a := anyCond(f.Scores, func(r domain.ScoreRange) (string, []any) {
		return "(score >= ? AND score < ?)", []any{r.Min, r.Max}
	}); c != "" {
		where = append(where, c)
		args = append(args, a...)
	}
	if f.ByHits {
		if len(f.HitIDs) == 0 {
			where = append(where, "1 = 0")
		} else {
			where = append(where, "hit_id IN ("+placeholders(len(f.HitIDs))+")")
			for _, id := range f.HitIDs {
				args = append(args, id)
			}
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return alertQuery{}, domain.Errorf(domain.EINVALID, "from %s must come before to %s", f.From, f.To)
	}
	if !f.From.IsZero() {
		where = append(where, alertLastSeen+" >= ?")
		args = append(args, toMillis(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, alertLastSeen+" < ?")
		args = append(args, toMillis(f.To))
	}
	sw, sa := scopeConds(f.Scope, "mark_id", "location")
	where = append(where, sw...)
	args = append(args, sa...)
	return alertQuery{where: " WHERE " + strings.Join(where, " AND "), args: args, order: order}, nil
}

// anyCond ORs the condition of each value; "" for no values. A value whose
// condition is "" (a blank location) matches nothing rather than widening
// the filter to everything.
func anyCond[T any](values []T, cond func(T) (string, []any)) (string, []any) {
	if len(values) == 0 {
		return "", nil
	}
	var ors []string
	var args []any
	for _, v := range values {
		c, a := cond(v)
		if c == "" {
			c = "1 = 0"
		}
		ors = append(ors, c)
		args = append(args, a...)
	}
	return "(" + strings.Join(ors, " OR ") + ")", args
}

// QueryAlerts returns one page of the alerts f selects, in f.Sort's order,
// and the total matching. It is ListAlerts with every filter of
// AlertFilter applied (ListAlerts applies mark, status and scope).
func (db *DB) QueryAlerts(ctx context.Context, f domain.AlertFilter) ([]domain.Alert, int, error) {
	limit, err := pageLimit(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("querying alerts: %w", err)
	}
	q, err := buildAlertQuery(f, true)
	if err != nil {
		return nil, 0, fmt.Errorf("querying alerts: %w", err)
	}
	var total int
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM alerts"+q.where, q.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("querying alerts: counting: %w", err)
	}
	rows, err := db.sql.QueryContext(ctx, "SELECT "+alertColumns+" FROM alerts"+q.where+q.order+" LIMIT ? OFFSET ?",
		append(q.args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("querying alerts: %w", err)
	}
	alerts, err := scanAll(rows, scanAlert)
	if err != nil {
		return nil, 0, fmt.Errorf("querying alerts: %w", err)
	}
	return alerts, total, nil
}

// CountAlertStatuses counts the alerts f selects by status, f.Status
// itself left out (a facet shows the other statuses' counts beside the
// chosen one). Every status has an entry, 0 included.
func (db *DB) CountAlertStatuses(ctx context.Context, f domain.AlertFilter) (map[domain.AlertStatus]int, error) {
	q, err := buildAlertQuery(f, false)
	if err != nil {
		return nil, fmt.Errorf("counting alerts by status: %w", err)
	}
	rows, err := db.sql.QueryContext(ctx, "SELECT status, count(*) FROM alerts"+q.where+" GROUP BY status", q.args...)
	if err != nil {
		return nil, fmt.Errorf("counting alerts by status: %w", err)
	}
	defer rows.Close()
	out := map[domain.AlertStatus]int{domain.AlertOpen: 0, domain.AlertConfirmed: 0, domain.AlertDismissed: 0}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("counting alerts by status: %w", err)
		}
		out[domain.AlertStatus(s)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("counting alerts by status: %w", err)
	}
	return out, nil
}
