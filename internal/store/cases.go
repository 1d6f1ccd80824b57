package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// Bounds on what a case holds: a title reads in a list, notes hold an
// investigation's worth of text, and one case carries a seller's listings,
// not a marketplace's.
const (
	maxCaseTitleRunes    = 200
	maxCaseNotesRunes    = 20000
	maxCaseAlerts        = 500
	maxNoticePlatform    = 40
	maxNoticeAnswerRunes = maxNoteRunes
)

// caseZone is Asia/Shanghai, where case numbers take their year: a fixed
// UTC+8 (no daylight saving since 1991), which needs no tzdata.
var caseZone = time.FixedZone("CST", 8*60*60)

const caseColumns = `id, number, title, mark_id, jurisdiction, assignee, status, notes, created_by, created_at, updated_at`

func validCaseStatus(s domain.CaseStatus) bool {
	switch s {
	case domain.CaseOpen, domain.CaseInvestigating, domain.CaseNoticeSent, domain.CaseRemoved, domain.CaseClosed:
		return true
	}
	return false
}

// normaliseCase trims the free-text fields and checks their length.
func normaliseCase(c *domain.Case) error {
	c.Title, c.Assignee, c.Notes = strings.TrimSpace(c.Title), strings.TrimSpace(c.Assignee), strings.TrimSpace(c.Notes)
	c.Jurisdiction = strings.Join(strings.Fields(c.Jurisdiction), " ")
	switch {
	case utf8.RuneCountInString(c.Title) > maxCaseTitleRunes:
		return domain.Errorf(domain.EINVALID, "case title is longer than %d characters; shorten it", maxCaseTitleRunes)
	case utf8.RuneCountInString(c.Notes) > maxCaseNotesRunes:
		return domain.Errorf(domain.EINVALID, "case notes are longer than %d characters; shorten them", maxCaseNotesRunes)
	case utf8.RuneCountInString(c.Assignee) > maxNameRunes:
		return domain.Errorf(domain.EINVALID, "case assignee %q is longer than %d characters", c.Assignee, maxNameRunes)
	}
	return nil
}

// distinctIDs keeps the first of each id, in order.
func distinctIDs(ids []int64) []int64 {
	out := make([]int64, 0, len(ids))
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// checkCaseAlerts checks the alerts a case (caseID, 0 for a new one) is to
// hold: at least one, each existing and confirmed, all on one mark (mark,
// or the first alert's when mark is ""), none in another case that is not
// closed. It returns the ids without repeats and the mark.
func checkCaseAlerts(ctx context.Context, tx *sql.Tx, caseID int64, mark string, ids []int64) ([]int64, string, error) {
	ids = distinctIDs(ids)
	switch {
	case len(ids) == 0:
		return nil, "", domain.Errorf(domain.EINVALID, "a case needs at least one confirmed alert")
	case len(ids) > maxCaseAlerts:
		return nil, "", domain.Errorf(domain.EINVALID, "a case holds at most %d alerts; this one would hold %d", maxCaseAlerts, len(ids))
	}
	for _, id := range ids {
		var am, status string
		err := tx.QueryRowContext(ctx, "SELECT mark_id, status FROM alerts WHERE id = ?", id).Scan(&am, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, "", domain.Errorf(domain.EINVALID, "alert %d does not exist", id)
		}
		if err != nil {
			return nil, "", fmt.Errorf("reading alert %d: %w", id, err)
		}
		if mark == "" {
			mark = am
		}
		if am != mark {
			return nil, "", domain.Errorf(domain.EINVALID, "alert %d is on mark %s, not %s; a case is about one mark", id, am, mark)
		}
		if status != string(domain.AlertConfirmed) {
			return nil, "", domain.Errorf(domain.EINVALID, "alert %d is %s, not confirmed; confirm it before adding it to a case", id, status)
		}
		var number string
		err = tx.QueryRowContext(ctx, `SELECT c.number FROM case_alerts ca JOIN cases c ON c.id = ca.case_id
			WHERE ca.alert_id = ? AND c.status != 'closed' AND c.id != ? ORDER BY c.id LIMIT 1`, id, caseID).Scan(&number)
		if err == nil {
			return nil, "", domain.Errorf(domain.ECONFLICT, "alert %d is already in open case %s", id, number)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, "", fmt.Errorf("checking cases of alert %d: %w", id, err)
		}
	}
	return ids, mark, nil
}

func writeCaseAlerts(ctx context.Context, tx *sql.Tx, caseID int64, ids []int64) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM case_alerts WHERE case_id = ?", caseID); err != nil {
		return fmt.Errorf("replacing alerts: %w", err)
	}
	for i, id := range ids {
		if _, err := tx.ExecContext(ctx, "INSERT INTO case_alerts (case_id, alert_id, position) VALUES (?, ?, ?)", caseID, id, i); err != nil {
			return fmt.Errorf("adding alert %d: %w", id, err)
		}
	}
	return nil
}

