package storecopy

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestCopyThenVerify(t *testing.T) {
	ctx := testContext(t)
	path := newSource(t, fixture{listings: 40, users: []string{"Zoë", "Émile"}})
	src, dst := openSourceDB(t, path), newTarget(t)

	var heard []Table
	rep, err := Copy(ctx, src, dst, func(tb Table) { heard = append(heard, tb) })
	if err != nil {
		t.Fatalf("Copy: %v", err)
	}
	if !slices.Equal(heard, rep.Tables) {
		t.Errorf("progress heard %v, the report has %v", heard, rep.Tables)
	}
	rows := map[string]int64{}
	pos := map[string]int{}
	for i, tb := range rep.Tables {
		rows[tb.Name], pos[tb.Name] = tb.Rows, i
		if n := count(t, dst, tb.Name); n != tb.Rows || count(t, src, tb.Name) != tb.Rows {
			t.Errorf("table %s: report %d rows, target %d", tb.Name, tb.Rows, n)
		}
		if len(tb.SHA256) != 64 {
			t.Errorf("table %s: SHA-256 %q", tb.Name, tb.SHA256)
		}
	}
	if _, ok := pos[migrationsTable]; ok {
		t.Errorf("schema_migrations was copied")
	}
	// What the fixture made, so an empty copy cannot pass.
	for table, want := range map[string]int64{"listings": 40, "hits": 40, "alerts": 20, "captures": 20, "users": 3,
		"api_tokens": 1, "sessions": 1, "tree_heads": 1, "sources": 1, "listing_versions": 20} {
		if rows[table] != want {
			t.Errorf("table %s: %d rows copied, want %d", table, rows[table], want)
		}
	}
	// Foreign-key order: a table after those it references.
	for _, pair := range [][2]string{{"sources", "listings"}, {"listings", "hits"}, {"hits", "alerts"}, {"alerts", "captures"},
		{"captures", "capture_artefacts"}, {"artefacts", "capture_artefacts"}, {"users", "api_tokens"}, {"sellers", "listings"}} {
		if pos[pair[0]] > pos[pair[1]] {
			t.Errorf("%s copied after %s, which references it", pair[0], pair[1])
		}
	}

	again, err := Verify(ctx, src, dst)
	if err != nil {
		t.Fatalf("Verify after Copy: %v", err)
	}
	if !slices.Equal(again.Tables, rep.Tables) {
		t.Errorf("Verify reports %v, Copy %v", again.Tables, rep.Tables)
	}

	// Ids and values survive: the look-alike's listing keeps its id and title.
	const q = "SELECT id, title, price FROM listings WHERE title LIKE '陆个核桃%' ORDER BY id LIMIT 1"
	var sid, did int64
	var stitle, dtitle string
	var sprice, dprice float64
	if err := src.QueryRow(q).Scan(&sid, &stitle, &sprice); err != nil {
		t.Fatal(err)
	}
	if err := dst.QueryRow(q).Scan(&did, &dtitle, &dprice); err != nil {
		t.Fatal(err)
	}
	if sid != did || stitle != dtitle || sprice != dprice {
		t.Errorf("first 陆个核桃 listing: source (%d, %s, %v), target (%d, %s, %v)", sid, stitle, sprice, did, dtitle, dprice)
	}

	// The sequences moved past the copied ids: new rows get fresh ones.
	for _, tc := range []struct{ table, insert string }{
		{"users", "INSERT INTO users (name, role, created_at) VALUES ('迁西板栗', 'operator', 1) RETURNING id"},
		{"listings", "INSERT INTO listings (source_id, url_key, title, first_seen) VALUES ('taobao', 'new', '衡水老白干', 1) RETURNING id"},
		{"audit_log", "INSERT INTO audit_log (at, action) VALUES (1, 'test') RETURNING id"},
	} {
		var maxID, id int64
		if err := src.QueryRow("SELECT max(id) FROM " + tc.table).Scan(&maxID); err != nil {
			t.Fatal(err)
		}
		if err := dst.QueryRow(tc.insert).Scan(&id); err != nil {
			t.Fatalf("inserting into %s after the copy: %v", tc.table, err)
		}
		if id != maxID+1 {
			t.Errorf("new %s row got id %d, want %d (after the copied max %d)", tc.table, id, maxID+1, maxID)
		}
	}
}

