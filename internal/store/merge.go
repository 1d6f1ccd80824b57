package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// IdentityFunc returns the identity of the offer at rawURL as the source
// sourceID derives it (crawl.Source.Identity), or "" to leave a row's key as
// it is (an unknown source, an empty URL).
type IdentityFunc func(sourceID, rawURL string) string

// AuditAlertMerge is the audit action of MergeIdentities: duplicate alerts of
// one offer became one.
const AuditAlertMerge = "alert.merge"

// MergeReport says what one MergeIdentities pass changed.
type MergeReport struct {
	// Skipped: the last pass applied the same fingerprint; nothing was read.
	Skipped         bool `json:"skipped,omitempty"`
	ListingsRekeyed int  `json:"listings_rekeyed"`
	ListingsMerged  int  `json:"listings_merged"`
	HitsMerged      int  `json:"hits_merged"`
	AlertsRekeyed   int  `json:"alerts_rekeyed"`
	AlertsMerged    int  `json:"alerts_merged"`
}

// AlertMerge is one alert merged into another (alert_merges).
type AlertMerge struct {
	MergedID int64              `json:"merged_id"`
	KeptID   int64              `json:"kept_id"`
	MarkID   string             `json:"mark_id"`
	Identity string             `json:"identity"`
	URLKey   string             `json:"url_key"` // the merged alert's key before the merge
	Status   domain.AlertStatus `json:"status"`  // the merged alert's status before the merge
	AuditID  int64              `json:"audit_id,omitempty"`
	MergedAt time.Time          `json:"merged_at"`
}

// MergeIdentities re-keys stored listings and alerts on their identity and
// merges the rows that turn out to be one offer, in one transaction:
//
//   - Listings of one source with one identity become the oldest row (first
//     seen the earliest, last seen the latest); a hit of a merged listing
//     moves to the kept listing, or, when the kept listing has a hit for the
//     same mark, is folded into it (the later verdict wins) and removed from
//     the index through the outbox.
//   - Alerts of one mark with one identity become the oldest alert, which
//     takes the most advanced decision (confirmed over dismissed over open),
//     first_seen = min, last_seen = max and the best score with its reasons.
//     The merged alerts stay as rows, recorded in alert_merges (their
//     captures and listing versions are append-only and keep pointing at
//     them: see MergedAlerts), leave the alert lists, and GetAlert of one
//     answers with the kept alert. Case links move to the kept alert
//     (unless that would put it in a second case that is not closed);
//     pending new-alert notifications and pending rechecks of a merged alert
//     are cancelled (it is a duplicate); sent notifications stay as history.
//     Each kept alert gets one alert.merge audit entry naming the merged ids
//     and their decisions; the audit log is append-only, so earlier entries
//     keep naming the merged ids.
//
// A pass whose fingerprint (of the identity rules) equals the last pass's is
// skipped; with "" every call runs. Running a pass again changes nothing.
func (db *DB) MergeIdentities(ctx context.Context, fingerprint string, identity IdentityFunc) (MergeReport, error) {
	var rep MergeReport
	if identity == nil {
		return rep, domain.Errorf(domain.EINVALID, "merging identities: no identity function")
	}
	err := db.inTx(ctx, "merging listings and alerts of one identity", func(tx *sql.Tx) error {
		rep = MergeReport{}
		if fingerprint != "" {
			var last string
			err := tx.QueryRowContext(ctx, "SELECT fingerprint FROM identity_passes ORDER BY id DESC LIMIT 1").Scan(&last)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("reading the last pass: %w", err)
			}
			if err == nil && last == fingerprint {
				rep.Skipped = true
				return nil
			}
		}
		now := db.stamp()
		if err := mergeListings(ctx, tx, identity, now, &rep); err != nil {
			return err
		}
		if err := db.mergeAlerts(ctx, tx, identity, now, &rep); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO identity_passes
			(fingerprint, at, listings_rekeyed, listings_merged, hits_merged, alerts_rekeyed, alerts_merged)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, fingerprint, toMillis(now),
			rep.ListingsRekeyed, rep.ListingsMerged, rep.HitsMerged, rep.AlertsRekeyed, rep.AlertsMerged)
		if err != nil {
			return fmt.Errorf("recording the pass: %w", err)
		}
		return nil
	})
	if err != nil {
		return MergeReport{}, err
	}
	return rep, nil
}

