package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// maxNoteRunes bounds review and claim notes: long enough for a reasoned
// decision, short enough that the audit log stays readable.
const maxNoteRunes = 2000

// AppendAudit records one change made outside the store's own writers (a
// sign-in, a source paused through the scheduler). A zero At is now.
func (db *DB) AppendAudit(ctx context.Context, e domain.AuditEntry) (domain.AuditEntry, error) {
	err := db.inTx(ctx, "appending audit entry "+e.Action, func(tx *sql.Tx) error {
		var err error
		e, err = db.appendAudit(ctx, tx, e)
		return err
	})
	if err != nil {
		return domain.AuditEntry{}, err
	}
	return e, nil
}

// appendAudit writes e inside the caller's transaction: a change and the
// record of it commit together or not at all.
func (db *DB) appendAudit(ctx context.Context, tx querier, e domain.AuditEntry) (domain.AuditEntry, error) {
	if strings.TrimSpace(e.Action) == "" {
		return e, domain.Errorf(domain.EINVALID, "audit entry has no action; name the kind of change (e.g. %s)", domain.AuditUserAdd)
	}
	for name, doc := range map[string]json.RawMessage{"before": e.Before, "after": e.After} {
		if len(doc) > 0 && !json.Valid(doc) {
			return e, domain.Errorf(domain.EINVALID, "audit entry %s: %s is not valid JSON", e.Action, name)
		}
	}
	if utf8.RuneCountInString(e.Note) > maxNoteRunes {
		return e, domain.Errorf(domain.EINVALID, "audit entry %s: note is longer than %d characters; shorten it", e.Action, maxNoteRunes)
	}
	if e.At.IsZero() {
		e.At = db.stamp()
	}
	e.At = e.At.UTC().Truncate(time.Millisecond)
	err := tx.QueryRowContext(ctx, `INSERT INTO audit_log
		(at, actor_user_id, actor_name, actor_role, actor_via, actor_remote_addr, action, object, mark_id, before, after, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		toMillis(e.At), e.Actor.UserID, e.Actor.Name, string(e.Actor.Role), e.Actor.Via, e.Actor.RemoteAddr,
		e.Action, e.Object, e.MarkID, string(e.Before), string(e.After), e.Note).Scan(&e.ID)
	if err != nil {
		return e, fmt.Errorf("writing audit entry %s %s: %w", e.Action, e.Object, err)
	}
	return e, nil
}

// auditDoc encodes v as an audit before/after document. Callers pass small
// maps or credential-free domain values, never a hash or secret.
func auditDoc(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		// Only maps of plain values reach here; a failure is a programming
		// error, recorded rather than failing the change.
		return json.RawMessage(`{"error":"unencodable"}`)
	}
	return b
}

const auditColumns = `id, at, actor_user_id, actor_name, actor_role, actor_via, actor_remote_addr,
	action, object, mark_id, before, after, note`

// ListAudit returns one page of audit entries, newest first, and how many
// match. A restricted scope sees only entries on its marks, so an owner can
// read what happened to its own alerts and claims and nothing else.
func (db *DB) ListAudit(ctx context.Context, f domain.AuditFilter) ([]domain.AuditEntry, int, error) {
	limit, err := pageLimit(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("listing audit entries: %w", err)
	}
	where, args := scopeConds(f.Scope, "mark_id", "")
	switch {
	case f.Action == "":
	case strings.HasSuffix(f.Action, "."):
		// A family ("subscription."): compare the prefix exactly rather
		// than with LIKE, whose wildcards an action name could contain.
		where = append(where, "substr(action, 1, ?) = ?")
		args = append(args, utf8.RuneCountInString(f.Action), f.Action)
	default:
		where = append(where, "action = ?")
		args = append(args, f.Action)
	}
	if f.Object != "" {
		where = append(where, "object = ?")
		args = append(args, f.Object)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM audit_log"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("listing audit entries: counting: %w", err)
	}
	rows, err := db.sql.QueryContext(ctx,
		"SELECT "+auditColumns+" FROM audit_log"+cond+" ORDER BY id DESC LIMIT ? OFFSET ?",
		append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("listing audit entries: %w", err)
	}
	defer rows.Close()
	out := []domain.AuditEntry{}
	for rows.Next() {
		var (
			e                   domain.AuditEntry
			at                  int64
			role, before, after string
		)
		if err := rows.Scan(&e.ID, &at, &e.Actor.UserID, &e.Actor.Name, &role, &e.Actor.Via, &e.Actor.RemoteAddr,
			&e.Action, &e.Object, &e.MarkID, &before, &after, &e.Note); err != nil {
			return nil, 0, fmt.Errorf("listing audit entries: %w", err)
		}
		e.At, e.Actor.Role = fromMillis(at), domain.Role(role)
		if before != "" {
			e.Before = json.RawMessage(before)
		}
		if after != "" {
			e.After = json.RawMessage(after)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("listing audit entries: %w", err)
	}
	return out, total, nil
}
