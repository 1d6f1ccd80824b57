package sqldialect

import (
	"errors"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// Statements copied from internal/store (the file says where), and made-up
// ones for the corners.
func TestPostgresRewrites(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"statements.go qTouchListing: max(a, b) and IS ?",
			`UPDATE listings SET platform = ?, query = ?, last_seen = max(last_seen, ?)
		WHERE source_id = ? AND url_key = ? AND url = ? AND title = ? AND price = ? AND seller = ? AND location = ?
		AND image_url = ? AND version_stale = 0 AND seller_id IS ?
		RETURNING id`,
			`UPDATE listings SET platform = $1, query = $2, last_seen = GREATEST(last_seen, $3)
		WHERE source_id = $4 AND url_key = $5 AND url = $6 AND title = $7 AND price = $8 AND seller = $9 AND location = $10
		AND image_url = $11 AND version_stale = 0 AND seller_id IS NOT DISTINCT FROM $12
		RETURNING id`},
		{"statements.go qTouchHit: numbered parameters, ?1 twice",
			`UPDATE hits SET last_seen = ?1
		WHERE listing_id = ?2 AND mark_id = ?3 AND score = ?4 AND alert = ?5 AND reasons = ?6 AND last_seen < ?1
		RETURNING id, first_seen, last_seen`,
			`UPDATE hits SET last_seen = $1
		WHERE listing_id = $2 AND mark_id = $3 AND score = $4 AND alert = $5 AND reasons = $6 AND last_seen < $1
		RETURNING id, first_seen, last_seen`},
		{"statements.go qUpsertHit: max in DO UPDATE, bare names there are the target's",
			`INSERT INTO hits
			(listing_id, mark_id, score, alert, reasons, first_seen, last_seen)
			VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (listing_id, mark_id) DO UPDATE SET
			score = excluded.score, alert = excluded.alert, reasons = excluded.reasons,
			last_seen = max(last_seen, excluded.last_seen)
		WHERE score != excluded.score OR alert != excluded.alert OR reasons != excluded.reasons
		RETURNING id, first_seen, last_seen`,
			`INSERT INTO hits
			(listing_id, mark_id, score, alert, reasons, first_seen, last_seen)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (listing_id, mark_id) DO UPDATE SET
			score = excluded.score, alert = excluded.alert, reasons = excluded.reasons,
			last_seen = GREATEST(hits.last_seen, excluded.last_seen)
		WHERE hits.score != excluded.score OR hits.alert != excluded.alert OR hits.reasons != excluded.reasons
		RETURNING id, first_seen, last_seen`},
		{"statements.go qTouchAlert: max(score, ?) and a CASE",
			`UPDATE alerts SET
		last_seen = max(last_seen, ?),
		reasons = CASE WHEN ? > score THEN ? ELSE reasons END,
		score = max(score, ?)
		WHERE mark_id = ? AND url_key = ?`,
			`UPDATE alerts SET
		last_seen = GREATEST(last_seen, $1),
		reasons = CASE WHEN $2 > score THEN $3 ELSE reasons END,
		score = GREATEST(score, $4)
		WHERE mark_id = $5 AND url_key = $6`},
		{"migrate.go: the aggregate max stays",
			"SELECT max(version) FROM schema_migrations",
			"SELECT max(version) FROM schema_migrations"},
		{"sellersave.go qInsertSeller: aggregate inside coalesce, the subquery named",
			`SELECT n, ?, ? FROM (SELECT coalesce(max(id), 0) + 1 AS n FROM sellers)`,
			`SELECT n, $1, $2 FROM (SELECT coalesce(max(id), 0) + 1 AS n FROM sellers) AS subquery1`},
		{"named subqueries keep their names",
			`SELECT t.a FROM (SELECT 1 AS a) AS t JOIN (SELECT 2 AS b) u ON 1 = 1 WHERE x IN (SELECT y FROM (VALUES (1)) WHERE 1)`,
			`SELECT t.a FROM (SELECT 1 AS a) AS t JOIN (SELECT 2 AS b) u ON 1 = 1 WHERE x IN (SELECT y FROM (VALUES (1)) AS subquery1 WHERE 1)`},
		{"upsert with an alias, a CASE, a subquery and a reserved name",
			`INSERT INTO captures AS c (id, fetch) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET fetch = CASE WHEN fetch = '{}' THEN excluded.fetch ELSE (SELECT max(fetch) FROM captures) END, version = version + 1 RETURNING id`,
			`INSERT INTO captures AS c (id, "fetch") VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET "fetch" = CASE WHEN c."fetch" = '{}' THEN excluded."fetch" ELSE (SELECT max("fetch") FROM captures) END, version = c.version + 1 RETURNING id`},
		{"min of three, nested max",
			"SELECT min(a, max(b, ?), c), min(d) FROM t",
			"SELECT LEAST(a, GREATEST(b, $1), c), min(d) FROM t"},
		{"statements.go qUpsertListing: IS NOT a column",
			"| ((seller_id IS NOT excluded.seller_id) << 2)",
			"| ((seller_id IS DISTINCT FROM excluded.seller_id) << 2)"},
		{"IS NULL, IS NOT NULL, IS TRUE stay",
			"SELECT 1 FROM t WHERE a IS NULL AND b IS NOT NULL AND c IS TRUE AND d IS NOT FALSE AND e IS ?",
			"SELECT 1 FROM t WHERE a IS NULL AND b IS NOT NULL AND c IS TRUE AND d IS NOT FALSE AND e IS NOT DISTINCT FROM $1"},
		{"evidence.go captureColumns: fetch is reserved in PostgreSQL",
			"SELECT id, alert_id, version, source_id, mark_id, listing_url, fetch, artefacts FROM captures WHERE alert_id = ? ORDER BY log_index",
			`SELECT id, alert_id, version, source_id, mark_id, listing_url, "fetch", artefacts FROM captures WHERE alert_id = $1 ORDER BY log_index`},
		{"qualified reserved name, quoted name lower-cased",
			`SELECT c.fetch, "Fetch", c."user" FROM captures c`,
			`SELECT c."fetch", "fetch", c."user" FROM captures c`},
		{"scope.go jurisdictionCond: LIKE with ESCAPE, char(n), substr",
			`SELECT id FROM alerts a WHERE (trim(replace(a.location, char(12288), ' ')) = ? OR (trim(replace(a.location, char(12288), ' ')) LIKE ? ESCAPE '\' AND substr(trim(replace(a.location, char(12288), ' ')), 1, ?) = ?))`,
			`SELECT id FROM alerts a WHERE (trim(replace(a.location, chr(12288), ' ')) = $1 OR (trim(replace(a.location, chr(12288), ' ')) ILIKE $2 ESCAPE '\' AND substr(trim(replace(a.location, chr(12288), ' ')), 1, $3) = $4))`},
		{"sellers.go ListSellers: LIKE ? ESCAPE",
			`SELECT count(*) FROM sellers s WHERE s.name LIKE ? ESCAPE '\' AND s.platform = ?`,
			`SELECT count(*) FROM sellers s WHERE s.name ILIKE $1 ESCAPE '\' AND s.platform = $2`},
		{"LIKE without ESCAPE gets SQLite's none",
			"SELECT 1 FROM sellers WHERE name NOT LIKE ? AND location LIKE '%河北%' AND title LIKE '%\\_%'",
			"SELECT 1 FROM sellers WHERE name NOT ILIKE $1 ESCAPE '' AND location ILIKE '%河北%' AND title ILIKE '%\\_%' ESCAPE ''"},
		{"LIKE over a concatenation",
			"SELECT 1 FROM sellers WHERE name LIKE '%' || ? || '%' AND platform = ?",
			"SELECT 1 FROM sellers WHERE name ILIKE '%' || $1 || '%' ESCAPE '' AND platform = $2"},
		{"placeholders in literals, names and comments stay",
			"SELECT '?', \"a?\", ? -- why?\n/* ?1 */ FROM t WHERE x = '衡水老白干?'",
			"SELECT '?', \"a?\", $1 -- why?\n/* ?1 */ FROM t WHERE x = '衡水老白干?'"},
		{"a bare ? after ?NNN takes the next number",
			"SELECT ?3, ?, ?1, ?",
			"SELECT $3, $4, $1, $5"},
		{"a placeholder is spaced from a name and an operator",
			"SELECT a FROM t WHERE b!=-? AND c=?",
			"SELECT a FROM t WHERE b!= -$1 AND c=$2"},
		{"blob literal, ==, COLLATE BINARY, ifnull, instr",
			"SELECT x'0a1B', a == b, c COLLATE BINARY, ifnull(d, 0), instr(title, '梨') FROM t",
			`SELECT '\x0a1B'::bytea, a = b, c COLLATE "C", coalesce(d, 0), strpos(title, '梨') FROM t`},
		{"CAST types are SQLite's widths",
			"SELECT CAST(? AS INTEGER), cast(price AS real), CAST(x AS TEXT), CAST(coalesce(a, ?) AS BLOB) FROM t",
			"SELECT CAST($1 AS BIGINT), cast(price AS DOUBLE PRECISION), CAST(x AS TEXT), CAST(coalesce(a, $2) AS BYTEA) FROM t"},
		{"LIMIT and OFFSET",
			"SELECT id FROM alerts ORDER BY first_seen DESC, id DESC LIMIT ? OFFSET ?",
			"SELECT id FROM alerts ORDER BY first_seen DESC, id DESC LIMIT $1 OFFSET $2"},
		{"ON CONFLICT DO NOTHING is PostgreSQL's too",
			"INSERT INTO sources (id, created_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
			"INSERT INTO sources (id, created_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING"},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Postgres(c.in)
			if err != nil {
				t.Fatalf("Postgres(%q): %v", c.in, err)
			}
			if got != c.want {
				t.Errorf("Postgres(%q)\n got: %s\nwant: %s", c.in, got, c.want)
			}
		})
	}
}