// CreateCase opens a case on c.AlertIDs, which must be confirmed alerts on
// one mark (c.MarkID, or theirs when empty) and in no other case that is
// not closed (domain.ECONFLICT naming that case), and records case.create.
// The number is MW-<year>-<seq>: the year of creation in Asia/Shanghai and
// the next sequence number of that year, four digits. Status is open.
func (db *DB) CreateCase(ctx context.Context, c domain.Case, actor domain.Actor) (domain.Case, error) {
	c.MarkID = strings.TrimSpace(c.MarkID)
	if err := normaliseCase(&c); err != nil {
		return domain.Case{}, fmt.Errorf("creating case: %w", err)
	}
	c.Status, c.CreatedBy = domain.CaseOpen, actor
	c.CreatedAt = db.stamp()
	c.UpdatedAt = c.CreatedAt
	err := db.inTx(ctx, "creating case", func(tx *sql.Tx) error {
		var err error
		if c.AlertIDs, c.MarkID, err = checkCaseAlerts(ctx, tx, 0, c.MarkID, c.AlertIDs); err != nil {
			return err
		}
		year := c.CreatedAt.In(caseZone).Year()
		var seq int
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) + 1 FROM cases WHERE year = ?", year).Scan(&seq); err != nil {
			return fmt.Errorf("numbering: %w", err)
		}
		c.Number = fmt.Sprintf("MW-%d-%04d", year, seq)
		err = tx.QueryRowContext(ctx, `INSERT INTO cases
			(number, year, seq, title, mark_id, jurisdiction, assignee, status, notes, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.Number, year, seq, c.Title, c.MarkID, c.Jurisdiction, c.Assignee, string(c.Status), c.Notes,
			string(auditDoc(c.CreatedBy)), toMillis(c.CreatedAt), toMillis(c.UpdatedAt)).Scan(&c.ID)
		if err != nil {
			return fmt.Errorf("inserting %s: %w", c.Number, err)
		}
		if err := writeCaseAlerts(ctx, tx, c.ID, c.AlertIDs); err != nil {
			return err
		}
		_, err = db.appendAudit(ctx, tx, domain.AuditEntry{
			Actor: actor, Action: domain.AuditCaseCreate, Object: caseObject(c.ID), MarkID: c.MarkID,
			After: auditDoc(c), Note: c.Number,
		})
		return err
	})
	if err != nil {
		return domain.Case{}, err
	}
	return c, nil
}

func caseObject(id int64) string { return fmt.Sprintf("case:%d", id) }

// GetCase returns one case with its alerts; a missing id is
// domain.ENOTFOUND. Scope is the caller's to check (an owner asking for a
// case on another owner's mark gets the same 404 as for a missing one).
func (db *DB) GetCase(ctx context.Context, id int64) (domain.Case, error) {
	c, err := getCase(ctx, db.sql, id)
	if err != nil {
		return domain.Case{}, err
	}
	return c, nil
}

// readQuerier is what getCase needs from *sql.DB and *sql.Tx alike.
type readQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func getCase(ctx context.Context, q readQuerier, id int64) (domain.Case, error) {
	c, err := scanCase(q.QueryRowContext(ctx, "SELECT "+caseColumns+" FROM cases WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Case{}, domain.Errorf(domain.ENOTFOUND, "case %d does not exist", id)
	}
	if err != nil {
		return domain.Case{}, fmt.Errorf("reading case %d: %w", id, err)
	}
	byCase, err := caseAlertIDs(ctx, q, []int64{id})
	if err != nil {
		return domain.Case{}, fmt.Errorf("reading case %d: %w", id, err)
	}
	c.AlertIDs = byCase[id]
	return c, nil
}

// caseAlertIDs maps each case to its alert ids in their order (an empty,
// non-nil list for a case without any).
func caseAlertIDs(ctx context.Context, q readQuerier, ids []int64) (map[int64][]int64, error) {
	out := make(map[int64][]int64, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
		out[id] = []int64{}
	}
	rows, err := q.QueryContext(ctx, "SELECT case_id, alert_id FROM case_alerts WHERE case_id IN ("+placeholders(len(ids))+
		") ORDER BY case_id, position", args...)
	if err != nil {
		return nil, fmt.Errorf("reading case alerts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c, a int64
		if err := rows.Scan(&c, &a); err != nil {
			return nil, fmt.Errorf("reading case alerts: %w", err)
		}
		out[c] = append(out[c], a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading case alerts: %w", err)
	}
	return out, nil
}

func scanCase(s scanner) (domain.Case, error) {
	var (
		c                domain.Case
		status, by       string
		created, updated int64
	)
	if err := s.Scan(&c.ID, &c.Number, &c.Title, &c.MarkID, &c.Jurisdiction, &c.Assignee, &status, &c.Notes, &by,
		&created, &updated); err != nil {
		return domain.Case{}, err
	}
	c.Status, c.CreatedAt, c.UpdatedAt = domain.CaseStatus(status), fromMillis(created), fromMillis(updated)
	if err := json.Unmarshal([]byte(by), &c.CreatedBy); err != nil {
		return domain.Case{}, fmt.Errorf("case %d: decoding creator: %w", c.ID, err)
	}
	return c, nil
}

// ListCases returns one page of cases, newest first, and how many match.
// A restricted scope sees cases on its marks; a jurisdiction sees cases
// whose jurisdiction lies in it (domain.LocationWithin, in SQL). Limit 0
// means DefaultPageSize.
func (db *DB) ListCases(ctx context.Context, f domain.CaseFilter) ([]domain.Case, int, error) {
	limit, err := pageLimit(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("listing cases: %w", err)
	}
	where, args := scopeConds(f.Scope, "mark_id", "jurisdiction")
	if f.Status != "" {
		if !validCaseStatus(f.Status) {
			return nil, 0, domain.Errorf(domain.EINVALID,
				"listing cases: status %q must be one of open, investigating, notice_sent, removed, closed", f.Status)
		}
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM cases"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("listing cases: counting: %w", err)
	}
	rows, err := db.sql.QueryContext(ctx, "SELECT "+caseColumns+" FROM cases"+cond+" ORDER BY id DESC LIMIT ? OFFSET ?",
		append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("listing cases: %w", err)
	}
	// scanAll closes rows before the alerts are read below.
	out, err := scanAll(rows, scanCase)
	if err != nil {
		return nil, 0, fmt.Errorf("listing cases: %w", err)
	}
	ids := make([]int64, len(out))
	for i, c := range out {
		ids[i] = c.ID
	}
	byCase, err := caseAlertIDs(ctx, db.sql, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("listing cases: %w", err)
	}
	for i := range out {
		out[i].AlertIDs = byCase[out[i].ID]
	}
	return out, total, nil
}

// caseFields is what UpdateCase changes, as its audit rows show it.
type caseFields struct {
	Status   domain.CaseStatus `json:"status"`
	Assignee string            `json:"assignee"`
	Title    string            `json:"title"`
	Notes    string            `json:"notes"`
}

func fieldsOf(c domain.Case) caseFields {
	return caseFields{Status: c.Status, Assignee: c.Assignee, Title: c.Title, Notes: c.Notes}
}

// UpdateCase sets a case's status, assignee, title and notes to c's (an
// empty Status keeps the status; whether a transition is allowed is
// package cases' to decide before) and records case.update with before and
// after. Reopening a closed case whose alerts are in another open case is
// domain.ECONFLICT. Nothing changed: nothing written. An unknown id is
// domain.ENOTFOUND.
func (db *DB) UpdateCase(ctx context.Context, c domain.Case, actor domain.Actor) (domain.Case, error) {
	if err := normaliseCase(&c); err != nil {
		return domain.Case{}, fmt.Errorf("updating case %d: %w", c.ID, err)
	}
	if c.Status != "" && !validCaseStatus(c.Status) {
		return domain.Case{}, domain.Errorf(domain.EINVALID,
			"updating case %d: status %q must be one of open, investigating, notice_sent, removed, closed", c.ID, c.Status)
	}
	var out domain.Case
	err := db.inTx(ctx, fmt.Sprintf("updating case %d", c.ID), func(tx *sql.Tx) error {
		old, err := getCase(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		out = old
		out.Title, out.Assignee, out.Notes = c.Title, c.Assignee, c.Notes
		if c.Status != "" {
			out.Status = c.Status
		}
		before, after := fieldsOf(old), fieldsOf(out)
		if before == after {
			return nil
		}
		if old.Status == domain.CaseClosed && out.Status != domain.CaseClosed {
			if err := checkReopen(ctx, tx, old); err != nil {
				return err
			}
		}
		out.UpdatedAt = db.stamp()
		_, err = tx.ExecContext(ctx, "UPDATE cases SET status = ?, assignee = ?, title = ?, notes = ?, updated_at = ? WHERE id = ?",
			string(out.Status), out.Assignee, out.Title, out.Notes, toMillis(out.UpdatedAt), out.ID)
		if err != nil {
			return fmt.Errorf("updating: %w", err)
		}
		_, err = db.appendAudit(ctx, tx, domain.AuditEntry{
			Actor: actor, Action: domain.AuditCaseUpdate, Object: caseObject(out.ID), MarkID: out.MarkID,
			Before: auditDoc(before), After: auditDoc(after), Note: out.Number,
		})
		return err
	})
	if err != nil {
		return domain.Case{}, err
	}
	return out, nil
}

// checkReopen refuses to reopen a case one of whose alerts has since gone
// into another open case. (Alerts that were confirmed then are not asked
// to be confirmed still: reopening continues the case as it was.)
func checkReopen(ctx context.Context, tx *sql.Tx, c domain.Case) error {
	for _, id := range c.AlertIDs {
		var number string
		err := tx.QueryRowContext(ctx, `SELECT c.number FROM case_alerts ca JOIN cases c ON c.id = ca.case_id
			WHERE ca.alert_id = ? AND c.status != 'closed' AND c.id != ? ORDER BY c.id LIMIT 1`, id, c.ID).Scan(&number)
		if err == nil {
			return domain.Errorf(domain.ECONFLICT, "cannot reopen %s: alert %d is in open case %s now", c.Number, id, number)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("checking cases of alert %d: %w", id, err)
		}
	}
	return nil
}

// SetCaseAlerts replaces a case's alerts (same rules as CreateCase: at
// least one, confirmed, on the case's mark, in no other open case) and
// records case.update with the alert ids before and after. A closed case
// is domain.ECONFLICT (reopen it first).
func (db *DB) SetCaseAlerts(ctx context.Context, id int64, alertIDs []int64, actor domain.Actor) (domain.Case, error) {
	var c domain.Case
	err := db.inTx(ctx, fmt.Sprintf("setting the alerts of case %d", id), func(tx *sql.Tx) error {
		var err error
		if c, err = getCase(ctx, tx, id); err != nil {
			return err
		}
		if c.Status == domain.CaseClosed {
			return domain.Errorf(domain.ECONFLICT, "case %s is closed; reopen it before changing its alerts", c.Number)
		}
		ids, _, err := checkCaseAlerts(ctx, tx, id, c.MarkID, alertIDs)
		if err != nil {
			return err
		}
		if slices.Equal(ids, c.AlertIDs) {
			return nil
		}
		if err := writeCaseAlerts(ctx, tx, id, ids); err != nil {
			return err
		}
		before := c.AlertIDs
		c.AlertIDs, c.UpdatedAt = ids, db.stamp()
		if _, err := tx.ExecContext(ctx, "UPDATE cases SET updated_at = ? WHERE id = ?", toMillis(c.UpdatedAt), id); err != nil {
			return fmt.Errorf("updating: %w", err)
		}
		_, err = db.appendAudit(ctx, tx, domain.AuditEntry{
			Actor: actor, Action: domain.AuditCaseUpdate, Object: caseObject(id), MarkID: c.MarkID,
			Before: auditDoc(map[string][]int64{"alert_ids": before}),
			After:  auditDoc(map[string][]int64{"alert_ids": ids}),
			Note:   c.Number,
		})
		return err
	})
	if err != nil {
		return domain.Case{}, err
	}
	return c, nil
}

// SuggestCaseAlerts returns confirmed alerts on the case's mark from the
// sellers of the case's alerts that are in no case yet, newest first (at
// most MaxPageSize). An unknown case is domain.ENOTFOUND.
func (db *DB) SuggestCaseAlerts(ctx context.Context, id int64) ([]domain.Alert, error) {
	c, err := getCase(ctx, db.sql, id)
	if err != nil {
		return nil, err
	}
	rows, err := db.sql.QueryContext(ctx, "SELECT "+alertColumns+` FROM alerts a
		WHERE a.mark_id = ? AND a.status = 'confirmed' AND a.seller != ''
		AND a.seller IN (SELECT s.seller FROM case_alerts ca JOIN alerts s ON s.id = ca.alert_id WHERE ca.case_id = ?)
		AND NOT EXISTS (SELECT 1 FROM case_alerts x WHERE x.alert_id = a.id)
		AND a.id NOT IN (SELECT merged_id FROM alert_merges)
		ORDER BY a.first_seen DESC, a.id DESC LIMIT ?`, c.MarkID, id, MaxPageSize)
	if err != nil {
		return nil, fmt.Errorf("suggesting alerts for case %d: %w", id, err)
	}
	out, err := scanAll(rows, scanAlert)
	if err != nil {
		return nil, fmt.Errorf("suggesting alerts for case %d: %w", id, err)
	}
	return out, nil
}

const noticeColumns = "id, case_id, platform, generated_at, sent_at, answered_at, answer"

func scanNotice(s scanner) (domain.Notice, error) {
	var (
		n              domain.Notice
		generated      int64
		sent, answered sql.NullInt64
	)
	if err := s.Scan(&n.ID, &n.CaseID, &n.Platform, &generated, &sent, &answered, &n.Answer); err != nil {
		return domain.Notice{}, err
	}
	n.GeneratedAt, n.SentAt, n.AnsweredAt = fromMillis(generated), fromNullMillis(sent), fromNullMillis(answered)
	return n, nil
}

func truncMillis(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Millisecond)
	return &u
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// CreateNotice records a notice generated for a case (case.notice in the
// audit log, the case's updated_at moves). A zero GeneratedAt is now; an
// unknown case is domain.ENOTFOUND.
func (db *DB) CreateNotice(ctx context.Context, n domain.Notice, actor domain.Actor) (domain.Notice, error) {
	n.Platform = strings.TrimSpace(n.Platform)
	n.Answer = strings.TrimSpace(n.Answer)
	switch {
	case n.Platform == "":
		return domain.Notice{}, domain.Errorf(domain.EINVALID, "creating a notice for case %d: platform is empty (alibaba, jd, pinduoduo)", n.CaseID)
	case utf8.RuneCountInString(n.Platform) > maxNoticePlatform:
		return domain.Notice{}, domain.Errorf(domain.EINVALID, "creating a notice for case %d: platform name is longer than %d characters", n.CaseID, maxNoticePlatform)
	case utf8.RuneCountInString(n.Answer) > maxNoticeAnswerRunes:
		return domain.Notice{}, domain.Errorf(domain.EINVALID, "creating a notice for case %d: answer is longer than %d characters", n.CaseID, maxNoticeAnswerRunes)
	}
	if n.GeneratedAt.IsZero() {
		n.GeneratedAt = db.stamp()
	}
	n.GeneratedAt = n.GeneratedAt.UTC().Truncate(time.Millisecond)
	n.SentAt, n.AnsweredAt = truncMillis(n.SentAt), truncMillis(n.AnsweredAt)
	err := db.inTx(ctx, fmt.Sprintf("creating a notice for case %d", n.CaseID), func(tx *sql.Tx) error {
		c, err := getCase(ctx, tx, n.CaseID)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO notices (case_id, platform, generated_at, sent_at, answered_at, answer)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, n.CaseID, n.Platform, toMillis(n.GeneratedAt),
			nullMillis(n.SentAt), nullMillis(n.AnsweredAt), n.Answer).Scan(&n.ID)
		if err != nil {
			return fmt.Errorf("inserting: %w", err)
		}
		return db.noticeAudit(ctx, tx, c, nil, &n, actor)
	})
	if err != nil {
		return domain.Notice{}, err
	}
	return n, nil
}

// noticeAudit writes case.notice for a notice created (before nil) or
// updated, and moves the case's updated_at.
func (db *DB) noticeAudit(ctx context.Context, tx *sql.Tx, c domain.Case, before, after *domain.Notice, actor domain.Actor) error {
	if _, err := tx.ExecContext(ctx, "UPDATE cases SET updated_at = ? WHERE id = ?", toMillis(db.stamp()), c.ID); err != nil {
		return fmt.Errorf("updating case: %w", err)
	}
	e := domain.AuditEntry{
		Actor: actor, Action: domain.AuditCaseNotice, Object: caseObject(c.ID), MarkID: c.MarkID,
		After: auditDoc(after), Note: fmt.Sprintf("%s notice %d (%s)", c.Number, after.ID, after.Platform),
	}
	if before != nil {
		e.Before = auditDoc(before)
	}
	_, err := db.appendAudit(ctx, tx, e)
	return err
}

// UpdateNotice records what became of a notice: SentAt, AnsweredAt and
// Answer are set to n's (platform and generation time never change), with
// case.notice in the audit log. An unknown id is domain.ENOTFOUND; a
// CaseID other than the notice's is domain.EINVALID. Nothing changed:
// nothing written.
func (db *DB) UpdateNotice(ctx context.Context, n domain.Notice, actor domain.Actor) (domain.Notice, error) {
	n.Answer = strings.TrimSpace(n.Answer)
	if utf8.RuneCountInString(n.Answer) > maxNoticeAnswerRunes {
		return domain.Notice{}, domain.Errorf(domain.EINVALID, "updating notice %d: answer is longer than %d characters", n.ID, maxNoticeAnswerRunes)
	}
	sent, answered := truncMillis(n.SentAt), truncMillis(n.AnsweredAt)
	var out domain.Notice
	err := db.inTx(ctx, fmt.Sprintf("updating notice %d", n.ID), func(tx *sql.Tx) error {
		old, err := scanNotice(tx.QueryRowContext(ctx, "SELECT "+noticeColumns+" FROM notices WHERE id = ?", n.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "notice %d does not exist", n.ID)
		}
		if err != nil {
			return fmt.Errorf("reading: %w", err)
		}
		if n.CaseID != 0 && n.CaseID != old.CaseID {
			return domain.Errorf(domain.EINVALID, "notice %d belongs to case %d, not %d", n.ID, old.CaseID, n.CaseID)
		}
		out = old
		out.SentAt, out.AnsweredAt, out.Answer = sent, answered, n.Answer
		if sameTime(old.SentAt, out.SentAt) && sameTime(old.AnsweredAt, out.AnsweredAt) && old.Answer == out.Answer {
			return nil
		}
		c, err := getCase(ctx, tx, old.CaseID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE notices SET sent_at = ?, answered_at = ?, answer = ? WHERE id = ?",
			nullMillis(out.SentAt), nullMillis(out.AnsweredAt), out.Answer, out.ID)
		if err != nil {
			return fmt.Errorf("updating: %w", err)
		}
		return db.noticeAudit(ctx, tx, c, &old, &out, actor)
	})
	if err != nil {
		return domain.Notice{}, err
	}
	return out, nil
}

// ListNotices returns a case's notices, oldest first (none for an unknown
// case: callers check the case and its scope with GetCase).
func (db *DB) ListNotices(ctx context.Context, caseID int64) ([]domain.Notice, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT "+noticeColumns+" FROM notices WHERE case_id = ? ORDER BY id", caseID)
	if err != nil {
		return nil, fmt.Errorf("listing notices of case %d: %w", caseID, err)
	}
	out, err := scanAll(rows, scanNotice)
	if err != nil {
		return nil, fmt.Errorf("listing notices of case %d: %w", caseID, err)
	}
	return out, nil
}
