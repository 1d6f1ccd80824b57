package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// Bounds of the queue's free-form filters: longer is not a name anybody
// typed, and the values go into SQL arguments and URLs.
const (
	maxSourceID   = 64
	maxSellerName = 100
	maxLocation   = 64
)

// queueScoreBands are the score bands the queue offers, by the names
// /api/v1/alerts and the hit index use (index.ScoreBands, checked by a
// test), so the export link carries the same filter.
var queueScoreBands = []struct {
	name  string
	score domain.ScoreRange
}{
	{"90-100", domain.ScoreRange{Min: 0.9, Max: 2}}, {"80-90", domain.ScoreRange{Min: 0.8, Max: 0.9}},
	{"70-80", domain.ScoreRange{Min: 0.7, Max: 0.8}}, {"0-70", domain.ScoreRange{Min: -1, Max: 0.7}},
}

// queueQuery is the queue's parsed filter. Its parameters are the API's
// (/api/v1/alerts) so the export link is the same query.
type queueQuery struct {
	mark     string
	status   string // "" never: open, confirmed, dismissed or all
	source   string
	platform string // a source definition's platform: every source of it
	seller   string
	location string // a location prefix by words: 河北, 河北 石家庄
	score    string // a band name, "" for any
	from, to string // YYYY-MM-DD, inclusive, "" for open-ended
	sort     string // "", newest, score or price
	page     int
	// fromT and toT are from and to as instants in the console's zone,
	// to the day after the last day asked for.
	fromT, toT time.Time
}

// parseQueueQuery reads the queue's filter; days are read in loc.
func parseQueueQuery(values url.Values, loc *time.Location) (queueQuery, error) {
	word := func(name string) string { return strings.Join(strings.Fields(values.Get(name)), " ") }
	q := queueQuery{mark: values.Get("mark"), status: values.Get("status"), source: word("source"), platform: word("platform"), seller: word("seller"),
		location: word("location"), score: values.Get("score"), from: values.Get("from"), to: values.Get("to"),
		sort: values.Get("sort"), page: 1}
	if q.mark != "" && !validMarkID(q.mark) {
		return q, domain.Errorf(domain.EINVALID, "mark=%q 不是登记的标识 is not a registry id (lower-case letters, digits and -, like liugehetao)", q.mark)
	}
	switch q.status {
	case "":
		q.status = string(domain.AlertOpen)
	case statusAll:
	default:
		if _, ok := parseStatus(q.status); !ok {
			return q, domain.Errorf(domain.EINVALID, "status=%q 无效 must be open, confirmed, dismissed or all", q.status)
		}
	}
	for _, l := range []struct {
		name, value string
		max         int
	}{{"source", q.source, maxSourceID}, {"seller", q.seller, maxSellerName}, {"location", q.location, maxLocation}} {
		if n := utf8.RuneCountInString(l.value); n > l.max || !utf8.ValidString(l.value) {
			return q, domain.Errorf(domain.EINVALID, "%s 过长 is %d characters long; at most %d", l.name, n, l.max)
		}
	}
	if q.score != "" {
		if _, ok := bandRange(q.score); !ok {
			return q, domain.Errorf(domain.EINVALID, "score=%q 无效 must be 90-100, 80-90, 70-80 or 0-70", q.score)
		}
	}
	switch q.sort {
	case "", domain.AlertSortNewest, domain.AlertSortScore, domain.AlertSortPrice:
	default:
		return q, domain.Errorf(domain.EINVALID, "sort=%q 无效 must be newest, score or price", q.sort)
	}
	var err error
	if q.fromT, err = queueDay("from", q.from, loc); err != nil {
		return q, err
	}
	if q.toT, err = queueDay("to", q.to, loc); err != nil {
		return q, err
	}
	if !q.toT.IsZero() {
		q.toT = q.toT.AddDate(0, 0, 1) // the last day counts whole
	}
	if !q.fromT.IsZero() && !q.toT.IsZero() && !q.fromT.Before(q.toT) {
		return q, domain.Errorf(domain.EINVALID, "from=%s to=%s 起止日期颠倒 from must not come after to", q.from, q.to)
	}
	if raw := values.Get("page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxPage {
			return q, domain.Errorf(domain.EINVALID, "page=%q 无效 must be a whole number from 1 to %d", raw, maxPage)
		}
		q.page = n
	}
	return q, nil
}

