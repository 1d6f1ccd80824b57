package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// RecordHash is the hex SHA-256 of the capture's canonical record, the leaf
// of the evidence log. ID, RecordHash and LogIndex are not part of it: the
// store assigns them, and the log position is proven by the tree instead.
//
// The canonical record is JSON without insignificant white space, object
// keys sorted bytewise at every level and every field always present:
//
//	{"alert_id":7,
//	 "artefacts":[{"media_type":"text/html","role":"search_page","sha256":"…","size":81920}],
//	 "captured_at":"2026-12-01T21:58:14.123456789Z",
//	 "fetch":{"fetched_at":"…","final_url":"…","headers":{"Content-Type":["text/html"]},
//	          "remote_addr":"…","rendered":false,"request_url":"…","status":200,"user_agent":"…"},
//	 "listing_url":"…","mark_id":"…","markwatch_version":"…","source_id":"…","version":1}
//
// (shown wrapped; the hashed form is one line). Times are UTC RFC 3339 with
// nanoseconds and trailing zeros dropped (time.RFC3339Nano), so the store
// must keep nanoseconds. Integers are decimal. Artefacts and header values
// keep their order; a missing header map or artefact list is written as {}
// or []. Strings are JSON strings as encoding/json writes them without HTML
// escaping; a string that is not valid UTF-8 — which JSON cannot hold
// byte for byte — is written as {"invalid_utf8_base64":"<base64 of its
// bytes>"}, so two different byte strings never share a record. A header
// name, which must stay a JSON string, is written "invalid_utf8_base64:<base64>"
// instead: a name with a colon cannot come off the wire, so this too is
// unambiguous. Header names are sorted by their bytes before that.
func RecordHash(c domain.Capture) string {
	sum := sha256.Sum256(CanonicalRecord(c))
	return hex.EncodeToString(sum[:])
}

// CanonicalRecord is the byte string RecordHash hashes, for tools that
// show or export what was hashed.
func CanonicalRecord(c domain.Capture) []byte {
	var w canon
	w.open('{')
	w.key("alert_id").int(c.AlertID)
	w.key("artefacts").open('[')
	for i, a := range c.Artefacts {
		if i > 0 {
			w.b.WriteByte(',')
		}
		w.open('{')
		w.key("media_type").str(a.MediaType)
		w.key("role").str(a.Role)
		w.key("sha256").str(a.SHA256)
		w.key("size").int(a.Size)
		w.close('}')
	}
	w.close(']')
	w.key("captured_at").time(c.CapturedAt)
	f := c.Fetch
	w.key("fetch").open('{')
	w.key("fetched_at").time(f.FetchedAt)
	w.key("final_url").str(f.FinalURL)
	w.key("headers").open('{')
	names := make([]string, 0, len(f.Headers))
	for k := range f.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		w.key(headerKey(k)).open('[')
		for i, v := range f.Headers[k] {
			if i > 0 {
				w.b.WriteByte(',')
			}
			w.str(v)
		}
		w.close(']')
	}
	w.close('}')
	w.key("remote_addr").str(f.RemoteAddr)
	w.key("rendered").bool(f.Rendered)
	w.key("request_url").str(f.RequestURL)
	w.key("status").int(int64(f.Status))
	w.key("user_agent").str(f.UserAgent)
	w.close('}')
	w.key("listing_url").str(c.ListingURL)
	w.key("mark_id").str(c.MarkID)
	w.key("markwatch_version").str(c.MarkwatchVersion)
	w.key("source_id").str(c.SourceID)
	w.key("version").int(int64(c.Version))
	w.close('}')
	return w.b.Bytes()
}

// headerKey is the name a header is written under (see RecordHash).
func headerKey(k string) string {
	if utf8.ValidString(k) {
		return k
	}
	return "invalid_utf8_base64:" + base64.StdEncoding.EncodeToString([]byte(k))
}

// canon writes the canonical JSON. It tracks whether a comma is due so the
// writer above reads as the record's shape.
type canon struct {
	b bytes.Buffer
	// first is set right after an opening bracket, when the next member
	// needs no comma.
	first bool
}

func (w *canon) open(c byte) *canon {
	w.b.WriteByte(c)
	w.first = true
	return w
}

func (w *canon) close(c byte) *canon {
	w.b.WriteByte(c)
	w.first = false
	return w
}

func (w *canon) key(k string) *canon {
	if !w.first {
		w.b.WriteByte(',')
	}
	w.first = false
	w.str(k)
	w.b.WriteByte(':')
	return w
}

func (w *canon) int(n int64) { w.b.WriteString(strconv.FormatInt(n, 10)) }

func (w *canon) bool(v bool) { w.b.WriteString(strconv.FormatBool(v)) }

func (w *canon) time(t time.Time) { w.str(t.UTC().Format(time.RFC3339Nano)) }

func (w *canon) str(s string) {
	if !utf8.ValidString(s) {
		w.b.WriteString(`{"invalid_utf8_base64":"`)
		w.b.WriteString(base64.StdEncoding.EncodeToString([]byte(s)))
		w.b.WriteString(`"}`)
		w.first = false
		return
	}
	enc := json.NewEncoder(&w.b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)           // a valid string always encodes
	w.b.Truncate(w.b.Len() - 1) // Encode's newline
	w.first = false
}
