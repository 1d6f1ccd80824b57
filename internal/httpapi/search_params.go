package httpapi

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// The filters /api/v1/hits and /api/v1/alerts share. Every one but q, from,
// to and sort may be repeated; repeated values are alternatives, different
// parameters narrow each other.
const (
	paramQ        = "q"        // free text, normalised as the index is
	paramMark     = "mark"     // registry mark id
	paramKind     = "kind"     // trademark, time_honoured, geographical_indication
	paramPlatform = "platform" // a source's platform
	paramSource   = "source"   // source id
	paramSeller   = "seller"   // seller name, exactly
	paramProvince = "province" // first word of the seller location: 河北
	paramLocation = "location" // a location prefix: 河北 石家庄
	paramTactic   = "tactic"   // a reason's tactic: sound, shape…
	paramStatus   = "status"   // hits: alert|below; alerts: open|confirmed|dismissed
	paramScore    = "score"    // a score band: 90-100, 80-90, 70-80, 0-70
	paramFrom     = "from"     // YYYY-MM-DD (China time) or RFC 3339, inclusive
	paramTo       = "to"       // YYYY-MM-DD inclusive, or RFC 3339 exclusive
	paramSort     = "sort"     // newest, score, price
	paramLimit    = "limit"
	paramOffset   = "offset"
	paramAlert    = "alert"  // hits: true keeps hits that raised an alert (status=alert)
	paramFacets   = "facets" // false skips counting facets
)

// hitParams and alertParams are what each list accepts, in the order an
// error names them.
var (
	hitParams = []string{paramQ, paramMark, paramKind, paramPlatform, paramSource, paramSeller, paramProvince,
		paramLocation, paramTactic, paramStatus, paramScore, paramFrom, paramTo, paramSort, paramLimit, paramOffset,
		paramAlert, paramFacets}
	alertParams = []string{paramQ, paramMark, paramKind, paramPlatform, paramSource, paramSeller, paramProvince,
		paramLocation, paramTactic, paramStatus, paramScore, paramFrom, paramTo, paramSort, paramLimit, paramOffset, paramFacets}
)

