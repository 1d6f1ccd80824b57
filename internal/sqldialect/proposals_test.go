package sqldialect

import (
	"context"
	"testing"
)

// The statements the census finds refused or rejected need a text of their
// own. These are the proposed ones (the store owns the statements; this
// checks that the texts prepare on the migrated schema and, for the bit
// arithmetic, that both dialects compute the same).

// qUpsertListingShared is statements.go's qUpsertListing with its bits
// computed by CASE instead of arithmetic over comparisons (PostgreSQL's
// comparisons are boolean, its | and << take integers, and its OR takes no
// SMALLINT): one text both dialects run, through Postgres.
const qUpsertListingShared = `INSERT INTO listings
			(source_id, url_key, url, platform, title, price, seller, location, image_url, query, first_seen, seller_id, fp, saved_change)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 3)
		ON CONFLICT (source_id, url_key) DO UPDATE SET
			saved_change = CASE WHEN url != excluded.url OR title != excluded.title OR price != excluded.price
					OR seller != excluded.seller OR location != excluded.location THEN 1 ELSE 0 END
				| CASE WHEN version_stale != 0 OR title != excluded.title OR price != excluded.price
					OR seller != excluded.seller OR image_url != excluded.image_url THEN 2 ELSE 0 END
				| CASE WHEN seller_id IS NOT excluded.seller_id THEN 4 ELSE 0 END,
			url = excluded.url, platform = excluded.platform, title = excluded.title, price = excluded.price,
			seller = excluded.seller, location = excluded.location, image_url = excluded.image_url,
			query = excluded.query, version_stale = 0,
			seller_id = excluded.seller_id, fp = excluded.fp
		RETURNING id, saved_change`

// postgresTexts are PostgreSQL texts for statements Postgres refuses.
var postgresTexts = map[string]string{
	// statements.go qEnqueue (INSERT OR REPLACE): see qEnqueuePostgres.
	"qEnqueue": qEnqueuePostgres,
	// resight.go qResightListings (UPDATE OR FAIL … jsonb_each, ->>): the
	// batch's rows are JSON arrays; OR FAIL changes nothing for a
	// statement that cannot conflict.
	// (A listing's last_seen is listing_seen's since schema version 10.)
	"qResightListings": `UPDATE listing_seen SET last_seen = GREATEST(listing_seen.last_seen, t.seen)
		FROM (SELECT v->>0 AS src, v->>1 AS k, (v->>2)::bigint AS fp, (v->>3)::bigint AS seen
			FROM jsonb_array_elements($1::jsonb) AS e(v)) AS t, listings
		WHERE listings.id = listing_seen.listing_id AND listings.source_id = t.src AND listings.url_key = t.k
			AND listings.fp = t.fp AND listings.version_stale = 0
		RETURNING listings.id, listings.source_id, listings.url_key`,
	"qResightHits": `UPDATE hits SET last_seen = GREATEST(hits.last_seen, t.seen)
		FROM (SELECT (v->>0)::bigint AS lid, (v->>1)::bigint AS fp, (v->>2)::bigint AS seen
			FROM jsonb_array_elements($1::jsonb) AS e(v)) AS t
		WHERE hits.listing_id = t.lid AND hits.fp = t.fp
		RETURNING id, listing_id, mark_id, first_seen, last_seen`,
	"qResightAlerts": `UPDATE alerts SET last_seen = GREATEST(alerts.last_seen, t.seen)
		FROM (SELECT v->>0 AS mark, v->>1 AS k, (v->>2)::double precision AS score, (v->>3)::bigint AS seen
			FROM jsonb_array_elements($1::jsonb) AS e(v)) AS t
		WHERE alerts.mark_id = t.mark AND alerts.url_key = t.k AND alerts.score >= t.score
		RETURNING mark_id, url_key`,
	// sellersave.go qSelectSellers (->> over jsonb_each).
	"qSelectSellers": `SELECT s.platform, s.shop_key, s.id, s.network_id, s.name, s.location, s.last_seen,
			coalesce(c.kind, ''), coalesce(c.value, '')
		FROM (SELECT v->>0 AS platform, v->>1 AS shop_key FROM jsonb_array_elements($1::jsonb) AS e(v)) AS t
		JOIN sellers s ON s.platform = t.platform AND s.shop_key = t.shop_key
		LEFT JOIN seller_contacts c ON c.seller_id = s.id`,
	// merge.go "moving case links" (UPDATE OR IGNORE skips a row whose new
	// key exists): the skip as a condition.
	"moving case links": `UPDATE case_alerts SET alert_id = $1 WHERE alert_id = $2
		AND NOT EXISTS (SELECT 1 FROM case_alerts d WHERE d.case_id = case_alerts.case_id AND d.alert_id = $1)
		AND NOT EXISTS (SELECT 1 FROM case_alerts k JOIN cases c ON c.id = k.case_id
			WHERE k.alert_id = $1 AND k.case_id <> case_alerts.case_id AND c.status <> 'closed')`,
}