type listingRow struct {
	id                    int64
	source, key, url, new string
	first, last           int64
}

func mergeListings(ctx context.Context, tx *sql.Tx, identity IdentityFunc, now time.Time, rep *MergeReport) error {
	rows, err := tx.QueryContext(ctx, `SELECT l.id, l.source_id, l.url_key, l.url, l.first_seen, coalesce(s.last_seen, l.first_seen)
		FROM listings l LEFT JOIN listing_seen s ON s.listing_id = l.id WHERE l.url <> '' ORDER BY l.id`)
	if err != nil {
		return fmt.Errorf("reading listings: %w", err)
	}
	var all []listingRow
	for rows.Next() {
		var r listingRow
		if err := rows.Scan(&r.id, &r.source, &r.key, &r.url, &r.first, &r.last); err != nil {
			rows.Close()
			return fmt.Errorf("reading listings: %w", err)
		}
		if r.new = identity(r.source, r.url); r.new == "" {
			r.new = r.key
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading listings: %w", err)
	}
	groups := map[[2]string][]listingRow{}
	var order [][2]string
	for _, r := range all {
		g := [2]string{r.source, r.new}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], r)
	}
	// Kept rows whose key changes first take a key no identity has, so that
	// re-keying one cannot collide with a row that is about to move.
	var rekey []listingRow
	for _, g := range order {
		rs := groups[g]
		kept := rs[0] // lowest id: rows were read in id order
		for _, o := range rs[1:] {
			if err := foldListing(ctx, tx, kept.id, o.id, now, rep); err != nil {
				return err
			}
			kept.first, kept.last = min(kept.first, o.first), max(kept.last, o.last)
			rep.ListingsMerged++
		}
		if len(rs) > 1 {
			if _, err := tx.ExecContext(ctx, "UPDATE listings SET first_seen = ? WHERE id = ?", kept.first, kept.id); err != nil {
				return fmt.Errorf("updating listing %d: %w", kept.id, err)
			}
			if _, err := tx.ExecContext(ctx, "UPDATE listing_seen SET last_seen = ? WHERE listing_id = ?", kept.last, kept.id); err != nil {
				return fmt.Errorf("updating the last sighting of listing %d: %w", kept.id, err)
			}
			// A hit seen at the merged listing's latest sighting is live
			// again (foldListing froze them all), so the next unchanged
			// re-sighting takes the fast path.
			if _, err := tx.ExecContext(ctx, "UPDATE hits SET live = 1 WHERE listing_id = ? AND live = 0 AND last_seen = ?", kept.id, kept.last); err != nil {
				return fmt.Errorf("making the current hits of listing %d live: %w", kept.id, err)
			}
			// So is an alert last seen then through one of them that
			// alerts.
			if _, err := tx.ExecContext(ctx, qReliveListingAlerts, kept.id); err != nil {
				return fmt.Errorf("making the current alerts of listing %d live: %w", kept.id, err)
			}
		}
		if kept.key != kept.new {
			if _, err := tx.ExecContext(ctx, "UPDATE listings SET url_key = ? WHERE id = ?", fmt.Sprintf("~identity:%d", kept.id), kept.id); err != nil {
				return fmt.Errorf("re-keying listing %d: %w", kept.id, err)
			}
			rekey = append(rekey, kept)
		}
	}
	for _, r := range rekey {
		if _, err := tx.ExecContext(ctx, "UPDATE listings SET url_key = ? WHERE id = ?", r.new, r.id); err != nil {
			return fmt.Errorf("re-keying listing %d as %s: %w", r.id, r.new, err)
		}
		rep.ListingsRekeyed++
	}
	return nil
}