func TestPostgresRefuses(t *testing.T) {
	cases := []struct{ name, in, construct string }{
		{"statements.go qEnqueue",
			"INSERT OR REPLACE INTO index_outbox (op, hit_id, attempts, last_error, created_at) VALUES (?, ?, 0, '', ?)",
			"INSERT OR REPLACE"},
		{"INSERT OR IGNORE", "insert or ignore into sources (id) values (?)", "INSERT OR IGNORE"},
		{"resight.go: UPDATE OR FAIL … jsonb_each",
			`UPDATE OR FAIL hits SET last_seen = max(hits.last_seen, t.seen)
		FROM (SELECT value->>0 AS lid, value->>1 AS fp, value->>2 AS seen FROM jsonb_each(?)) AS t
		WHERE hits.listing_id = t.lid AND hits.fp = t.fp`,
			"UPDATE OR FAIL"},
		{"sellersave.go qSelectSellers: ->> before jsonb_each",
			`SELECT s.id FROM (SELECT value->>0 AS platform, value->>1 AS shop_key FROM jsonb_each(?)) AS t JOIN sellers s ON s.platform = t.platform`,
			"->>"},
		{"json_each", "SELECT value FROM json_each(?)", "json_each"},
		{"health.go: PRAGMA", "PRAGMA user_version", "PRAGMA"},
		{"COLLATE NOCASE", "SELECT id FROM users WHERE name = ? COLLATE NOCASE", "COLLATE NOCASE"},
		{"rowid", "SELECT rowid FROM listings", "rowid"},
		{"qualified rowid", "SELECT l.rowid FROM listings l", "rowid"},
		{"strftime", "SELECT strftime('%Y', 'now')", "strftime()"},
		{"GLOB", "SELECT 1 FROM listings WHERE title GLOB '*梨*'", "GLOB"},
		{"AUTOINCREMENT", "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT)", "AUTOINCREMENT"},
		{"REPLACE INTO", "REPLACE INTO sources (id) VALUES (?)", "REPLACE INTO"},
		{"named parameter", "SELECT * FROM sources WHERE id = :id", "named parameter :id"},
		{"LIMIT offset, count", "SELECT id FROM alerts LIMIT ?, ?", "LIMIT offset, count"},
		{"IS then a comparison", "SELECT a IS ? = 1 FROM t", "IS followed by a comparison"},
		{"hex literal", "SELECT 0x1F", "hexadecimal literal 0x1F"},
		{"group_concat", "SELECT group_concat(kind) FROM seller_contacts", "group_concat()"},
		{"typeof", "SELECT typeof(price) FROM listings", "typeof()"},
		{"char of several", "SELECT char(72, 105)", "char()"},
		{"the first construct is named", "INSERT OR REPLACE INTO t SELECT value->>0 FROM json_each(?)", "INSERT OR REPLACE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Postgres(c.in)
			var ue *UnsupportedError
			if !errors.As(err, &ue) {
				t.Fatalf("Postgres(%q) = %q, %v; want an *UnsupportedError", c.in, got, err)
			}
			if ue.Construct != c.construct {
				t.Errorf("construct %q, want %q", ue.Construct, c.construct)
			}
			if !strings.Contains(err.Error(), c.construct) {
				t.Errorf("message %q does not name %q", err, c.construct)
			}
			if domain.ErrorCode(err) != domain.ENOTIMPLEMENTED {
				t.Errorf("code %q, want %q", domain.ErrorCode(err), domain.ENOTIMPLEMENTED)
			}
		})
	}
}

func TestPostgresRejectsBrokenText(t *testing.T) {
	for _, in := range []string{
		"SELECT 'unterminated",
		`SELECT "name`,
		"SELECT 1 /* open",
		"SELECT ?0",
		"SELECT ?32767",
		"SELECT x'0a",
	} {
		got, err := Postgres(in)
		if err == nil {
			t.Errorf("Postgres(%q) = %q, want an error", in, got)
			continue
		}
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("Postgres(%q): code %q (%v), want %q", in, domain.ErrorCode(err), err, domain.EINVALID)
		}
	}
}