func TestProposedPostgresTextsPrepare(t *testing.T) {
	conn := migratedPostgres(t)
	ctx := testContext(t)
	shared, err := Postgres(qUpsertListingShared)
	if err != nil {
		t.Fatalf("the shared qUpsertListing: %v", err)
	}
	texts := map[string]string{"qUpsertListing (shared)": shared}
	for k, v := range postgresTexts {
		texts[k] = v
	}
	for name, q := range texts {
		if _, err := conn.Prepare(ctx, "", q); err != nil {
			t.Errorf("%s: %v\n%s", name, err, q)
		}
	}
}

// TestSharedUpsertListingBitsAgree runs the shared qUpsertListing through
// a sequence of sightings of one 衡水老白干 listing on SQLite and on
// PostgreSQL and compares the saved_change each returns.
func TestSharedUpsertListingBitsAgree(t *testing.T) {
	lite := migratedSQLite(t)
	pg := migratedPostgres(t)
	ctx := context.Background()
	q, err := Postgres(qUpsertListingShared)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"INSERT INTO sources (id, created_at) VALUES ('taobao', 1)",
		"INSERT INTO sellers (platform, shop_key, name, first_seen, last_seen) VALUES ('taobao', '衡水老白干', '衡水老白干旗舰店', 1, 1)",
	} {
		if _, err := lite.Exec(s); err != nil {
			t.Fatal(err)
		}
		if err := pgExec(t, pg, s); err != nil {
			t.Fatal(err)
		}
	}
	type sighting struct {
		title, seller, image string
		price                float64
		sellerID             any
		want                 int64
	}
	seq := []sighting{
		{"衡水老白干 67度 500ml", "衡水老白干旗舰店", "a.jpg", 89.5, nil, 3},         // first: 3
		{"衡水老白干 67度 500ml", "衡水老白干旗舰店", "a.jpg", 89.5, nil, 0},         // unchanged
		{"衡水老白干 67度 500ml", "衡水老白干旗舰店", "b.jpg", 89.5, nil, 2},         // image: a version only
		{"衡水老白干 67度 500ml 礼盒", "衡水老白干旗舰店", "b.jpg", 89.5, nil, 3},      // title: both
		{"衡水老白干 67度 500ml 礼盒", "衡水老白干旗舰店", "b.jpg", 89.5, int64(1), 4}, // seller_id from NULL
		{"衡水老白干 67度 500ml 礼盒", "衡水老白干旗舰店", "b.jpg", 79, int64(1), 3},   // price
		{"衡水老白干 67度 500ml 礼盒", "衡水老白干旗舰店", "b.jpg", 79, nil, 4},        // seller_id to NULL
		{"衡水老白干 67度 500ml 礼盒", "衡水老白干专营店", "b.jpg", 79, int64(1), 7},   // seller and seller_id
	}
	for i, s := range seq {
		args := []any{"taobao", "taobao:30", "https://item.taobao.com/item.htm?id=30", "taobao", s.title, s.price,
			s.seller, "河北 衡水", s.image, "老白干", int64(i + 1), s.sellerID, int64(42)}
		var liteID, liteBits, pgID, pgBits int64
		if err := lite.QueryRow(qUpsertListingShared, args...).Scan(&liteID, &liteBits); err != nil {
			t.Fatalf("sighting %d: sqlite: %v", i, err)
		}
		if err := pg.QueryRow(ctx, q, args...).Scan(&pgID, &pgBits); err != nil {
			t.Fatalf("sighting %d: postgresql: %v", i, err)
		}
		if liteBits != s.want || pgBits != s.want {
			t.Errorf("sighting %d (%+v): saved_change sqlite %d, postgresql %d, want %d", i, s, liteBits, pgBits, s.want)
		}
	}
}