// freezeAll is the sighting time qFreezeHits and qFreezeAlerts take to
// freeze whatever is live through a listing: no sighting is later.
const freezeAll = int64(math.MaxInt64)

// qReliveAlertsHead makes frozen alerts live again through their hit's
// listing when they were last seen at that listing's latest sighting,
// through the hit, live and alerting (0011_alert_live.sql); a merge froze
// them, and live they take the fast path. Its tails pick the alerts.
const qReliveAlertsHead = `UPDATE alerts SET live_listing = (SELECT h.listing_id FROM hits h WHERE h.id = alerts.hit_id)
	WHERE live_listing IS NULL AND EXISTS (SELECT 1 FROM hits h JOIN listing_seen s ON s.listing_id = h.listing_id
		WHERE h.id = alerts.hit_id AND h.live = 1 AND h.alert = 1 AND s.last_seen = alerts.last_seen)`

const (
	qReliveListingAlerts = qReliveAlertsHead + " AND hit_id IN (SELECT id FROM hits WHERE listing_id = ?1)"
	qReliveAlert         = qReliveAlertsHead + " AND id = ?1"
)

// foldListing moves listing from's hits to listing into and deletes from.
// Both listings' hits and alerts are frozen first: into's last_seen
// becomes the later of the two, which says nothing of either's marks, and
// from goes.
func foldListing(ctx context.Context, tx *sql.Tx, into, from int64, now time.Time, rep *MergeReport) error {
	for _, lid := range []int64{into, from} {
		if _, err := tx.ExecContext(ctx, qFreezeHits, lid, freezeAll); err != nil {
			return fmt.Errorf("freezing the hits of listing %d: %w", lid, err)
		}
		if _, err := tx.ExecContext(ctx, qFreezeAlerts, lid, freezeAll); err != nil {
			return fmt.Errorf("freezing the alerts of listing %d: %w", lid, err)
		}
	}
	type hit struct {
		id, first, last int64
		mark, reasons   string
		score           float64
		alert           bool
	}
	read := func(lid int64) (map[string]hit, []string, error) {
		rows, err := tx.QueryContext(ctx, "SELECT id, mark_id, score, alert, reasons, first_seen, last_seen FROM hits WHERE listing_id = ? ORDER BY id", lid)
		if err != nil {
			return nil, nil, err
		}
		defer rows.Close()
		out := map[string]hit{}
		var marks []string
		for rows.Next() {
			var h hit
			if err := rows.Scan(&h.id, &h.mark, &h.score, &h.alert, &h.reasons, &h.first, &h.last); err != nil {
				return nil, nil, err
			}
			out[h.mark] = h
			marks = append(marks, h.mark)
		}
		return out, marks, rows.Err()
	}
	keptHits, _, err := read(into)
	if err != nil {
		return fmt.Errorf("reading hits of listing %d: %w", into, err)
	}
	fromHits, marks, err := read(from)
	if err != nil {
		return fmt.Errorf("reading hits of listing %d: %w", from, err)
	}
	for _, m := range marks {
		h := fromHits[m]
		k, ok := keptHits[m]
		if !ok {
			if _, err := tx.ExecContext(ctx, "UPDATE hits SET listing_id = ? WHERE id = ?", into, h.id); err != nil {
				return fmt.Errorf("moving hit %d: %w", h.id, err)
			}
			if err := enqueueTx(ctx, tx, domain.OutboxUpsert, h.id, now); err != nil {
				return err
			}
			continue
		}
		// The later sighting's verdict is the current one.
		score, alert, reasons := k.score, k.alert, k.reasons
		if h.last > k.last {
			score, alert, reasons = h.score, h.alert, h.reasons
		}
		_, err := tx.ExecContext(ctx, "UPDATE hits SET score = ?, alert = ?, reasons = ?, fp = ?, first_seen = ?, last_seen = ? WHERE id = ?",
			score, alert, reasons, storedHitFP(k.mark, score, alert, reasons), min(k.first, h.first), max(k.last, h.last), k.id)
		if err != nil {
			return fmt.Errorf("folding hit %d into %d: %w", h.id, k.id, err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE alerts SET hit_id = ? WHERE hit_id = ?", k.id, h.id); err != nil {
			return fmt.Errorf("repointing alerts of hit %d: %w", h.id, err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM hits WHERE id = ?", h.id); err != nil {
			return fmt.Errorf("deleting hit %d: %w", h.id, err)
		}
		if err := enqueueTx(ctx, tx, domain.OutboxDelete, h.id, now); err != nil {
			return err
		}
		if err := enqueueTx(ctx, tx, domain.OutboxUpsert, k.id, now); err != nil {
			return err
		}
		rep.HitsMerged++
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM listings WHERE id = ?", from); err != nil {
		return fmt.Errorf("deleting listing %d merged into %d: %w", from, into, err)
	}
	return nil
}

type alertRow struct {
	id                                      int64
	mark, key, source, url, status, reasons string
	newKey                                  string
	score                                   float64
	hit                                     sql.NullInt64
	first, last                             int64
}

// statusRank orders decisions: a confirmed alert stays confirmed whatever
// its duplicates said, a dismissal outranks an open duplicate.
func statusRank(s string) int {
	switch domain.AlertStatus(s) {
	case domain.AlertConfirmed:
		return 2
	case domain.AlertDismissed:
		return 1
	}
	return 0
}

func (db *DB) mergeAlerts(ctx context.Context, tx *sql.Tx, identity IdentityFunc, now time.Time, rep *MergeReport) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, mark_id, url_key, source_id, url, status, reasons, score, hit_id, first_seen, `+alertLastSeen+`
		FROM alerts WHERE id NOT IN (SELECT merged_id FROM alert_merges) ORDER BY id`)
	if err != nil {
		return fmt.Errorf("reading alerts: %w", err)
	}
	var all []alertRow
	for rows.Next() {
		var r alertRow
		if err := rows.Scan(&r.id, &r.mark, &r.key, &r.source, &r.url, &r.status, &r.reasons, &r.score, &r.hit, &r.first, &r.last); err != nil {
			rows.Close()
			return fmt.Errorf("reading alerts: %w", err)
		}
		r.newKey = r.key
		if r.url != "" {
			if id := identity(r.source, r.url); id != "" {
				r.newKey = id
			}
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading alerts: %w", err)
	}
	groups := map[[2]string][]alertRow{}
	var order [][2]string
	for _, r := range all {
		g := [2]string{r.mark, r.newKey}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], r)
	}
	var rekey []alertRow
	for _, g := range order {
		rs := groups[g]
		kept := rs[0]
		if len(rs) > 1 {
			if err := db.foldAlerts(ctx, tx, rs, now); err != nil {
				return err
			}
			rep.AlertsMerged += len(rs) - 1
		}
		if kept.key != kept.newKey {
			if _, err := tx.ExecContext(ctx, "UPDATE alerts SET url_key = ? WHERE id = ?", fmt.Sprintf("~identity:%d", kept.id), kept.id); err != nil {
				return fmt.Errorf("re-keying alert %d: %w", kept.id, err)
			}
			rekey = append(rekey, kept)
		}
	}
	for _, r := range rekey {
		if _, err := tx.ExecContext(ctx, "UPDATE alerts SET url_key = ? WHERE id = ?", r.newKey, r.id); err != nil {
			return fmt.Errorf("re-keying alert %d as %s: %w", r.id, r.newKey, err)
		}
		rep.AlertsRekeyed++
	}
	return nil
}

// foldAlerts merges rs[1:] into rs[0] (the oldest), all of one mark and
// identity.
func (db *DB) foldAlerts(ctx context.Context, tx *sql.Tx, rs []alertRow, now time.Time) error {
	kept := rs[0]
	best := kept // the best score, with its reasons
	status, first, last, hit := kept.status, kept.first, kept.last, kept.hit
	type mergedDoc struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
		URL    string `json:"url"`
	}
	var docs []mergedDoc
	var ids []string
	for _, o := range rs[1:] {
		if statusRank(o.status) > statusRank(status) {
			status = o.status
		}
		first, last = min(first, o.first), max(last, o.last)
		if o.score > best.score {
			best = o
		}
		if !hit.Valid {
			hit = o.hit
		}
		docs = append(docs, mergedDoc{ID: o.id, Status: o.status, URL: o.url})
		ids = append(ids, fmt.Sprint(o.id))
	}
	e, err := db.appendAudit(ctx, tx, domain.AuditEntry{
		At: now, Actor: domain.SystemActor, Action: AuditAlertMerge, Object: fmt.Sprintf("alert:%d", kept.id), MarkID: kept.mark,
		Before: auditDoc(map[string]any{"status": kept.status, "first_seen": fromMillis(kept.first), "last_seen": fromMillis(kept.last), "merged": docs}),
		After:  auditDoc(map[string]any{"status": status, "first_seen": fromMillis(first), "last_seen": fromMillis(last), "identity": kept.newKey}),
		Note: fmt.Sprintf("alerts %s are the same offer (%s) as alert %d, reached through other URLs; merged into %d, which keeps the decision %s",
			strings.Join(ids, ", "), kept.newKey, kept.id, kept.id, status),
	})
	if err != nil {
		return err
	}
	// The kept alert is frozen at the merged last_seen: it now stands for
	// sightings through several listings.
	_, err = tx.ExecContext(ctx, "UPDATE alerts SET status = ?, first_seen = ?, last_seen = ?, score = ?, reasons = ?, hit_id = ?, live_listing = NULL WHERE id = ?",
		status, first, last, best.score, best.reasons, hit, kept.id)
	if err != nil {
		return fmt.Errorf("updating alert %d: %w", kept.id, err)
	}
	if _, err := tx.ExecContext(ctx, qReliveAlert, kept.id); err != nil {
		return fmt.Errorf("making alert %d live: %w", kept.id, err)
	}
	reason := fmt.Sprintf("alert merged into alert %d (same offer)", kept.id)
	for _, o := range rs[1:] {
		stmts := []struct {
			what string
			q    string
			args []any
		}{
			{"keying", "UPDATE alerts SET url_key = ? WHERE id = ?", []any{fmt.Sprintf("merged:%d", o.id), o.id}},
			{"recording", `INSERT INTO alert_merges (merged_id, kept_id, mark_id, identity, url_key, status, audit_id, merged_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, []any{o.id, kept.id, o.mark, kept.newKey, o.key, o.status, e.ID, toMillis(now)}},
			// An alert merged earlier into this one now belongs to the kept one.
			{"repointing earlier merges", "UPDATE alert_merges SET kept_id = ? WHERE kept_id = ?", []any{kept.id, o.id}},
			// A case of the merged alert takes the kept one, unless that
			// would put the kept alert in a second case that is not closed:
			// then the case keeps citing the merged id (GetAlert resolves it).
			{"moving case links", qMoveCaseLinks, []any{kept.id, o.id}},
			{"dropping case links the kept alert has", `DELETE FROM case_alerts WHERE alert_id = ?
				AND case_id IN (SELECT case_id FROM case_alerts WHERE alert_id = ?)`, []any{o.id, kept.id}},
			{"cancelling notifications", `UPDATE notifications SET state = 'cancelled', last_error = ?
				WHERE alert_id = ? AND state = 'pending' AND event = 'alert'`, []any{reason, o.id}},
			{"ending rechecks", `UPDATE capture_jobs SET state = 'done', last_error = ?, finished_at = ?
				WHERE alert_id = ? AND state = 'pending' AND kind = 'recheck'`, []any{reason, toMillis(now), o.id}},
		}
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
				return fmt.Errorf("merging alert %d into %d: %s: %w", o.id, kept.id, s.what, err)
			}
		}
	}
	return nil
}

