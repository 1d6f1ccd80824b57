package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/sqldialect"
)

// The declared PostgreSQL texts are for statements the dialect refuses,
// and only those: a statement it can carry must not drift apart from its
// SQLite text in a table. On PostgreSQL each declared text prepares.
func TestPostgresTextsAreForRefusedStatements(t *testing.T) {
	for lite, pg := range postgresTexts {
		var ue *sqldialect.UnsupportedError
		if _, err := sqldialect.Postgres(lite); !errors.As(err, &ue) {
			t.Errorf("the dialect carries %q (%v); drop its declared text", lite, err)
		}
		if strings.Contains(pg, "?") {
			t.Errorf("declared PostgreSQL text has a ? placeholder: %s", pg)
		}
	}
	if !onPostgres() {
		return
	}
	db := openTest(t, nil)
	for lite := range postgresTexts {
		st, err := db.wr.Prepare(lite)
		if err != nil {
			t.Errorf("preparing the declared text of %q: %v", lite, err)
			continue
		}
		_ = st.Close()
	}
}

// Arguments bind the same on both: a bool as 0/1.
func TestBoolArgumentsBindAsIntegers(t *testing.T) {
	db := openTest(t, nil)
	for b, want := range map[bool]int64{true: 1, false: 0} {
		var got int64
		if err := db.sql.QueryRow("SELECT CAST(? AS INTEGER) + 0", b).Scan(&got); err != nil || got != want {
			t.Errorf("%v bound as %d (%v), want %d", b, got, err, want)
		}
	}
}

// A statement the dialect refuses and nobody declared fails on PostgreSQL
// naming the construct, as work not done rather than bad input.
func TestUndeclaredRefusedStatementFails(t *testing.T) {
	if !onPostgres() {
		t.Skip("PostgreSQL only: SQLite runs its own statements as written")
	}
	db := openTest(t, nil)
	_, err := db.wr.ExecContext(context.Background(), "INSERT OR IGNORE INTO sources (id, created_at) VALUES (?, ?)", "迁西板栗", 1)
	if domain.ErrorCode(err) != domain.ENOTIMPLEMENTED || !strings.Contains(err.Error(), "INSERT OR") {
		t.Errorf("err = %v (code %q), want ENOTIMPLEMENTED naming INSERT OR", err, domain.ErrorCode(err))
	}
}

// PostgreSQL's text holds no NUL and no bytes that are not UTF-8: a
// crawled title with them is saved with U+FFFD in their place rather than
// failing its batch, and saves again as unchanged.
func TestPostgresTextArgumentsAreMadeValid(t *testing.T) {
	if !onPostgres() {
		t.Skip("PostgreSQL only: SQLite stores the bytes as they are")
	}
	db := openTest(t, nil)
	l := walnut("https://item.taobao.com/item.htm?id=41")
	l.Title = "陆个核桃\x00 核桃乳 \xff礼盒"
	first := mustSave(t, db, l, match("liugehetao", 0.9, true))
	again := mustSave(t, db, l, match("liugehetao", 0.9, true))
	if len(first.NewAlerts) != 1 || len(again.NewAlerts) != 0 || again.ListingID != first.ListingID {
		t.Fatalf("first %+v, again %+v: want one alert, then the same listing unchanged", first, again)
	}
	var title string
	if err := db.sql.QueryRow("SELECT title FROM listings WHERE id = ?", first.ListingID).Scan(&title); err != nil {
		t.Fatal(err)
	}
	if want := "陆个核桃\uFFFD 核桃乳 \uFFFD礼盒"; title != want {
		t.Errorf("stored title %q, want %q", title, want)
	}
}

// CheckWritable on PostgreSQL passes on a working store and reports a
// database that refuses writes (a read-only replica, a database set
// read-only) as unavailable.
func TestCheckWritablePostgres(t *testing.T) {
	if !onPostgres() {
		t.Skip("PostgreSQL only: TestCheckWritable spoils SQLite's file")
	}
	ctx := context.Background()
	db := openTest(t, nil)
	if err := db.CheckWritable(ctx); err != nil {
		t.Fatalf("CheckWritable on a working store: %v", err)
	}
	// One connection, made read-only, stands for a read-only server.
	db.wr.SetMaxOpenConns(1)
	if _, err := db.wr.Exec(pgVerbatim + "SET default_transaction_read_only = on"); err != nil {
		t.Fatal(err)
	}
	err := db.CheckWritable(ctx)
	if domain.ErrorCode(err) != domain.EUNAVAILABLE || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("CheckWritable on a read-only store = %v (code %q), want unavailable saying read-only", err, domain.ErrorCode(err))
	}
}
