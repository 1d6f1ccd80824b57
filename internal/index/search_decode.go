package index

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// decodeSearch decodes a Meilisearch search answer into resp by hand for
// the shape Meilisearch writes: the fields search retrieves, strings
// without escapes, numbers of the right kind. encoding/json's reflection
// was a third of the daemon's CPU per search at 100k hits (issue 12).
//
// Anything else (an escape, null where a value belongs, a type that does
// not fit, a key that matches a field only ignoring case, invalid UTF-8 or
// JSON) makes it report false, and the caller decodes with encoding/json,
// which stays the reference: FuzzDecodeSearch holds that whatever this
// accepts, encoding/json decodes to the same value.
func decodeSearch(data []byte, resp *searchResponse) bool {
	d := decoder{b: data}
	seenHits := false
	ok := d.object(func(key string) bool {
		switch key {
		case "hits":
			// A second "hits" encoding/json decodes into the first's
			// documents; not worth copying.
			if seenHits {
				return false
			}
			seenHits = true
			return d.documents(resp)
		case "totalHits":
			n, ok := d.int()
			resp.TotalHits = n
			return ok
		case "facetDistribution":
			return d.facets(resp)
		}
		return !foldsTo(key, "hits", "totalHits", "facetDistribution") && d.skip(0)
	})
	d.space()
	return ok && d.i == len(d.b)
}

// facets decodes facetDistribution: facet → value → count. A repeated key
// (which encoding/json would merge or replace) is left to encoding/json.
func (d *decoder) facets(resp *searchResponse) bool {
	if resp.FacetDistribution != nil {
		return false
	}
	if d.null() {
		return true
	}
	dist := map[string]map[string]int64{}
	ok := d.object(func(facet string) bool {
		if _, dup := dist[facet]; dup || d.null() {
			return false
		}
		values := map[string]int64{}
		dist[facet] = values
		return d.object(func(v string) bool {
			if _, dup := values[v]; dup {
				return false
			}
			n, ok := d.int()
			values[v] = n
			return ok
		})
	})
	resp.FacetDistribution = dist
	return ok
}

func (d *decoder) documents(resp *searchResponse) bool {
	if d.null() {
		resp.Hits = nil
		return true
	}
	hits := resp.Hits[:0]
	if hits == nil {
		hits = []document{} // "hits": [] is an empty page, not none
	}
	ok := d.array(func() bool {
		hits = append(hits, document{})
		return d.document(&hits[len(hits)-1])
	})
	resp.Hits = hits
	return ok
}

// documentKeys are the keys document decodes; a key equal to one of them
// ignoring case would be decoded into it by encoding/json.
var documentKeys = []string{"id", "hit_id", "listing_id", "source_id", "mark_id", "title", "title_norm", "url", "seller",
	"location", "location_prefixes", "price", "score", "alert", "reasons", "reasons_text", "tactics", "score_band",
	"first_seen", "last_seen"}

func (d *decoder) document(doc *document) bool {
	// search does not retrieve id, title_norm, location_prefixes or
	// reasons_text, but they are decoded as encoding/json decodes them, so
	// the two decodes agree on every document.
	seenReasons, seenPrefixes, seenTactics := false, false, false
	return d.object(func(key string) bool {
		var ok bool
		switch key {
		case "id":
			doc.ID, ok = d.str()
		case "hit_id":
			doc.HitID, ok = d.int()
		case "listing_id":
			doc.ListingID, ok = d.int()
		case "source_id":
			doc.SourceID, ok = d.str()
		case "mark_id":
			doc.MarkID, ok = d.str()
		case "title":
			doc.Title, ok = d.str()
		case "title_norm":
			doc.TitleNorm, ok = d.str()
		case "url":
			doc.URL, ok = d.str()
		case "seller":
			doc.Seller, ok = d.str()
		case "location":
			doc.Location, ok = d.str()
		case "location_prefixes":
			if seenPrefixes {
				return false
			}
			seenPrefixes = true
			doc.LocationPrefixes, ok = d.strs()
		case "price":
			doc.Price, ok = d.float()
		case "score":
			doc.Score, ok = d.float()
		case "alert":
			doc.Alert, ok = d.bool()
		case "reasons":
			// A second "reasons" (or "location_prefixes") encoding/json
			// decodes into the first's.
			if seenReasons {
				return false
			}
			seenReasons = true
			doc.Reasons, ok = d.reasons()
		case "reasons_text":
			doc.ReasonsText, ok = d.str()
		case "tactics":
			if seenTactics {
				return false
			}
			seenTactics = true
			doc.Tactics, ok = d.strs()
		case "score_band":
			doc.ScoreBand, ok = d.str()
		case "first_seen":
			doc.FirstSeen, ok = d.int()
		case "last_seen":
			doc.LastSeen, ok = d.int()
		default:
			ok = !foldsTo(key, documentKeys...) && d.skip(0)
		}
		return ok
	})
}

