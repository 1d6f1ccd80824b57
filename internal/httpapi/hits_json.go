package httpapi

import (
	"math"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// writeHitList answers a hit search with page as JSON, the same bytes
// writeJSON writes (TestHitListJSONIsEncodingJSONs holds them equal), but
// appended by hand into one buffer sent with its length. encoding/json's
// reflection was a sixth of the daemon's CPU per search at 100k hits, for
// the one answer the console asks for on every keystroke (issue 12).
//
// A value encoding/json refuses (a NaN score, a year past 9999) goes to
// writeJSON, which refuses it as before.
func writeHitList(w http.ResponseWriter, page hitList) {
	buf, ok := appendHitList(make([]byte, 0, 128+600*len(page.Hits)), page)
	if !ok {
		writeJSON(w, http.StatusOK, page)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf) // the status is out; only a client gone away fails here
}

// appendHitList appends page as json.Encoder (HTML left unescaped) would,
// its newline included. It reports false, with b unusable, for a value
// encoding/json would refuse.
func appendHitList(b []byte, page hitList) ([]byte, bool) {
	b = append(b, `{"hits":`...)
	if page.Hits == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, h := range page.Hits {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendHit(b, h); !ok {
				return nil, false
			}
		}
		b = append(b, ']')
	}
	b = append(b, `,"total":`...)
	b = strconv.AppendInt(b, int64(page.Total), 10)
	b = append(b, `,"total_estimated":`...)
	b = strconv.AppendBool(b, page.TotalEstimated)
	b = append(b, `,"limit":`...)
	b = strconv.AppendInt(b, int64(page.Limit), 10)
	b = append(b, `,"offset":`...)
	b = strconv.AppendInt(b, int64(page.Offset), 10)
	if page.Facets != nil {
		var ok bool
		if b, ok = appendFacets(append(b, `,"facets":`...), page.Facets); !ok {
			return nil, false
		}
	}
	return append(b, "}\n"...), true
}

// appendHit appends h with domain.Hit's JSON names, in its field order.
func appendHit(b []byte, h domain.Hit) ([]byte, bool) {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, h.ID, 10)
	b = append(b, `,"listing_id":`...)
	b = strconv.AppendInt(b, h.ListingID, 10)
	b = append(b, `,"source_id":`...)
	b = appendJSONString(b, h.SourceID)
	b = append(b, `,"mark_id":`...)
	b = appendJSONString(b, h.MarkID)
	b = append(b, `,"title":`...)
	b = appendJSONString(b, h.Title)
	b = append(b, `,"url":`...)
	b = appendJSONString(b, h.URL)
	b = append(b, `,"seller":`...)
	b = appendJSONString(b, h.Seller)
	b = append(b, `,"location":`...)
	b = appendJSONString(b, h.Location)
	var ok1, ok2 bool
	b = append(b, `,"price":`...)
	b, ok1 = appendJSONFloat(b, h.Price)
	b = append(b, `,"score":`...)
	b, ok2 = appendJSONFloat(b, h.Score)
	if !ok1 || !ok2 {
		return nil, false
	}
	b = append(b, `,"alert":`...)
	b = strconv.AppendBool(b, h.Alert)
	b = append(b, `,"reasons":`...)
	if h.Reasons == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, r := range h.Reasons {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"tactic":`...)
			b = appendJSONString(b, r.Tactic)
			b = append(b, `,"text":`...)
			b = appendJSONString(b, r.Text)
			b = append(b, `,"start":`...)
			b = strconv.AppendInt(b, int64(r.Start), 10)
			b = append(b, `,"end":`...)
			b = strconv.AppendInt(b, int64(r.End), 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	var ok bool
	b = append(b, `,"first_seen":`...)
	if b, ok = appendJSONTime(b, h.FirstSeen); !ok {
		return nil, false
	}
	b = append(b, `,"last_seen":`...)
	if b, ok = appendJSONTime(b, h.LastSeen); !ok {
		return nil, false
	}
	return append(b, '}'), true
}

// appendJSONTime is time.Time's MarshalJSON: RFC 3339 with the fraction
// it has, refused outside years 0 to 9999.
func appendJSONTime(b []byte, t time.Time) ([]byte, bool) {
	if y := t.Year(); y < 0 || y > 9999 {
		return nil, false
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), true
}

// appendJSONFloat formats f as encoding/json does (the shortest form that
// reads back the same, plain digits between 1e-6 and 1e21, an exponent
// without a leading zero outside); NaN and infinities are refused.
func appendJSONFloat(b []byte, f float64) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, false
	}
	abs := math.Abs(f)
	if abs == 0 || (abs >= 1e-6 && abs < 1e21) {
		return strconv.AppendFloat(b, f, 'f', -1, 64), true
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, 'e', -1, 64)
	// strconv writes e-07; JSON encoders write e-7.
	if n := len(b); n-start >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1]
		b = b[:n-1]
	}
	return b, true
}

// appendJSONString quotes s as encoding/json does with HTML escaping off:
// quote, backslash and control characters escaped (\b \f \n \r \t by
// name, the others as \u00XX), invalid UTF-8 replaced by \ufffd, and
// U+2028 and U+2029 escaped because JavaScript reads them as line breaks.
// Everything else, Chinese included, is copied as it is.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	copied := 0 // s[copied:i] is pending, to be copied in one append
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[copied:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, `\b`...)
			case '\f':
				b = append(b, `\f`...)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			copied = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[copied:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[copied:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		copied = i
	}
	b = append(b, s[copied:]...)
	return append(b, '"')
}
