package sqldialect

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pgExec runs a store statement, written for SQLite, on PostgreSQL through
// Postgres.
func pgExec(t *testing.T, conn *pgx.Conn, sqliteSQL string, args ...any) error {
	t.Helper()
	q, err := Postgres(sqliteSQL)
	if err != nil {
		t.Fatalf("translating %q: %v", sqliteSQL, err)
	}
	_, err = conn.Exec(context.Background(), q, args...)
	return err
}

func pgState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

const (
	qInsertUser     = "INSERT INTO users (name, role, created_at) VALUES (?, 'operator', ?) RETURNING id"
	qSelectUserName = "SELECT id FROM users WHERE name = ?" // users.go's lookups by name
)

// TestUserNamesIgnoreCaseInBoth: users.name is NOCASE in SQLite and under
// the ICU nocase collation in PostgreSQL, so a second account whose name
// differs only in case is refused, and a lookup by either spelling finds
// the account, with the store's statements unchanged. The collations
// differ beyond ASCII, which the cases pin down.
func TestUserNamesIgnoreCaseInBoth(t *testing.T) {
	cases := []struct {
		first, second    string
		sqlite, postgres bool // the second is the first's name
	}{
		{"Admin", "admin", true, true},
		{"ZHAO.Min", "zhao.min", true, true},
		{"张伟", "张伟", true, true},
		{"张伟", "张玮", false, false},
		{"李娜_Hebei", "李娜_HEBEI", true, true},
		{"admin", "admin ", false, false},
		// SQLite's NOCASE folds ASCII letters only; ICU folds every
		// script's case and full-width forms, which look the same in a log.
		{"Émile", "émile", false, true},
		{"ａｄｍｉｎ", "admin", false, true},
	}
	for _, c := range cases {
		t.Run(c.first+"/"+c.second, func(t *testing.T) {
			lite := migratedSQLite(t)
			pg := migratedPostgres(t)
			ctx := context.Background()

			var liteID, pgID int64
			if err := lite.QueryRow(qInsertUser, c.first, 1).Scan(&liteID); err != nil {
				t.Fatalf("sqlite: inserting %q: %v", c.first, err)
			}
			q, err := Postgres(qInsertUser)
			if err != nil {
				t.Fatal(err)
			}
			if err := pg.QueryRow(ctx, q, c.first, 1).Scan(&pgID); err != nil {
				t.Fatalf("postgresql: inserting %q: %v", c.first, err)
			}

			_, errLite := lite.Exec(qInsertUser, c.second, 2)
			if dup := errLite != nil && strings.Contains(errLite.Error(), "UNIQUE"); dup != c.sqlite || errLite != nil && !dup {
				t.Errorf("sqlite: inserting %q after %q: %v, want refused=%v", c.second, c.first, errLite, c.sqlite)
			}
			errPG := pgExec(t, pg, qInsertUser, c.second, 2)
			if dup := pgState(errPG) == "23505"; dup != c.postgres || errPG != nil && !dup {
				t.Errorf("postgresql: inserting %q after %q: %v, want refused=%v", c.second, c.first, errPG, c.postgres)
			}

			var got int64
			err = lite.QueryRow(qSelectUserName, c.second).Scan(&got)
			if found := err == nil && got == liteID; found != c.sqlite {
				t.Errorf("sqlite: looking up %q: id %d, %v; want the account %q found=%v", c.second, got, err, c.first, c.sqlite)
			}
			sel, err := Postgres(qSelectUserName)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := pg.Query(ctx, sel, c.second)
			if err != nil {
				t.Fatal(err)
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				t.Fatal(err)
			}
			if found := contains64(ids, pgID); found != c.postgres {
				t.Errorf("postgresql: looking up %q: ids %v; want the account %q (id %d) found=%v", c.second, ids, c.first, pgID, c.postgres)
			}
		})
	}
}