func (d *decoder) reasons() ([]domain.Reason, bool) {
	if d.null() {
		return nil, true
	}
	rs := []domain.Reason{}
	ok := d.array(func() bool {
		var r domain.Reason
		ok := d.object(func(key string) bool {
			var ok bool
			var n int64
			switch key {
			case "tactic":
				r.Tactic, ok = d.str()
			case "text":
				r.Text, ok = d.str()
			case "start":
				n, ok = d.int()
				r.Start = int(n)
			case "end":
				n, ok = d.int()
				r.End = int(n)
			default:
				ok = !foldsTo(key, "tactic", "text", "start", "end") && d.skip(0)
			}
			return ok
		})
		rs = append(rs, r)
		return ok
	})
	return rs, ok
}

func (d *decoder) strs() ([]string, bool) {
	if d.null() {
		return nil, true
	}
	ss := []string{}
	ok := d.array(func() bool {
		s, ok := d.str()
		ss = append(ss, s)
		return ok
	})
	return ss, ok
}

// foldsTo reports whether key is one of names ignoring case, and so a key
// encoding/json would decode into that field.
func foldsTo(key string, names ...string) bool {
	for _, n := range names {
		if strings.EqualFold(key, n) {
			return true
		}
	}
	return false
}

// decoder reads JSON from b at i. Every method returns false on input it
// does not take, and the whole decode is then abandoned.
type decoder struct {
	b []byte
	i int
}

func (d *decoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// next skips white space and reports whether the next byte is c, consuming
// it if so.
func (d *decoder) next(c byte) bool {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *decoder) null() bool {
	d.space()
	return d.literal("null")
}

// literal consumes lit if what is left starts with it.
func (d *decoder) literal(lit string) bool {
	if len(d.b)-d.i >= len(lit) && string(d.b[d.i:d.i+len(lit)]) == lit {
		d.i += len(lit)
		return true
	}
	return false
}

// object reads an object, calling field with each key when the decoder is
// at the key's value.
func (d *decoder) object(field func(key string) bool) bool {
	if !d.next('{') {
		return false
	}
	if d.next('}') {
		return true
	}
	for {
		key, ok := d.str()
		if !ok || !d.next(':') || !field(key) {
			return false
		}
		if d.next('}') {
			return true
		}
		if !d.next(',') {
			return false
		}
	}
}

// array reads an array, calling elem at each element.
func (d *decoder) array(elem func() bool) bool {
	if !d.next('[') {
		return false
	}
	if d.next(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if d.next(']') {
			return true
		}
		if !d.next(',') {
			return false
		}
	}
}

// str reads a string without escapes or control characters, in valid
// UTF-8, which is what encoding/json would decode to the same bytes.
func (d *decoder) str() (string, bool) {
	if !d.next('"') {
		return "", false
	}
	start := d.i
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '"':
			s := d.b[start:d.i]
			d.i++
			if !utf8.Valid(s) {
				return "", false
			}
			return string(s), true
		case c == '\\' || c < 0x20:
			return "", false
		}
		d.i++
	}
	return "", false
}

// number reads a JSON number's text.
func (d *decoder) number() (string, bool) {
	d.space()
	start := d.i
	d.literal("-")
	switch n := d.digits(); {
	case n == 0:
		return "", false
	case n > 1 && d.b[d.i-n] == '0':
		return "", false // a leading zero
	}
	if d.literal(".") && d.digits() == 0 {
		return "", false
	}
	if d.literal("e") || d.literal("E") {
		_ = d.literal("+") || d.literal("-")
		if d.digits() == 0 {
			return "", false
		}
	}
	return string(d.b[start:d.i]), true
}

// digits consumes the decimal digits that come next and says how many.
func (d *decoder) digits() int {
	start := d.i
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	return d.i - start
}

func (d *decoder) int() (int64, bool) {
	s, ok := d.number()
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func (d *decoder) float() (float64, bool) {
	s, ok := d.number()
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func (d *decoder) bool() (bool, bool) {
	d.space()
	switch {
	case d.literal("true"):
		return true, true
	case d.literal("false"):
		return false, true
	}
	return false, false
}

// maxSkipDepth bounds the nesting of values skipped; deeper ones go to
// encoding/json.
const maxSkipDepth = 32

// skip reads any value, discarding it.
func (d *decoder) skip(depth int) bool {
	if depth > maxSkipDepth {
		return false
	}
	d.space()
	if d.i >= len(d.b) {
		return false
	}
	switch d.b[d.i] {
	case '{':
		return d.object(func(string) bool { return d.skip(depth + 1) })
	case '[':
		return d.array(func() bool { return d.skip(depth + 1) })
	case '"':
		_, ok := d.str()
		return ok
	case 't', 'f':
		_, ok := d.bool()
		return ok
	case 'n':
		return d.null()
	}
	_, ok := d.number()
	return ok
}
