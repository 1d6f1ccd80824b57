package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// ListingEvidence is what the pipeline kept of a listing before saving it:
// the page's fetch (its Body is already an artefact and is not stored
// here) and the artefacts, already durable in the evidence store
// (docs/EVIDENCE.md, "Durability rule"). Screenshot asks for a screenshot
// job with a new alert.
type ListingEvidence struct {
	Fetch      domain.Fetch
	Artefacts  []domain.ArtefactRef
	Screenshot bool
}

// maxArtefacts bounds the artefacts of one capture; a page, a detail page,
// an image, a screenshot and a snapshot are five.
const maxArtefacts = 64

// validateEvidence checks what SaveListings would write as a capture, so a
// malformed reference fails before the transaction rather than inside it.
func validateEvidence(ev *ListingEvidence) error {
	if ev == nil {
		return nil
	}
	return validateArtefacts(ev.Artefacts)
}

func validateArtefacts(as []domain.ArtefactRef) error {
	if len(as) > maxArtefacts {
		return domain.Errorf(domain.EINVALID, "capture has %d artefacts, more than %d", len(as), maxArtefacts)
	}
	for i, a := range as {
		if strings.TrimSpace(a.Role) == "" {
			return domain.Errorf(domain.EINVALID, "artefact %d (%s) has no role; name it (%s, %s, …)", i, a.SHA256, domain.RoleSearchPage, domain.RoleImage)
		}
		if !isSHA256Hex(a.SHA256) {
			return domain.Errorf(domain.EINVALID, "artefact %d (%s): sha256 %q is not 64 lowercase hex digits", i, a.Role, a.SHA256)
		}
		if a.Size < 0 {
			return domain.Errorf(domain.EINVALID, "artefact %d (%s): size %d is negative", i, a.SHA256, a.Size)
		}
	}
	return nil
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// newCapture is the capture of listing l for alert a at version, from the
// pipeline's evidence.
func (db *DB) newCapture(l domain.Listing, a domain.Alert, version int, ev *ListingEvidence, seen time.Time) domain.Capture {
	return domain.Capture{
		AlertID: a.ID, Version: version, SourceID: l.SourceID, MarkID: a.MarkID, ListingURL: l.URL,
		Fetch: ev.Fetch, Artefacts: ev.Artefacts, MarkwatchVersion: db.version, CapturedAt: seen,
	}
}

// appendCaptureTx writes c as the next leaf of the evidence log inside the
// caller's transaction: log_index is one past the largest (dense from 0;
// the transaction holds the one write lock, so no other writer can take the
// same index), the record hash is computed over c with ID, RecordHash and
// LogIndex zero, and the artefact rows are written (once per sha). c must
// be complete (alert, version, mark); callers check it against the alert.
func (db *DB) appendCaptureTx(ctx context.Context, tx querier, c domain.Capture) (domain.Capture, error) {
	if db.recordHash == nil {
		return c, domain.Errorf(domain.EINVALID, "appending capture for alert %d: the store was opened without Options.RecordHash", c.AlertID)
	}
	if err := validateArtefacts(c.Artefacts); err != nil {
		return c, fmt.Errorf("appending capture for alert %d: %w", c.AlertID, err)
	}
	c.ID, c.RecordHash, c.LogIndex = 0, "", 0
	if c.CapturedAt.IsZero() {
		c.CapturedAt = db.stamp()
	}
	c.CapturedAt = c.CapturedAt.UTC()
	if c.MarkwatchVersion == "" {
		c.MarkwatchVersion = db.version
	}
	c.Fetch = storableFetch(c.Fetch)
	// A copy: the caller's slice is shared by the captures of a batch.
	refs := make([]domain.ArtefactRef, len(c.Artefacts))
	for i, a := range c.Artefacts {
		a.Role, a.MediaType = storable(a.Role), storable(a.MediaType)
		refs[i] = a
	}
	c.Artefacts = refs
	fetch, err := json.Marshal(c.Fetch)
	if err != nil {
		return c, fmt.Errorf("appending capture for alert %d: encoding fetch: %w", c.AlertID, err)
	}
	arts, err := json.Marshal(c.Artefacts)
	if err != nil {
		return c, fmt.Errorf("appending capture for alert %d: encoding artefacts: %w", c.AlertID, err)
	}
	// Hash exactly what a read will return, so Verify recomputes the same
	// hash from the row whatever JSON made of the input.
	c.Fetch, c.Artefacts = domain.Fetch{}, nil
	if err := json.Unmarshal(fetch, &c.Fetch); err != nil {
		return c, fmt.Errorf("appending capture for alert %d: decoding fetch: %w", c.AlertID, err)
	}
	if !c.Fetch.FetchedAt.IsZero() {
		c.Fetch.FetchedAt = c.Fetch.FetchedAt.UTC()
	}
	if err := json.Unmarshal(arts, &c.Artefacts); err != nil {
		return c, fmt.Errorf("appending capture for alert %d: decoding artefacts: %w", c.AlertID, err)
	}
	hash, err := callRecordHash(db.recordHash, c)
	if err != nil {
		return c, err
	}
	if !isSHA256Hex(hash) {
		return c, domain.Errorf(domain.EINTERNAL, "appending capture for alert %d: record hash %q is not 64 lowercase hex digits", c.AlertID, hash)
	}
	var next int64
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(log_index) + 1, 0) FROM captures").Scan(&next); err != nil {
		return c, fmt.Errorf("appending capture for alert %d: reading log size: %w", c.AlertID, err)
	}
	if db.logIndexHook != nil {
		next = db.logIndexHook(next)
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO captures
		(alert_id, version, source_id, mark_id, listing_url, fetch, artefacts, markwatch_version, captured_at_ns, record_hash, log_index)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.AlertID, c.Version, c.SourceID, c.MarkID, c.ListingURL, string(fetch), string(arts), c.MarkwatchVersion,
		c.CapturedAt.UnixNano(), hash, next).Scan(&c.ID)
	if err != nil {
		return c, fmt.Errorf("appending capture for alert %d at log index %d: %w", c.AlertID, next, err)
	}
	now := toMillis(db.stamp())
	for _, a := range c.Artefacts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO artefacts (sha256, size, media_type, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (sha256) DO NOTHING`, a.SHA256, a.Size, a.MediaType, now); err != nil {
			return c, fmt.Errorf("recording artefact %s of capture %d: %w", a.SHA256, c.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO capture_artefacts (capture_id, sha256, role) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, c.ID, a.SHA256, a.Role); err != nil {
			return c, fmt.Errorf("recording artefact %s of capture %d: %w", a.SHA256, c.ID, err)
		}
	}
	c.RecordHash, c.LogIndex = hash, next
	return c, nil
}

// invalidUTF8Prefix marks a string that was not valid UTF-8 (a header in
// GBK, say), kept as base64 of its bytes: JSON would replace the bytes
// with U+FFFD and lose them, and the record hash would not recompute.
const invalidUTF8Prefix = "invalid_utf8_base64:"

func storable(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return invalidUTF8Prefix + base64.StdEncoding.EncodeToString([]byte(s))
}

// storableFetch is f as a capture row keeps it: no body (an artefact),
// UTC, every string valid UTF-8.
func storableFetch(f domain.Fetch) domain.Fetch {
	f.Body = nil
	if !f.FetchedAt.IsZero() {
		f.FetchedAt = f.FetchedAt.UTC()
	}
	f.RequestURL, f.FinalURL, f.UserAgent, f.RemoteAddr = storable(f.RequestURL), storable(f.FinalURL), storable(f.UserAgent), storable(f.RemoteAddr)
	if f.Headers != nil {
		h := make(map[string][]string, len(f.Headers))
		for k, vs := range f.Headers {
			var out []string
			if vs != nil {
				out = make([]string, len(vs))
				for i, v := range vs {
					out[i] = storable(v)
				}
			}
			h[storable(k)] = out
		}
		f.Headers = h
	}
	return f
}

// callRecordHash turns a panicking hash function into an error, for the
// reason callRouter does: a panic inside the transaction would leave the one
// write connection stuck in it.
func callRecordHash(f func(domain.Capture) string, c domain.Capture) (h string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = domain.Errorf(domain.EINTERNAL, "hashing capture of alert %d: record hash panicked: %v", c.AlertID, r)
		}
	}()
	return f(c), nil
}

// AppendCapture appends a capture made outside a crawl (capture jobs,
// rechecks) to the evidence log and returns it with its id, record hash and
// log index. The alert must exist (domain.ENOTFOUND); SourceID, MarkID and
// ListingURL default to the alert's, and a MarkID of another mark is
// domain.EINVALID. Version 0 means the alert's latest listing version; a
// zero CapturedAt is now.
func (db *DB) AppendCapture(ctx context.Context, c domain.Capture) (domain.Capture, error) {
	err := db.inTx(ctx, fmt.Sprintf("appending capture for alert %d", c.AlertID), func(tx *sql.Tx) error {
		var err error
		if c, err = db.completeCapture(ctx, tx, c, 0); err != nil {
			return err
		}
		c, err = db.appendCaptureTx(ctx, tx, c)
		return err
	})
	if err != nil {
		return domain.Capture{}, err
	}
	return c, nil
}

// completeCapture fills c from its alert and checks it belongs there. A
// version other than 0 must exist, or be latest+1 when next says so (a
// version about to be written in the same transaction).
func (db *DB) completeCapture(ctx context.Context, tx querier, c domain.Capture, next int) (domain.Capture, error) {
	if db.recordHash == nil {
		return c, domain.Errorf(domain.EINVALID, "the store was opened without Options.RecordHash; it cannot hash captures")
	}
	var mark, source, url string
	var latest int
	err := tx.QueryRowContext(ctx, `SELECT a.mark_id, a.source_id, a.url,
		coalesce((SELECT max(version) FROM listing_versions WHERE alert_id = a.id), 0)
		FROM alerts a WHERE a.id = ?`, c.AlertID).Scan(&mark, &source, &url, &latest)
	if errors.Is(err, sql.ErrNoRows) {
		return c, domain.Errorf(domain.ENOTFOUND, "alert %d does not exist", c.AlertID)
	}
	if err != nil {
		return c, fmt.Errorf("reading alert %d: %w", c.AlertID, err)
	}
	if c.MarkID == "" {
		c.MarkID = mark
	}
	if c.MarkID != mark {
		return c, domain.Errorf(domain.EINVALID, "capture names mark %s but alert %d is on mark %s", c.MarkID, c.AlertID, mark)
	}
	if c.SourceID == "" {
		c.SourceID = source
	}
	if c.ListingURL == "" {
		c.ListingURL = url
	}
	switch {
	case next > 0:
		c.Version = next
	case c.Version == 0:
		c.Version = max(latest, 1)
	case c.Version < 0 || c.Version > max(latest, 1):
		return c, domain.Errorf(domain.EINVALID, "capture for alert %d names version %d; the alert has versions 1 to %d", c.AlertID, c.Version, max(latest, 1))
	}
	return c, nil
}

const captureColumns = `id, alert_id, version, source_id, mark_id, listing_url, fetch, artefacts, markwatch_version,
	captured_at_ns, record_hash, log_index`

func scanCapture(s scanner) (domain.Capture, error) {
	var (
		c           domain.Capture
		fetch, arts string
		at          int64
	)
	if err := s.Scan(&c.ID, &c.AlertID, &c.Version, &c.SourceID, &c.MarkID, &c.ListingURL, &fetch, &arts,
		&c.MarkwatchVersion, &at, &c.RecordHash, &c.LogIndex); err != nil {
		return domain.Capture{}, err
	}
	c.CapturedAt = time.Unix(0, at).UTC()
	if err := json.Unmarshal([]byte(fetch), &c.Fetch); err != nil {
		return domain.Capture{}, fmt.Errorf("capture %d: decoding fetch: %w", c.ID, err)
	}
	if !c.Fetch.FetchedAt.IsZero() {
		c.Fetch.FetchedAt = c.Fetch.FetchedAt.UTC()
	}
	if err := json.Unmarshal([]byte(arts), &c.Artefacts); err != nil {
		return domain.Capture{}, fmt.Errorf("capture %d: decoding artefacts: %w", c.ID, err)
	}
	if c.Artefacts == nil {
		c.Artefacts = []domain.ArtefactRef{}
	}
	return c, nil
}

// CapturesOf returns an alert's captures in log order (none for an alert
// without captures or one that does not exist: callers check the alert,
// and its scope, with GetAlert).
func (db *DB) CapturesOf(ctx context.Context, alertID int64) ([]domain.Capture, error) {
	return db.queryCaptures(ctx, fmt.Sprintf("reading captures of alert %d", alertID),
		"SELECT "+captureColumns+" FROM captures WHERE alert_id = ? ORDER BY log_index", alertID)
}

// CapturesWithArtefact returns the captures that hold the artefact sha, in
// log order, so the API can serve it only to a principal who may see one
// of them.
func (db *DB) CapturesWithArtefact(ctx context.Context, sha string) ([]domain.Capture, error) {
	return db.queryCaptures(ctx, "reading captures of artefact "+sha,
		"SELECT "+captureColumns+` FROM captures WHERE id IN (SELECT capture_id FROM capture_artefacts WHERE sha256 = ?)
		ORDER BY log_index`, strings.ToLower(sha))
}

// ArtefactAlerts returns the alerts one of whose captures holds the
// artefact sha (hex, either case), by id, so the API serves an artefact
// only to a principal who may see one of them; none for an artefact no
// capture holds (kept, then its transaction rolled back): nobody may
// download it.
func (db *DB) ArtefactAlerts(ctx context.Context, sha string) ([]domain.Alert, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT "+alertColumns+` FROM alerts WHERE id IN
		(SELECT c.alert_id FROM capture_artefacts ca JOIN captures c ON c.id = ca.capture_id WHERE ca.sha256 = ?)
		ORDER BY id`, strings.ToLower(sha))
	if err != nil {
		return nil, fmt.Errorf("reading alerts of artefact %.12s: %w", sha, err)
	}
	out, err := scanAll(rows, scanAlert)
	if err != nil {
		return nil, fmt.Errorf("reading alerts of artefact %.12s: %w", sha, err)
	}
	return out, nil
}

func (db *DB) queryCaptures(ctx context.Context, what, q string, args ...any) ([]domain.Capture, error) {
	out := []domain.Capture{}
	err := db.eachCapture(ctx, q, args, func(c domain.Capture) error {
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// eachCapturePage is how many captures EachCapture reads at a time (a
// variable for tests).
var eachCapturePage = 500

// EachCapture calls fn for every capture in log order, stopping at the
// first error fn returns (which EachCapture returns as it is). It reads in
// pages, so fn may take its time without holding one read open over the
// whole log.
func (db *DB) EachCapture(ctx context.Context, fn func(domain.Capture) error) error {
	page := eachCapturePage
	after := int64(-1)
	for {
		var batch []domain.Capture
		err := db.eachCapture(ctx, "SELECT "+captureColumns+" FROM captures WHERE log_index > ? ORDER BY log_index LIMIT ?",
			[]any{after, page}, func(c domain.Capture) error {
				batch = append(batch, c)
				return nil
			})
		if err != nil {
			return fmt.Errorf("reading captures: %w", err)
		}
		for _, c := range batch {
			if err := fn(c); err != nil {
				return err
			}
			after = c.LogIndex
		}
		if len(batch) < page {
			return nil
		}
	}
}

func (db *DB) eachCapture(ctx context.Context, q string, args []any, fn func(domain.Capture) error) error {
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCapture(rows)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// LogSize is the number of leaves in the evidence log.
func (db *DB) LogSize(ctx context.Context) (int64, error) {
	var n int64
	if err := db.sql.QueryRowContext(ctx, "SELECT coalesce(max(log_index) + 1, 0) FROM captures").Scan(&n); err != nil {
		return 0, fmt.Errorf("reading evidence log size: %w", err)
	}
	return n, nil
}

// LogLeaves returns the first size leaves of the evidence log: the record
// hashes (decoded bytes) by log_index. A size beyond the log is
// domain.EINVALID, as is a gap (which the store never writes).
func (db *DB) LogLeaves(ctx context.Context, size int64) ([][]byte, error) {
	if size < 0 {
		return nil, domain.Errorf(domain.EINVALID, "reading evidence log leaves: size %d is negative", size)
	}
	rows, err := db.sql.QueryContext(ctx, "SELECT log_index, record_hash FROM captures WHERE log_index < ? ORDER BY log_index", size)
	if err != nil {
		return nil, fmt.Errorf("reading evidence log leaves: %w", err)
	}
	defer rows.Close()
	out := make([][]byte, 0, min(size, 1<<16))
	for rows.Next() {
		var (
			i int64
			h string
		)
		if err := rows.Scan(&i, &h); err != nil {
			return nil, fmt.Errorf("reading evidence log leaves: %w", err)
		}
		if i != int64(len(out)) {
			return nil, domain.Errorf(domain.EINTERNAL, "evidence log has a gap: leaf %d follows leaf %d", i, len(out)-1)
		}
		b, err := hex.DecodeString(h)
		if err != nil {
			return nil, fmt.Errorf("reading evidence log leaf %d: %w", i, err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading evidence log leaves: %w", err)
	}
	if int64(len(out)) < size {
		return nil, domain.Errorf(domain.EINVALID, "reading evidence log leaves: asked for %d, the log has %d", size, len(out))
	}
	return out, nil
}