func contains64(list []int64, v int64) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// TestEvidenceIsAppendOnlyInPostgres: the SQLite triggers' refusals, with
// their messages, hold in PostgreSQL, TRUNCATE included, and a tree head
// takes its TSA stamp once.
func TestEvidenceIsAppendOnlyInPostgres(t *testing.T) {
	pg := migratedPostgres(t)
	lite := migratedSQLite(t)
	sha := strings.Repeat("ab", 32)
	setup := []string{
		"INSERT INTO sources (id, created_at) VALUES ('taobao', 1)",
		"INSERT INTO alerts (mark_id, url_key, source_id, title, score, first_seen, last_seen) VALUES ('hengshui-laobaigan', 'taobao:30', 'taobao', '衡水老白干 67度 500ml', 0.93, 1, 1)",
		"INSERT INTO artefacts (sha256, size, media_type, created_at) VALUES ('" + sha + "', 10, 'text/html', 1)",
		"INSERT INTO captures (alert_id, version, source_id, mark_id, fetch, record_hash, log_index, captured_at_ns) VALUES (1, 1, 'taobao', 'hengshui-laobaigan', '{}', '" + sha + "', 0, 1)",
		"INSERT INTO capture_artefacts (capture_id, sha256, role) VALUES (1, '" + sha + "', 'page')",
		"INSERT INTO listing_versions (alert_id, version, seen_at, title, price, available, removed, capture_id) VALUES (1, 1, 1, '衡水老白干 67度 500ml', 89.5, 1, 0, 1)",
		"INSERT INTO tree_heads (size, root_hash, created_at_ns, signature, key_id) VALUES (1, '" + sha + "', 1, 'c2ln', 'k1')",
	}
	for _, q := range setup {
		if _, err := lite.Exec(q); err != nil {
			t.Fatalf("sqlite: %s: %v", q, err)
		}
		if err := pgExec(t, pg, q); err != nil {
			t.Fatalf("postgresql: %s: %v", q, err)
		}
	}
	refused := []struct{ q, msg string }{
		{"UPDATE captures SET record_hash = '" + strings.Repeat("0", 64) + "'", "captures are append-only"},
		{"DELETE FROM captures", "captures are append-only"},
		{"UPDATE capture_artefacts SET role = 'image'", "captures are append-only"},
		{"DELETE FROM capture_artefacts", "captures are append-only"},
		{"UPDATE listing_versions SET price = 1", "listing versions are append-only"},
		{"DELETE FROM listing_versions", "listing versions are append-only"},
		{"UPDATE artefacts SET size = 0", "artefacts are content-addressed and never change"},
		{"UPDATE tree_heads SET root_hash = 'x'", "tree heads are append-only"},
		{"UPDATE tree_heads SET stamped_at = 1", "tree heads are append-only"},
		{"UPDATE tree_heads SET size = 2, tsa_token = x'01', stamped_at = 1", "tree heads are append-only"},
		{"UPDATE tree_heads SET tsa_token = x'', stamped_at = 1", "tree heads are append-only"},
		{"DELETE FROM tree_heads", "tree heads are append-only"},
	}
	for _, r := range refused {
		if _, err := lite.Exec(r.q); err == nil || !strings.Contains(err.Error(), r.msg) {
			t.Errorf("sqlite: %s: %v, want %q", r.q, err, r.msg)
		}
		err := pgExec(t, pg, r.q)
		if err == nil || !strings.Contains(err.Error(), r.msg) || pgState(err) != "23000" {
			t.Errorf("postgresql: %s: %v, want %q (SQLSTATE 23000)", r.q, err, r.msg)
		}
	}
	for _, table := range []string{"captures", "capture_artefacts", "listing_versions", "tree_heads"} {
		if _, err := pg.Exec(context.Background(), "TRUNCATE "+table+" CASCADE"); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("postgresql: TRUNCATE %s: %v, want the append-only refusal", table, err)
		}
	}
	// The one change allowed: an unstamped head gets its stamp, once.
	stamp := "UPDATE tree_heads SET tsa_token = ?, stamped_at = ? WHERE id = ?"
	if _, err := lite.Exec(stamp, []byte{0x30, 0x82}, 5, 1); err != nil {
		t.Fatalf("sqlite: stamping: %v", err)
	}
	if err := pgExec(t, pg, stamp, []byte{0x30, 0x82}, 5, 1); err != nil {
		t.Fatalf("postgresql: stamping: %v", err)
	}
	if _, err := lite.Exec(stamp, []byte{0x31}, 6, 1); err == nil {
		t.Error("sqlite: a second stamp was taken")
	}
	if err := pgExec(t, pg, stamp, []byte{0x31}, 6, 1); err == nil || !strings.Contains(err.Error(), "only an unstamped head may be stamped, once") {
		t.Errorf("postgresql: a second stamp: %v, want the refusal", err)
	}
	var n int
	if err := pg.QueryRow(context.Background(), "SELECT count(*) FROM captures").Scan(&n); err != nil || n != 1 {
		t.Errorf("postgresql: %d captures (%v), want 1", n, err)
	}
}