func queueDay(name, raw string, loc *time.Location) (time.Time, error) {
	if raw == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, raw, loc)
	if err != nil {
		return time.Time{}, domain.Errorf(domain.EINVALID, "%s=%q 无效 must be a day like 2026-03-01", name, raw)
	}
	return d, nil
}

func bandRange(name string) (domain.ScoreRange, bool) {
	for _, b := range queueScoreBands {
		if b.name == name {
			return b.score, true
		}
	}
	return domain.ScoreRange{}, false
}

// filter is the store's filter for q, without scope and page.
// platforms maps source ids to platforms (Deps.Platforms); a platform no
// source has selects nothing.
func (q queueQuery) filter(platforms map[string]string) domain.AlertFilter {
	f := domain.AlertFilter{MarkID: q.mark, From: q.fromT, To: q.toT, Sort: q.sort}
	if q.platform != "" {
		f.SourceIDs = platformSources(platforms, q.platform)
		if q.source != "" {
			f.SourceIDs = slices.DeleteFunc(f.SourceIDs, func(s string) bool { return s != q.source })
		}
		if len(f.SourceIDs) == 0 {
			f.ByHits = true // no source of it: nothing, rather than everything
		}
	}
	if q.status != statusAll {
		f.Status = domain.AlertStatus(q.status)
	}
	if q.source != "" && q.platform == "" {
		f.SourceIDs = []string{q.source}
	}
	if q.seller != "" {
		f.Sellers = []string{q.seller}
	}
	if q.location != "" {
		f.Locations = []string{q.location}
	}
	if r, ok := bandRange(q.score); ok {
		f.Scores = []domain.ScoreRange{r}
	}
	return f
}

// params are q's filters as query parameters in the order a reader
// expects (url.Values would sort them); status is left to the caller.
func (q queueQuery) params() [][2]string {
	var out [][2]string
	for _, p := range [][2]string{{"mark", q.mark}, {"platform", q.platform}, {"source", q.source}, {"seller", q.seller}, {"location", q.location},
		{"score", q.score}, {"from", q.from}, {"to", q.to}, {"sort", q.sort}} {
		if p[1] != "" {
			out = append(out, p)
		}
	}
	return out
}

func joinParams(ps [][2]string) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p[0] + "=" + url.QueryEscape(p[1])
	}
	return strings.Join(parts, "&")
}

// url is the queue at page n with the same filter.
func (q queueQuery) url(n int) string {
	ps := append(q.params(), [2]string{"status", q.status})
	if n > 1 {
		ps = append(ps, [2]string{"page", strconv.Itoa(n)})
	}
	return "/?" + joinParams(ps)
}

// withStatus is the queue with the same filter and status s, first page.
func (q queueQuery) withStatus(s string) string {
	q.status = s
	return q.url(1)
}

// exportURL is the API's export at path of the queue's filter, every page
// of it.
func (q queueQuery) exportURL(path string) string {
	ps := q.params()
	if q.status != statusAll {
		ps = append(ps, [2]string{"status", q.status})
	}
	return path + "?" + joinParams(ps)
}

// platformSources are the sources of platform, sorted; a source missing
// from platforms is its own platform, as the API takes it.
func platformSources(platforms map[string]string, platform string) []string {
	var out []string
	for src, p := range platforms {
		if p == platform {
			out = append(out, src)
		}
	}
	if _, known := platforms[platform]; !known && len(out) == 0 {
		out = append(out, platform)
	}
	slices.Sort(out)
	return out
}