// A changed value, a missing or an extra row, a NULL turned ” and a float
// moved by one ulp are all caught, naming the table and where.
func TestVerifyCatchesTampering(t *testing.T) {
	ctx := testContext(t)
	path := newSource(t, fixture{listings: 12})
	src := openSourceDB(t, path)
	tests := []struct {
		name   string
		tamper string
		want   []string
	}{
		{"title of a look-alike", "UPDATE listings SET title = '六个核桃 核桃乳 整箱' WHERE id = 2",
			[]string{"table listings differs", "row id=integer 2, column title", "陆个核桃"}},
		{"a float by one ulp", "UPDATE hits SET score = " + floatText(math.Nextafter(0.93, 1)) + " WHERE id = 2",
			[]string{"table hits differs", "column score"}},
		{"NULL becomes empty text", "UPDATE crawl_runs SET health = '' WHERE id = 1",
			[]string{"table crawl_runs differs", "column health", "NULL"}},
		{"a missing row", "DELETE FROM index_outbox WHERE id = (SELECT max(id) FROM index_outbox)",
			[]string{"table index_outbox differs", "the target lacks the row"}},
		{"an extra row", "INSERT INTO sources (id, created_at) VALUES ('jd', 1)",
			[]string{"table sources differs", "the target has a row the source lacks", `id=text "jd"`}},
		{"a bool flag", "UPDATE users SET disabled = 1 WHERE id = 1",
			[]string{"table users differs", "column disabled"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := newTarget(t)
			if strings.Contains(tt.name, "NULL") {
				// The fixture has no run; give the source one with NULL health first.
				runSource(t, path)
			}
			if _, err := Copy(ctx, src, dst, nil); err != nil {
				t.Fatalf("Copy: %v", err)
			}
			if _, err := dst.ExecContext(ctx, tt.tamper); err != nil {
				t.Fatalf("tampering: %v", err)
			}
			_, err := Verify(ctx, src, dst)
			if err == nil {
				t.Fatalf("Verify passed a target after %s", tt.tamper)
			}
			if domain.ErrorCode(err) != domain.ECONFLICT {
				t.Errorf("error code %q, want conflict: %v", domain.ErrorCode(err), err)
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error does not say %q: %v", s, err)
				}
			}
			if strings.Count(err.Error(), "differs") != 1 {
				t.Errorf("one table changed, the error names others: %v", err)
			}
		})
	}
}

// runSource adds a crawl run with a NULL health to the installation at
// path, once.
func runSource(t *testing.T, path string) {
	t.Helper()
	editSource(t, path, `INSERT INTO crawl_runs (id, source_id, status, started_at) SELECT 1, 'taobao', 'running', 5
		WHERE NOT EXISTS (SELECT 1 FROM crawl_runs)`)
}

func floatText(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func TestCopyRefusesNonEmptyTarget(t *testing.T) {
	ctx := testContext(t)
	src := openSourceDB(t, newSource(t, fixture{listings: 4}))
	dst := newTarget(t)
	if _, err := dst.ExecContext(ctx, "INSERT INTO sources (id, created_at) VALUES ('jd', 1), ('pdd', 2)"); err != nil {
		t.Fatal(err)
	}
	_, err := Copy(ctx, src, dst, nil)
	if err == nil || !strings.Contains(err.Error(), "target is not empty: table sources has 2 rows") || domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("Copy into a target holding sources: %v", err)
	}
	if n := count(t, dst, "listings"); n != 0 {
		t.Errorf("the refused copy wrote %d listings", n)
	}
}

// SQLite's NOCASE folds ASCII only, so Émile and émile, Ｚoë and zoë, are
// two users there and one name in PostgreSQL; the copy names them and
// writes nothing.
func TestCopyRefusesNamesPostgresFolds(t *testing.T) {
	ctx := testContext(t)
	src := openSourceDB(t, newSource(t, fixture{listings: 2, users: []string{"Émile", "émile", "Ｚoë", "zoë", "Zoe"}}))
	dst := newTarget(t)
	_, err := Copy(ctx, src, dst, nil)
	if err == nil {
		t.Fatal("Copy took users PostgreSQL takes for one")
	}
	for _, s := range []string{`users.name "Émile" and "émile"`, `users.name "Ｚoë" and "zoë"`} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error does not name %s: %v", s, err)
		}
	}
	if strings.Contains(err.Error(), `"Zoe"`) {
		t.Errorf("Zoe differs from zoë by an accent, which the collation keeps: %v", err)
	}
	if n := count(t, dst, "users"); n != 0 {
		t.Errorf("the refused copy wrote %d users", n)
	}
}