// qEnqueuePostgres is the PostgreSQL text of store's qEnqueue (INSERT OR
// REPLACE INTO index_outbox): the hit's row takes a new id, as SQLite's
// delete-and-insert gives it, so acknowledging the older id cannot drop
// the newer change.
const qEnqueuePostgres = `INSERT INTO index_outbox (op, hit_id, attempts, last_error, created_at) VALUES ($1, $2, 0, '', $3)
	ON CONFLICT (hit_id) DO UPDATE SET id = DEFAULT, op = excluded.op, attempts = 0, last_error = '', created_at = excluded.created_at
	RETURNING id`

// TestIdentityIDsAreNeverReused: AUTOINCREMENT's promise (index_outbox)
// holds for identity columns, for a replaced row and after the newest row
// is deleted; ids given explicitly, as migrate-store copies them, are
// taken.
func TestIdentityIDsAreNeverReused(t *testing.T) {
	pg := migratedPostgres(t)
	ctx := context.Background()
	enqueue := func(hit int64) int64 {
		t.Helper()
		var id int64
		if err := pg.QueryRow(ctx, qEnqueuePostgres, "upsert", hit, 1).Scan(&id); err != nil {
			t.Fatalf("enqueueing hit %d: %v", hit, err)
		}
		return id
	}
	a, b := enqueue(7), enqueue(8)
	a2 := enqueue(7)
	if a2 <= b {
		t.Errorf("re-enqueued hit 7 got id %d, want one after %d", a2, b)
	}
	if err := pgExec(t, pg, "DELETE FROM index_outbox WHERE id = ?", a2); err != nil {
		t.Fatal(err)
	}
	if c := enqueue(9); c <= a2 {
		t.Errorf("after deleting id %d the next row got %d, an id handed out before", a2, c)
	}
	var n int
	if err := pg.QueryRow(ctx, "SELECT count(*) FROM index_outbox WHERE id = $1", a).Scan(&n); err != nil || n != 0 {
		t.Errorf("the replaced row %d is still there (%d, %v)", a, n, err)
	}
	if err := pgExec(t, pg, "INSERT INTO sources (id, created_at) VALUES (?, ?)", "jd", 1); err != nil {
		t.Fatal(err)
	}
	if err := pgExec(t, pg, "INSERT INTO crawl_runs (id, source_id, status, started_at) VALUES (?, ?, 'running', ?)", 41, "jd", 1); err != nil {
		t.Errorf("an explicit id, as migrate-store copies it: %v", err)
	}
}

// TestDegradedNotificationCheck: 0006's CHECK, added by ALTER in
// PostgreSQL, refuses what SQLite's rebuilt table refuses.
func TestDegradedNotificationCheck(t *testing.T) {
	pg := migratedPostgres(t)
	lite := migratedSQLite(t)
	insert := `INSERT INTO notifications (user_id, event, alert_id, idempotency_key, due_at, next_attempt_at, created_at)
		VALUES (1, ?, ?, ?, 1, 1, 1)`
	for _, db := range []func(args ...any) error{
		func(args ...any) error { _, err := lite.Exec(insert, args...); return err },
		func(args ...any) error { return pgExec(t, pg, insert, args...) },
	} {
		if err := db("degraded", sql.NullInt64{}, "k0"); err == nil || !strings.Contains(strings.ToLower(err.Error()), "foreign key") {
			t.Errorf("a notification of a missing user: %v, want a foreign key refusal", err)
		}
	}
	for _, q := range []string{
		"INSERT INTO users (name, role, created_at) VALUES ('王芳', 'owner', 1)",
		"INSERT INTO sources (id, created_at) VALUES ('pdd', 1)",
		"INSERT INTO alerts (mark_id, url_key, source_id, title, score, first_seen, last_seen) VALUES ('zhaozhou-pear', 'pdd:1', 'pdd', '赵州雪花梨 5斤', 0.9, 1, 1)",
	} {
		if _, err := lite.Exec(q); err != nil {
			t.Fatal(err)
		}
		if err := pgExec(t, pg, q); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range []struct {
		event string
		alert sql.NullInt64
		ok    bool
	}{
		{"degraded", sql.NullInt64{}, true},
		{"degraded", sql.NullInt64{Int64: 1, Valid: true}, false},
		{"alert", sql.NullInt64{}, false},
		{"alert", sql.NullInt64{Int64: 1, Valid: true}, true},
		{"digest", sql.NullInt64{Int64: 1, Valid: true}, false},
	} {
		key := "k" + string(rune('a'+i))
		_, errLite := lite.Exec(insert, c.event, c.alert, key)
		errPG := pgExec(t, pg, insert, c.event, c.alert, key)
		if (errLite == nil) != c.ok || (errPG == nil) != c.ok {
			t.Errorf("event %s alert %v: sqlite %v, postgresql %v; want accepted=%v", c.event, c.alert, errLite, errPG, c.ok)
		}
	}
}