// onlyParams refuses a parameter not in accepted, naming it and the
// accepted ones: a misspelt filter (mrak=…) silently ignored would answer
// every hit as if it were the filtered list.
func onlyParams(q url.Values, accepted []string) error {
	var unknown []string
	for k := range q {
		if !slices.Contains(accepted, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	return domain.Errorf(domain.EINVALID, "unknown query parameter %s; accepted: %s",
		strings.Join(unknown, ", "), strings.Join(accepted, ", "))
}

// single reads a parameter that may be given once.
func single(q url.Values, name string) (string, error) {
	if vs := q[name]; len(vs) > 1 {
		return "", domain.Errorf(domain.EINVALID, "query parameter %s is given %d times; give it once", name, len(vs))
	}
	return q.Get(name), nil
}

// values reads a repeatable parameter, dropping empty values (a form's
// unselected <select>) and duplicates.
func values(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		if v = strings.Join(strings.Fields(v), " "); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// maxValuesPerParam bounds one parameter's alternatives; a filter of more
// is not a search anybody clicked together.
const maxValuesPerParam = 50

// listFilter is the shared filters as read from a query, before the mark
// kinds and platforms are resolved to marks and sources.
type listFilter struct {
	Text      string
	Marks     []string
	Kinds     []string
	Platforms []string
	Sources   []string
	Sellers   []string
	Provinces []string
	Locations []string
	Tactics   []string
	Statuses  []string
	Scores    []string
	From, To  time.Time
	Sort      string
}

// chinaTime is the zone dates without a zone are read in: the console's.
var chinaTime = time.FixedZone("CST", 8*60*60)

// readListFilter reads the shared filters from q.
func readListFilter(q url.Values) (listFilter, error) {
	var f listFilter
	var err error
	if f.Text, err = single(q, paramQ); err != nil {
		return f, err
	}
	if n := len([]rune(f.Text)); n > maxQueryRunes {
		return f, domain.Errorf(domain.EINVALID, "query parameter q is %d characters long; keep it under %d", n, maxQueryRunes)
	}
	lists := []struct {
		name string
		dst  *[]string
	}{
		{paramMark, &f.Marks}, {paramKind, &f.Kinds}, {paramPlatform, &f.Platforms}, {paramSource, &f.Sources},
		{paramSeller, &f.Sellers}, {paramProvince, &f.Provinces}, {paramLocation, &f.Locations},
		{paramTactic, &f.Tactics}, {paramStatus, &f.Statuses}, {paramScore, &f.Scores},
	}
	for _, l := range lists {
		*l.dst = values(q, l.name)
		if len(*l.dst) > maxValuesPerParam {
			return f, domain.Errorf(domain.EINVALID, "query parameter %s has %d values; at most %d", l.name, len(*l.dst), maxValuesPerParam)
		}
	}
	for _, m := range f.Marks {
		if !markIDPattern.MatchString(m) {
			return f, domain.Errorf(domain.EINVALID, "query parameter mark=%q: must be a mark id from the registry, like liugehetao", m)
		}
	}
	for _, k := range f.Kinds {
		if !domain.MarkKind(k).Valid() {
			return f, domain.Errorf(domain.EINVALID, "query parameter kind=%q: must be %s, %s or %s",
				k, domain.KindTrademark, domain.KindTimeHonoured, domain.KindGI)
		}
	}
	for _, p := range f.Provinces {
		if strings.Contains(p, " ") {
			return f, domain.Errorf(domain.EINVALID, "query parameter province=%q: one word, like 河北; use location for a city (河北 石家庄)", p)
		}
	}
	if f.From, err = dateParam(q, paramFrom, false); err != nil {
		return f, err
	}
	if f.To, err = dateParam(q, paramTo, true); err != nil {
		return f, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, domain.Errorf(domain.EINVALID, "query parameters from and to: from must come before to")
	}
	if f.Sort, err = single(q, paramSort); err != nil {
		return f, err
	}
	switch f.Sort {
	case "", "newest", "score", "price":
	default:
		return f, domain.Errorf(domain.EINVALID, "query parameter sort=%q: must be newest, score or price", f.Sort)
	}
	return f, nil
}

// dateParam reads a day (YYYY-MM-DD, China time) or an RFC 3339 instant.
// A day given as the end of a range includes that whole day.
func dateParam(q url.Values, name string, end bool) (time.Time, error) {
	raw, err := single(q, name)
	if err != nil || raw == "" {
		return time.Time{}, err
	}
	if d, err := time.ParseInLocation(time.DateOnly, raw, chinaTime); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		return time.Time{}, domain.Errorf(domain.EINVALID, "query parameter %s=%q: must be a day like 2026-03-01 or an RFC 3339 time", name, raw)
	}
	return t, nil
}

// resolveMarks is the marks f asks for: its marks, narrowed to the kinds it
// names. none is true when the kinds and marks together leave no mark, so
// the answer is empty without asking.
func resolveMarks(f listFilter, marks []domain.Mark) (ids []string, none bool) {
	if len(f.Kinds) == 0 {
		return f.Marks, false
	}
	for _, m := range marks {
		if slices.Contains(f.Kinds, string(m.Kind)) && (len(f.Marks) == 0 || slices.Contains(f.Marks, m.ID)) {
			ids = append(ids, m.ID)
		}
	}
	return ids, len(ids) == 0
}

// resolveSources is the sources f asks for, with the platforms it names
// turned into their sources by platformOf. none as for resolveMarks.
func resolveSources(f listFilter, sources []string, platformOf func(string) string) (ids []string, none bool) {
	if len(f.Platforms) == 0 {
		return f.Sources, false
	}
	for _, s := range sources {
		if slices.Contains(f.Platforms, platformOf(s)) && (len(f.Sources) == 0 || slices.Contains(f.Sources, s)) {
			ids = append(ids, s)
		}
	}
	// Without a map a source is its own platform: the demo's are.
	if len(sources) == 0 {
		for _, p := range f.Platforms {
			if len(f.Sources) == 0 || slices.Contains(f.Sources, p) {
				ids = append(ids, p)
			}
		}
	}
	return ids, len(ids) == 0
}