func TestCopyRefusesAnotherSchema(t *testing.T) {
	ctx := testContext(t)
	path := newSource(t, fixture{listings: 2})
	src := openSourceDB(t, path)
	tests := []struct {
		name, alter string
		want        string
	}{
		{"a column the target lacks", "ALTER TABLE hits DROP COLUMN fp", "column hits.fp exists in the source only"},
		{"a column the source lacks", "ALTER TABLE listings ADD COLUMN shop_url TEXT", "column listings.shop_url exists in the target only"},
		{"a table the target lacks", "DROP TABLE identity_passes", "table identity_passes exists in the source only"},
		{"older migrations", "DELETE FROM schema_migrations WHERE version = 9", "the target's migrations differ from the source's"},
		{"a renamed migration", "UPDATE schema_migrations SET name = '0009_other.sql' WHERE version = 9", "9 0009_other.sql"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := newTarget(t)
			if _, err := dst.ExecContext(ctx, tt.alter); err != nil {
				t.Fatal(err)
			}
			for name, run := range map[string]func() error{
				"Copy":   func() error { _, err := Copy(ctx, src, dst, nil); return err },
				"Verify": func() error { _, err := Verify(ctx, src, dst); return err },
			} {
				err := run()
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%s: %v, want an error saying %q", name, err, tt.want)
				}
			}
			if n := count(t, dst, "listings"); n != 0 {
				t.Errorf("the refused copy wrote %d listings", n)
			}
		})
	}
	// A table only the target has (one only PostgreSQL needs) is left alone.
	t.Run("a table only the target has", func(t *testing.T) {
		dst := newTarget(t)
		if _, err := dst.ExecContext(ctx, "CREATE TABLE host_pacing (host TEXT PRIMARY KEY, next_at BIGINT NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		if _, err := Copy(ctx, src, dst, nil); err != nil {
			t.Fatalf("Copy: %v", err)
		}
	})
}

// Values SQLite holds that PostgreSQL cannot are refused naming table,
// column and row; a BLOB database/sql wrote into a TEXT column is copied as
// its text and verifies.
func TestCopyValues(t *testing.T) {
	ctx := testContext(t)
	tests := []struct {
		name, edit string
		want       []string // substrings of the error; none: the copy succeeds
	}{
		{"text with a NUL byte", "UPDATE listings SET title = '六个' || char(0) || '核桃' WHERE id = 1",
			[]string{"listings.title", "id=integer 1", "NUL"}},
		{"text that is not UTF-8", "UPDATE listings SET seller = CAST(x'e585ad' || x'ff' AS TEXT) WHERE id = 2",
			[]string{"listings.seller", "id=integer 2", "UTF-8"}},
		{"text in an integer column", "UPDATE listings SET first_seen = 'yesterday' WHERE id = 1",
			[]string{"listings.first_seen", `text "yesterday" is not an integer`}},
		{"a blob in a text column", "UPDATE listings SET seller = CAST('太行山货店' AS BLOB) WHERE id = 1", nil},
		{"an integer in a real column", "UPDATE hits SET score = 1 WHERE id = 1", nil},
		{"negative zero", "UPDATE listings SET price = -0.0 WHERE id = 1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := newSource(t, fixture{listings: 4})
			editSource(t, path, tt.edit)
			src, dst := openSourceDB(t, path), newTarget(t)
			_, err := Copy(ctx, src, dst, nil)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Copy: %v", err)
				}
				if _, err := Verify(ctx, src, dst); err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Copy took a value PostgreSQL cannot hold")
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error does not say %q: %v", s, err)
				}
			}
			if n := count(t, dst, "sources"); n != 0 {
				t.Errorf("the failed copy left %d sources", n)
			}
		})
	}
}

func TestCopyNeedsPgx(t *testing.T) {
	ctx := testContext(t)
	src := openSourceDB(t, newSource(t, fixture{}))
	_, err := Copy(ctx, src, src, nil)
	if err == nil || domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "pgx") {
		t.Fatalf("Copy into SQLite: %v", err)
	}
}