// MergedAlerts returns the alerts merged into alert id (oldest first), so
// their captures, listing versions, audit entries and notifications, which
// keep their ids, can be shown with it. None for an alert nothing was merged
// into.
func (db *DB) MergedAlerts(ctx context.Context, id int64) ([]AlertMerge, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT merged_id, kept_id, mark_id, identity, url_key, status, coalesce(audit_id, 0), merged_at
		FROM alert_merges WHERE kept_id = ? ORDER BY merged_id`, id)
	if err != nil {
		return nil, fmt.Errorf("reading alerts merged into %d: %w", id, err)
	}
	defer rows.Close()
	out := []AlertMerge{}
	for rows.Next() {
		var (
			m      AlertMerge
			status string
			at     int64
		)
		if err := rows.Scan(&m.MergedID, &m.KeptID, &m.MarkID, &m.Identity, &m.URLKey, &status, &m.AuditID, &at); err != nil {
			return nil, fmt.Errorf("reading alerts merged into %d: %w", id, err)
		}
		m.Status, m.MergedAt = domain.AlertStatus(status), fromMillis(at)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading alerts merged into %d: %w", id, err)
	}
	return out, nil
}

// AlertLineage returns alert id and the ids merged into it, id first: the
// alert ids whose captures, versions and audit entries make up its history.
func (db *DB) AlertLineage(ctx context.Context, id int64) ([]int64, error) {
	ms, err := db.MergedAlerts(ctx, id)
	if err != nil {
		return nil, err
	}
	out := []int64{id}
	for _, m := range ms {
		out = append(out, m.MergedID)
	}
	sort.Slice(out[1:], func(i, j int) bool { return out[1+i] < out[1+j] })
	return out, nil
}

// keptAlert returns the alert id was merged into, or id itself.
func keptAlert(ctx context.Context, q querier, id int64) (int64, error) {
	var kept int64
	err := q.QueryRowContext(ctx, "SELECT kept_id FROM alert_merges WHERE merged_id = ?", id).Scan(&kept)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return id, nil
	case err != nil:
		return 0, fmt.Errorf("reading merges of alert %d: %w", id, err)
	}
	return kept, nil
}

// storedHitFP is the fingerprint of a hit as stored, NULL when its reasons
// do not decode (the next sighting then takes the slow path and sets it).
func storedHitFP(mark string, score float64, alert bool, reasons string) sql.NullInt64 {
	rs, err := decodeReasons(reasons)
	if err != nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: hitFP(mark, score, alert, rs), Valid: true}
}

// enqueueTx is enqueue for a plain transaction (the merge pass does not use
// the prepared statements).
func enqueueTx(ctx context.Context, tx *sql.Tx, op domain.OutboxOp, hitID int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, qEnqueue, string(op), hitID, toMillis(now)); err != nil {
		return fmt.Errorf("queueing hit %d for the index: %w", hitID, err)
	}
	return nil
}

// qMoveCaseLinks moves the case links of a merged alert (?2) to the kept
// one (?1); OR IGNORE skips a link whose case already cites the kept alert
// (dropped next).
const qMoveCaseLinks = `UPDATE OR IGNORE case_alerts SET alert_id = ?1 WHERE alert_id = ?2
				AND NOT EXISTS (SELECT 1 FROM case_alerts k JOIN cases c ON c.id = k.case_id
					WHERE k.alert_id = ?1 AND k.case_id <> case_alerts.case_id AND c.status <> 'closed')`

// qMoveCaseLinksPostgres is qMoveCaseLinks on PostgreSQL, which has no
// OR IGNORE: the skip is a condition.
const qMoveCaseLinksPostgres = `UPDATE case_alerts SET alert_id = $1 WHERE alert_id = $2
		AND NOT EXISTS (SELECT 1 FROM case_alerts d WHERE d.case_id = case_alerts.case_id AND d.alert_id = $1)
		AND NOT EXISTS (SELECT 1 FROM case_alerts k JOIN cases c ON c.id = k.case_id
			WHERE k.alert_id = $1 AND k.case_id <> case_alerts.case_id AND c.status <> 'closed')`
