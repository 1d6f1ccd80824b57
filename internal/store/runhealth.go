package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/markwatch/markwatch/internal/domain"
)

// AuditSourceDegraded is the audit action of a run found degraded: the
// record operators read of which selectors stopped matching, and when.
const AuditSourceDegraded = "source.degraded"

// encodeHealth is the health column's value: NULL when the run has none.
func encodeHealth(h *domain.RunHealth) (sql.NullString, error) {
	if h == nil {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(h)
	if err != nil {
		return sql.NullString{}, fmt.Errorf("encoding health: %w", err)
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

// decodeHealth reads the health column into r.
func decodeHealth(r *domain.CrawlRun, degraded bool, health sql.NullString) error {
	r.Degraded = degraded
	if !health.Valid || health.String == "" {
		return nil
	}
	var h domain.RunHealth
	if err := json.Unmarshal([]byte(health.String), &h); err != nil {
		return fmt.Errorf("run %d health %q: %w", r.ID, health.String, err)
	}
	r.Health = &h
	return nil
}

// auditDegraded records, in the transaction that finishes the run, that a
// run was found degraded and why.
func (db *DB) auditDegraded(ctx context.Context, tx querier, run domain.CrawlRun, sourceID string) (int64, error) {
	after := map[string]any{"run_id": run.ID, "degraded": true}
	if run.Health != nil {
		after["reasons"] = run.Health.Reasons
		after["unmatched"] = run.Health.Unmatched
		after["pages"] = run.Health.Pages
		after["pages_auto"] = run.Health.PagesAuto
		after["listings_per_page"] = run.Health.ListingsPerPage
	}
	e, err := db.appendAudit(ctx, tx, domain.AuditEntry{
		Actor: domain.SystemActor, Action: AuditSourceDegraded, Object: "source:" + sourceID,
		After: auditDoc(after), Note: fmt.Sprintf("crawl run %d degraded", run.ID),
	})
	return e.ID, err
}

// RecentHealthyRuns returns up to n of sourceID's newest runs that
// succeeded, were not degraded and recorded their health, newest first: the
// yardstick a new run is held against. Degraded runs are left out so a
// source that stays broken keeps being reported instead of becoming the
// new normal.
func (db *DB) RecentHealthyRuns(ctx context.Context, sourceID string, n int) ([]domain.CrawlRun, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT id, source_id, pages, listings, health FROM crawl_runs
		WHERE source_id = ? AND status = 'succeeded' AND degraded = 0 AND health IS NOT NULL
		ORDER BY id DESC LIMIT ?`, sourceID, n)
	if err != nil {
		return nil, fmt.Errorf("listing recent healthy runs of %s: %w", sourceID, err)
	}
	defer rows.Close()
	var out []domain.CrawlRun
	for rows.Next() {
		r := domain.CrawlRun{Status: domain.RunSucceeded}
		var health sql.NullString
		if err := rows.Scan(&r.ID, &r.SourceID, &r.Pages, &r.Listings, &health); err != nil {
			return nil, fmt.Errorf("listing recent healthy runs of %s: %w", sourceID, err)
		}
		if err := decodeHealth(&r, false, health); err != nil {
			return nil, fmt.Errorf("listing recent healthy runs of %s: %w", sourceID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing recent healthy runs of %s: %w", sourceID, err)
	}
	return out, nil
}
