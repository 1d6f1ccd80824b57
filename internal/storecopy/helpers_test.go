package storecopy

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, as the app opens the target

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/pgtest"
	"github.com/markwatch/markwatch/internal/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func testContext(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	tb.Cleanup(cancel)
	return ctx
}

// schemaMigrationsPostgres is the table store.migrate records versions in,
// as the PostgreSQL store will create it (applied_at holds milliseconds,
// so BIGINT). Until store.OpenURL exists, newTarget migrates the way it
// will: this table, then every file of migrations_postgres in its own
// transaction, each recorded under its file name.
const schemaMigrationsPostgres = `CREATE TABLE schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT    NOT NULL,
	applied_at BIGINT  NOT NULL)`

// newTarget is an empty database of the shared cluster migrated by
// markwatch's PostgreSQL migrations, opened as the app opens it.
func newTarget(tb testing.TB) *sql.DB {
	tb.Helper()
	ctx := testContext(tb)
	db, err := sql.Open("pgx", pgtest.Shared(tb).NewDatabase(tb))
	if err != nil {
		tb.Fatalf("opening the target: %v", err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	if _, err := db.ExecContext(ctx, schemaMigrationsPostgres); err != nil {
		tb.Fatalf("creating schema_migrations: %v", err)
	}
	paths, err := filepath.Glob("../store/migrations_postgres/*.sql")
	if err != nil || len(paths) == 0 {
		tb.Fatalf("listing the PostgreSQL migrations: %v (%d files)", err, len(paths))
	}
	sort.Strings(paths)
	for i, p := range paths {
		body, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tb.Fatalf("applying %s: %v", filepath.Base(p), err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
			i+1, filepath.Base(p), time.Now().UnixMilli()); err != nil {
			tb.Fatalf("recording %s: %v", filepath.Base(p), err)
		}
		if err := tx.Commit(); err != nil {
			tb.Fatal(err)
		}
	}
	return db
}

// clock is the fixture's settable time, so rows carry distinct times.
type clock struct{ t time.Time }

func (c *clock) now() time.Time {
	c.t = c.t.Add(1537 * time.Millisecond)
	return c.t
}

// recordHash stands in for evidence.RecordHash: the SHA-256 of the
// capture's JSON without the fields the store fills in.
func recordHash(c domain.Capture) string {
	c.ID, c.RecordHash, c.LogIndex = 0, "", 0
	b, err := json.Marshal(c)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// fixture says what newSource saves.
type fixture struct {
	listings int      // saved through SaveListings, each with a hit
	users    []string // user names, besides the admin
}

// newSource is a SQLite installation made by the real store: a source,
// listings of 六个核桃 and its look-alike 陆个核桃 with hits, alerts on
// the look-alikes with their evidence (captures, artefacts, listing
// versions, capture jobs), users, an API token, a session, a stamped tree
// head (a BLOB) and the audit rows all of these write. It returns the
// database's path, closed.
func newSource(tb testing.TB, f fixture) string {
	tb.Helper()
	ctx := testContext(tb)
	path := filepath.Join(tb.TempDir(), "markwatch.db")
	c := &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	db, err := store.Open(ctx, path, store.Options{Now: c.now, RecordHash: recordHash, MarkwatchVersion: "v0.9.0-test"})
	if err != nil {
		tb.Fatalf("opening the source store: %v", err)
	}
	defer func() {
		if err := db.Close(); err != nil {
			tb.Errorf("closing the source store: %v", err)
		}
	}()
	if _, err := db.InitSource(ctx, "taobao", "@every 1h"); err != nil {
		tb.Fatal(err)
	}
	admin, err := db.CreateUser(ctx, domain.User{Name: "管理员", Role: domain.RoleAdmin, Email: "admin@example.cn"}, "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA", domain.SystemActor)
	if err != nil {
		tb.Fatal(err)
	}
	actor := domain.Actor{UserID: admin.ID, Name: admin.Name, Role: admin.Role, Via: "cli"}
	for _, name := range f.users {
		if _, err := db.CreateUser(ctx, domain.User{Name: name, Role: domain.RoleOperator}, "", actor); err != nil {
			tb.Fatalf("creating user %s: %v", name, err)
		}
	}
	exp := c.t.Add(90 * 24 * time.Hour)
	if _, err := db.CreateToken(ctx, domain.APIToken{UserID: admin.ID, Name: "ci-export", Hash: strings.Repeat("ab", 32), Prefix: "mw_ab", ExpiresAt: &exp}, actor); err != nil {
		tb.Fatal(err)
	}
	now := c.now()
	if err := db.CreateSession(ctx, domain.Session{TokenHash: strings.Repeat("cd", 32), UserID: admin.ID, CSRFToken: "csrf-1",
		CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(12 * time.Hour), RemoteAddr: "203.0.113.9", UserAgent: "Mozilla/5.0"}); err != nil {
		tb.Fatal(err)
	}
	const batchSize = 500
	for start := 0; start < f.listings; start += batchSize {
		var batch []store.ListingMatches
		for i := start; i < min(start+batchSize, f.listings); i++ {
			batch = append(batch, listingAt(i))
		}
		if _, err := db.SaveListings(ctx, batch); err != nil {
			tb.Fatalf("saving listings %d…: %v", start, err)
		}
	}
	head, err := db.AddTreeHead(ctx, domain.TreeHead{Size: 0, RootHash: strings.Repeat("e3", 32), Signature: "sig-1", KeyID: strings.Repeat("0f", 32)})
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.SetStamp(ctx, head.ID, []byte{0x30, 0x82, 0x00, 0x00, 0xff, 0x00}, c.now()); err != nil {
		tb.Fatal(err)
	}
	return path
}

// listingAt is the i-th fixture listing: even ones the genuine 六个核桃,
// odd ones the look-alike 陆个核桃 that alerts, with its page as evidence.
func listingAt(i int) store.ListingMatches {
	url := fmt.Sprintf("https://item.taobao.com/item.htm?id=%d", 600000+i)
	l := domain.Listing{SourceID: "taobao", Platform: "taobao", Seller: fmt.Sprintf("太行山货店%d", i%37),
		Location: "河北 衡水", URL: url, Query: "六个核桃", Price: 59.9 + float64(i%7)*0.1}
	m := domain.Match{MarkID: "liugehetao", Score: 0.72, Reasons: []domain.Reason{{Tactic: "exact", Text: "含商标: 六个核桃", Start: 0, End: 4}}}
	if i%2 == 0 {
		l.Title = fmt.Sprintf("六个核桃 核桃乳 240ml*20罐 第%d批", i)
		return store.ListingMatches{Listing: l, Matches: []domain.Match{m}}
	}
	l.Title = fmt.Sprintf("陆个核桃 核桃乳 整箱 第%d批", i)
	l.ImageURL = fmt.Sprintf("https://img.alicdn.com/%d.jpg", i)
	m.Score, m.Alert = 0.93, true
	m.Reasons = []domain.Reason{{Tactic: "homophone", Text: "近音字: 陆→六", Start: 0, End: 1}}
	body := []byte("<html><body>" + l.Title + "</body></html>")
	sum := sha256.Sum256(body)
	ev := &store.ListingEvidence{
		Fetch: domain.Fetch{RequestURL: url, FinalURL: url, Status: 200, Headers: map[string][]string{"Server": {"Tengine"}},
			Body: body, FetchedAt: time.Date(2026, 3, 1, 16, 0, 0, 123456789, time.UTC), UserAgent: "Mozilla/5.0 markwatch", RemoteAddr: "203.0.113.7:443"},
		Artefacts: []domain.ArtefactRef{{Role: domain.RoleSearchPage, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(body)), MediaType: "text/html"}},
	}
	return store.ListingMatches{Listing: l, Matches: []domain.Match{m}, Evidence: ev}
}

// openSource opens the installation at path read-only, as the app will.
func openSourceDB(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

// editSource changes the installation at path with SQL, for values the
// store's API would not write.
func editSource(tb testing.TB, path, stmt string, args ...any) {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	if _, err := db.Exec(stmt, args...); err != nil {
		tb.Fatalf("editing the source (%s): %v", stmt, err)
	}
}

// count is the number of rows of table in db.
func count(tb testing.TB, db *sql.DB, table string) int64 {
	tb.Helper()
	var n int64
	if err := db.QueryRow("SELECT count(*) FROM " + quote(table)).Scan(&n); err != nil {
		tb.Fatalf("counting %s: %v", table, err)
	}
	return n
}
