package httpapi

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// FuzzListFilter feeds raw query strings, as a browser or a script would
// send them to /api/v1/hits and /api/v1/alerts, to the filter reader. It
// either refuses them as invalid input, saying which parameter, or returns
// a filter that keeps the limits the queries built from it rely on.
func FuzzListFilter(f *testing.F) {
	for _, seed := range []string{
		"q=六个核桃&mark=liugehetao&province=河北&score=90-100&from=2026-11-01&to=2026-11-30&sort=score",
		"q=衡水老白干&platform=pifa&platform=pifa&seller=%20鑫旺食品专营店%20&seller=",
		"location=河北+石家庄&province=河北+石家庄",
		"from=2026-12-01&to=2026-11-01",
		"from=2026-11-01T08:00:00%2B08:00&to=2026-11-01",
		"mark=LiuGeHeTao&kind=trademark&kind=卖家",
		"q=a&q=b&sort=newest&sort=price",
		"seller=%ff%fe&location=%00",
		"tactic=sound&tactic=shape&status=alert&status=open",
		"mrak=liugehetao&limit=20&offset=40",
		"sort=oldest&mark=liugehetao%0A",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return // net/http would not hand it to a handler either
		}
		if err := onlyParams(q, hitParams); err != nil {
			if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "accepted: q, mark") {
				t.Fatalf("unknown parameters refused as %v", err)
			}
		}
		lf, err := readListFilter(q)
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "query parameter") {
				t.Fatalf("refused with %v; want invalid input naming the parameter", err)
			}
			return
		}
		if n := utf8.RuneCountInString(lf.Text); n > maxQueryRunes {
			t.Fatalf("q of %d characters accepted", n)
		}
		for name, vs := range map[string][]string{
			paramMark: lf.Marks, paramKind: lf.Kinds, paramPlatform: lf.Platforms, paramSource: lf.Sources,
			paramSeller: lf.Sellers, paramProvince: lf.Provinces, paramLocation: lf.Locations,
			paramTactic: lf.Tactics, paramStatus: lf.Statuses, paramScore: lf.Scores,
		} {
			if len(vs) > maxValuesPerParam {
				t.Fatalf("%s: %d values accepted", name, len(vs))
			}
			for i, v := range vs {
				if v == "" || v != strings.Join(strings.Fields(v), " ") || slices.Contains(vs[:i], v) {
					t.Fatalf("%s: value %q of %q is empty, unnormalised or repeated", name, v, vs)
				}
			}
		}
		for _, m := range lf.Marks {
			if !markIDPattern.MatchString(m) {
				t.Fatalf("mark %q accepted", m)
			}
		}
		for _, k := range lf.Kinds {
			if !domain.MarkKind(k).Valid() {
				t.Fatalf("kind %q accepted", k)
			}
		}
		for _, p := range lf.Provinces {
			if strings.Contains(p, " ") {
				t.Fatalf("province %q of two words accepted", p)
			}
		}
		if !lf.From.IsZero() && !lf.To.IsZero() && !lf.From.Before(lf.To) {
			t.Fatalf("from %v not before to %v accepted", lf.From, lf.To)
		}
		if !slices.Contains([]string{"", "newest", "score", "price"}, lf.Sort) {
			t.Fatalf("sort %q accepted", lf.Sort)
		}
	})
}