func TestForeignKeyOrder(t *testing.T) {
	tables := map[string]table{
		"hits":     {name: "hits", refs: []string{"listings"}},
		"listings": {name: "listings", refs: []string{"sources", "sellers"}},
		"sources":  {name: "sources"},
		"sellers":  {name: "sellers"},
		"tree":     {name: "tree", refs: []string{"tree", "gone"}}, // self and dangling references
	}
	got, err := foreignKeyOrder(tables)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tb := range got {
		names = append(names, tb.name)
	}
	if want := []string{"sellers", "sources", "listings", "hits", "tree"}; !slices.Equal(names, want) {
		t.Errorf("order %v, want %v", names, want)
	}
	tables["sources"] = table{name: "sources", refs: []string{"hits"}}
	if _, err := foreignKeyOrder(tables); err == nil || !strings.Contains(err.Error(), "hits, listings, sources form a cycle") {
		t.Errorf("a cycle: %v", err)
	}
}

// Rows come out of both sides in key order: text keys in byte order on
// both (the target's "C" and SQLite's BINARY), whatever was inserted when.
func TestCopyTextKeysInByteOrder(t *testing.T) {
	ctx := testContext(t)
	path := newSource(t, fixture{})
	for _, id := range []string{"迁西板栗", "Zebra", "apple", "衡水老白干", "_x", "Äpfel"} {
		editSource(t, path, "INSERT INTO sources (id, created_at) VALUES (?, 1)", id)
	}
	src, dst := openSourceDB(t, path), newTarget(t)
	if _, err := Copy(ctx, src, dst, nil); err != nil {
		t.Fatalf("Copy: %v", err)
	}
	if _, err := Verify(ctx, src, dst); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	var got []string
	rows, err := dst.QueryContext(ctx, `SELECT id FROM sources ORDER BY id COLLATE "C"`)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if !slices.IsSorted(got) {
		t.Errorf("target order %q is not byte order", got)
	}
}

// index_outbox is AUTOINCREMENT in SQLite: the id of a drained (deleted)
// row is never handed out again, and the copy keeps that promise.
func TestCopyKeepsAutoincrementFloor(t *testing.T) {
	ctx := testContext(t)
	path := newSource(t, fixture{listings: 6})
	editSource(t, path, "DELETE FROM index_outbox WHERE id >= (SELECT max(id) - 1 FROM index_outbox)")
	src, dst := openSourceDB(t, path), newTarget(t)
	var maxID, seq int64
	if err := src.QueryRow("SELECT (SELECT max(id) FROM index_outbox), (SELECT seq FROM sqlite_sequence WHERE name = 'index_outbox')").Scan(&maxID, &seq); err != nil {
		t.Fatal(err)
	}
	if seq != maxID+2 {
		t.Fatalf("fixture: sqlite_sequence %d, max(id) %d; want two drained rows", seq, maxID)
	}
	if _, err := Copy(ctx, src, dst, nil); err != nil {
		t.Fatalf("Copy: %v", err)
	}
	var id int64
	if err := dst.QueryRow("INSERT INTO index_outbox (op, hit_id, created_at) VALUES ('upsert', 999, 1) RETURNING id").Scan(&id); err != nil {
		t.Fatal(err)
	}
	if id != seq+1 {
		t.Errorf("new index_outbox row got id %d; SQLite would give %d (max(id) is %d)", id, seq+1, maxID)
	}
}

// What PostgreSQL stores is read back before the commit: a target that
// changes rows as they arrive (here a trigger turning the look-alike into
// the genuine mark) fails the copy, naming the table, and keeps nothing.
func TestCopyVerifiesWhatTheTargetKept(t *testing.T) {
	ctx := testContext(t)
	src, dst := openSourceDB(t, newSource(t, fixture{listings: 6})), newTarget(t)
	if _, err := dst.ExecContext(ctx, `CREATE FUNCTION launder() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN NEW.title := replace(NEW.title, '陆个核桃', '六个核桃'); RETURN NEW; END $$;
		CREATE TRIGGER launder BEFORE INSERT ON listings FOR EACH ROW EXECUTE FUNCTION launder()`); err != nil {
		t.Fatal(err)
	}
	_, err := Copy(ctx, src, dst, nil)
	if err == nil || !strings.Contains(err.Error(), "verifying table listings") {
		t.Fatalf("Copy into a target that rewrites titles: %v", err)
	}
	for _, table := range []string{"sources", "listings"} {
		if n := count(t, dst, table); n != 0 {
			t.Errorf("the failed copy kept %d rows of %s", n, table)
		}
	}
}
