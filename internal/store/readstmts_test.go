package store

import (
	"context"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// BenchmarkTokenCheck is an API request's authentication reads: the token
// by its hash, then its user, through the prepared statements, against the
// same queries unprepared (parsed on every call, as before), alternated;
// "ratio" is prepared over unprepared.
func BenchmarkTokenCheck(b *testing.B) {
	ctx := context.Background()
	db := openTest(b, nil)
	u := mustUser(b, db, domain.User{Name: "张伟", Role: domain.RoleOperator})
	if _, err := db.CreateToken(ctx, domain.APIToken{UserID: u.ID, Name: "衡水 导出", Hash: "sha-zhangwei", Prefix: "mwt_0a1b"}, adminActor); err != nil {
		b.Fatal(err)
	}
	var prepared, plain time.Duration
	for b.Loop() {
		t0 := time.Now()
		tok, err := db.GetTokenByHash(ctx, "sha-zhangwei")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.GetUser(ctx, tok.UserID); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		tok, err = scanToken(db.sql.QueryRowContext(ctx, qTokenByHash, "sha-zhangwei"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := scanUser(db.sql.QueryRowContext(ctx, qUserByID, tok.UserID)); err != nil {
			b.Fatal(err)
		}
		prepared, plain = prepared+t1.Sub(t0), plain+time.Since(t1)
	}
	b.ReportMetric(float64(prepared.Nanoseconds())/float64(b.N)/1000, "prepared_µs")
	b.ReportMetric(float64(plain.Nanoseconds())/float64(b.N)/1000, "plain_µs")
	b.ReportMetric(prepared.Seconds()/plain.Seconds(), "ratio")
}
