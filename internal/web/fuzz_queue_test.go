package web

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// FuzzQueueQuery feeds raw query strings to the queue's filter, as a
// supervisor's browser (or anybody's) sends them. A query is refused as
// invalid input, or read into a filter whose own links (the queue's pages,
// its status tabs) read back as the same filter: a link that changed the
// filter would show a supervisor other alerts than the ones they chose.
func FuzzQueueQuery(f *testing.F) {
	for _, seed := range []string{
		"mark=liugehetao&status=all&platform=pifa&seller=鑫旺食品专营店&location=河北+石家庄&score=90-100&from=2026-11-01&to=2026-11-30&sort=score&page=3",
		"seller=%20%20鑫旺%20%20食品%20&location=%E6%B2%B3%E5%8C%97",
		"status=confirmed&page=0",
		"from=2026-12-01&to=2026-11-30",
		"score=95-100&sort=oldest",
		"mark=Liu&seller=%ff",
		"source=" + strings.Repeat("x", 80),
	} {
		f.Add(seed)
	}
	loc := time.FixedZone("CST", 8*60*60)
	f.Fuzz(func(t *testing.T, raw string) {
		values, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := parseQueueQuery(values, loc)
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("refused with %v; want invalid input", err)
			}
			return
		}
		if q.status == "" || q.page < 1 || q.page > maxPage {
			t.Fatalf("status %q, page %d accepted", q.status, q.page)
		}
		for _, link := range []string{q.url(q.page), q.withStatus(q.status)} {
			again, err := url.ParseQuery(strings.TrimPrefix(link, "/?"))
			if err != nil {
				t.Fatalf("link %q does not parse: %v", link, err)
			}
			back, err := parseQueueQuery(again, loc)
			if err != nil {
				t.Fatalf("link %q of %q is refused: %v", link, raw, err)
			}
			want := q
			if link == q.withStatus(q.status) {
				want.page = 1
			}
			if !reflect.DeepEqual(back, want) {
				t.Fatalf("link %q of %q reads as\n%+v\nwant\n%+v", link, raw, back, want)
			}
		}
	})
}
