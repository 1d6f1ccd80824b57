package storeurl

import (
	"slices"
	"testing"
)

func TestRedactAndPasswords(t *testing.T) {
	for _, tc := range []struct {
		raw, shown string
		passwords  []string
	}{
		{"", "", nil},
		{"sqlite:/var/lib/markwatch/markwatch.db", "sqlite:/var/lib/markwatch/markwatch.db", nil},
		{"postgres://markwatch@db.hebei.local:5432/markwatch", "postgres://markwatch@db.hebei.local:5432/markwatch", nil},
		{"postgres://markwatch:s3cret@db.hebei.local:5432/markwatch?sslmode=require",
			"postgres://markwatch:[redacted]@db.hebei.local:5432/markwatch?sslmode=require", []string{"s3cret"}},
		// A Chinese password, percent-encoded as it must be: hidden as
		// written and as decoded (a driver's error may repeat either).
		{"postgres://markwatch:%E6%B2%B3%E5%8C%97@db/markwatch",
			"postgres://markwatch:[redacted]@db/markwatch", []string{"%E6%B2%B3%E5%8C%97", "河北"}},
		// libpq's reading: the userinfo runs to the first @ before a /,
		// and ?, # and a second @ belong to the password.
		{"postgres://markwatch:pa?ss#w@rd@db/markwatch", "postgres://markwatch:[redacted]@rd@db/markwatch", []string{"pa?ss#w"}},
		{"postgres://markwatch@db/markwatch?sslmode=disable&password=s3cret&sslpassword=k3y",
			"postgres://markwatch@db/markwatch?sslmode=disable&password=[redacted]&sslpassword=[redacted]", []string{"s3cret", "k3y"}},
		{"postgresql://markwatch@db1:5432,db2:5433/markwatch?pass%77ord=s3cret",
			"postgresql://markwatch@db1:5432,db2:5433/markwatch?pass%77ord=[redacted]", []string{"s3cret"}},
		// A / in the password ends the userinfo search for libpq, which
		// then reads "markwatch" as the host: pgx finds no password, but
		// the operator wrote one.
		{"postgres://markwatch:pa/ss@db/markwatch", "postgres://[redacted]@db/markwatch", []string{"pa/ss"}},
		// What pgx reads as keyword/value, or cannot read, is hidden whole.
		{"host=db.hebei.local user=markwatch password=s3cret dbname=markwatch", "[redacted]", nil},
		{"mysql://root:s3cret@localhost/markwatch", "[redacted]", nil},
		{"postgres://markwatch@db/markwatch?pass%zzword=s3cret", "postgres://markwatch@db/markwatch?[redacted]", nil},
	} {
		if got := Redact(tc.raw); got != tc.shown {
			t.Errorf("Redact(%q) = %q, want %q", tc.raw, got, tc.shown)
		}
		if got := Passwords(tc.raw); !slices.Equal(got, tc.passwords) {
			t.Errorf("Passwords(%q) = %q, want %q", tc.raw, got, tc.passwords)
		}
	}
}

func TestHasHost(t *testing.T) {
	for raw, want := range map[string]bool{
		"postgres://markwatch:s3cret@db.hebei.local:5432/markwatch": true,
		"postgres://markwatch:pa?ss@db/markwatch":                   true,
		"postgres://db1:5432,db2:5433/markwatch":                    true,
		"postgres://[::1]:5432/markwatch":                           true,
		"postgres://markwatch:s3cret@:5432/markwatch":               false,
		"postgres://markwatch:s3cret@/markwatch":                    false,
		"postgres://,/markwatch":                                    false,
		"postgres://markwatch:pa/ss@db/markwatch":                   false,
		"host=db password=s3cret":                                   false,
	} {
		if got := HasHost(raw); got != want {
			t.Errorf("HasHost(%q) = %v, want %v", raw, got, want)
		}
	}
}
