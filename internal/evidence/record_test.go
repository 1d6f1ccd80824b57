package evidence

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func sampleCapture() domain.Capture {
	return domain.Capture{
		ID: 9, AlertID: 7, Version: 1, SourceID: "taobao", MarkID: "nike",
		ListingURL: "https://item.taobao.com/item.htm?id=6123",
		Fetch: domain.Fetch{
			RequestURL: "https://s.taobao.com/search?q=耐克",
			FinalURL:   "https://s.taobao.com/search?q=%E8%80%90%E5%85%8B",
			Status:     200,
			Headers: map[string][]string{
				"Content-Type": {"text/html; charset=utf-8"},
				"Set-Cookie":   {"a=1", "b=2"},
				"Server":       {"Tengine"},
				"X-Trace":      {"<&>"},
			},
			Body:       []byte("not hashed: the body is an artefact"),
			FetchedAt:  time.Date(2026, 12, 1, 21, 58, 14, 123456789, time.FixedZone("CST", 8*3600)),
			UserAgent:  "markwatch/1.0",
			RemoteAddr: "140.205.94.189:443",
		},
		Artefacts: []domain.ArtefactRef{
			{Role: domain.RoleSearchPage, SHA256: strings.Repeat("ab", 32), Size: 81920, MediaType: "text/html"},
			{Role: domain.RoleImage, SHA256: strings.Repeat("cd", 32), Size: 30000, MediaType: "image/jpeg"},
		},
		MarkwatchVersion: "v0.9.0",
		CapturedAt:       time.Date(2026, 12, 1, 13, 58, 15, 0, time.UTC),
		RecordHash:       "ignored",
		LogIndex:         41,
	}
}

// The canonical form is a contract with every verifier that will ever
// read old evidence: pin it byte for byte.
func TestCanonicalRecordGolden(t *testing.T) {
	got := string(CanonicalRecord(sampleCapture()))
	want := `{"alert_id":7,"artefacts":[{"media_type":"text/html","role":"search_page","sha256":"` + strings.Repeat("ab", 32) +
		`","size":81920},{"media_type":"image/jpeg","role":"image","sha256":"` + strings.Repeat("cd", 32) +
		`","size":30000}],"captured_at":"2026-12-01T13:58:15Z","fetch":{"fetched_at":"2026-12-01T13:58:14.123456789Z",` +
		`"final_url":"https://s.taobao.com/search?q=%E8%80%90%E5%85%8B","headers":{"Content-Type":["text/html; charset=utf-8"],` +
		`"Server":["Tengine"],"Set-Cookie":["a=1","b=2"],"X-Trace":["<&>"]},"remote_addr":"140.205.94.189:443","rendered":false,` +
		`"request_url":"https://s.taobao.com/search?q=耐克","status":200,"user_agent":"markwatch/1.0"},` +
		`"listing_url":"https://item.taobao.com/item.htm?id=6123","mark_id":"nike","markwatch_version":"v0.9.0","source_id":"taobao","version":1}`
	if got != want {
		t.Fatalf("canonical record changed:\n got %s\nwant %s", got, want)
	}
	if !json.Valid([]byte(got)) {
		t.Fatal("canonical record is not JSON")
	}
	// sha256sum of the line above, as an investigator would compute it.
	if h := RecordHash(sampleCapture()); h != "935feeb4337fa25ea9d5d1eb634a3a7d36e7f5c8588a270d1f6d4408e9c8a504" {
		t.Errorf("record hash %s changed", h)
	}
}

// Header maps iterate in random order; the hash must not.
func TestRecordHashStableAcrossMapOrder(t *testing.T) {
	c := sampleCapture()
	want := RecordHash(c)
	for i := 0; i < 100; i++ {
		h := map[string][]string{}
		keys := []string{"X-Trace", "Server", "Set-Cookie", "Content-Type"}
		for j := range keys {
			k := keys[(i+j)%len(keys)]
			h[k] = c.Fetch.Headers[k]
		}
		d := c
		d.Fetch.Headers = h
		if got := RecordHash(d); got != want {
			t.Fatalf("hash changed with header insertion order: %s, want %s", got, want)
		}
	}
	// What the store assigns, and the body (an artefact), are not hashed.
	d := c
	d.ID, d.RecordHash, d.LogIndex, d.Fetch.Body = 1, "x", 0, nil
	if RecordHash(d) != want {
		t.Error("ID, RecordHash, LogIndex or Fetch.Body changed the hash")
	}
	// A time read back from the store in UTC is the same record.
	d.Fetch.FetchedAt = d.Fetch.FetchedAt.UTC()
	if RecordHash(d) != want {
		t.Error("the same instant in another zone changed the hash")
	}
	// Missing and empty collections are the same record.
	e, f := c, c
	e.Fetch.Headers, e.Artefacts = nil, nil
	f.Fetch.Headers, f.Artefacts = map[string][]string{}, []domain.ArtefactRef{}
	if RecordHash(e) != RecordHash(f) {
		t.Error("nil and empty headers/artefacts hash differently")
	}
}

// Every field a court may rely on changes the hash. The reflection below
// walks every field of Capture, Fetch and ArtefactRef, so a field added
// to the domain later fails this test until it is hashed or excluded here
// on purpose.
func TestRecordHashCoversEveryField(t *testing.T) {
	excluded := map[string]bool{"Capture.ID": true, "Capture.RecordHash": true, "Capture.LogIndex": true, "Fetch.Body": true}
	base := sampleCapture()
	want := RecordHash(base)
	var walk func(prefix string, v reflect.Value)
	walk = func(prefix string, v reflect.Value) {
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			name := v.Type().Name() + "." + v.Type().Field(i).Name
			if excluded[name] {
				continue
			}
			if f.Kind() == reflect.Struct && f.Type() != reflect.TypeOf(time.Time{}) {
				walk(prefix+name+".", f)
				continue
			}
			old := reflect.ValueOf(f.Interface())
			mutate(t, name, f)
			if RecordHash(base) == want {
				t.Errorf("changing %s%s does not change the record hash", prefix, name)
			}
			f.Set(old)
			if RecordHash(base) != want {
				t.Fatalf("restoring %s did not restore the hash", name)
			}
		}
	}
	walk("", reflect.ValueOf(&base).Elem())
	// Inside the collections: each artefact field, order, header values.
	for _, change := range []func(c *domain.Capture){
		func(c *domain.Capture) { c.Artefacts[0].SHA256 = strings.Repeat("ef", 32) },
		func(c *domain.Capture) { c.Artefacts[1].Role = domain.RoleScreenshot },
		func(c *domain.Capture) { c.Artefacts[0].Size++ },
		func(c *domain.Capture) { c.Artefacts[0].MediaType = "text/plain" },
		func(c *domain.Capture) { c.Artefacts[0], c.Artefacts[1] = c.Artefacts[1], c.Artefacts[0] },
		func(c *domain.Capture) { c.Artefacts = c.Artefacts[:1] },
		func(c *domain.Capture) { c.Fetch.Headers["Set-Cookie"] = []string{"b=2", "a=1"} },
		func(c *domain.Capture) {
			c.Fetch.Headers["server"] = c.Fetch.Headers["Server"]
			delete(c.Fetch.Headers, "Server")
		},
		func(c *domain.Capture) { c.Fetch.Headers["Server"] = nil },
		func(c *domain.Capture) { c.CapturedAt = c.CapturedAt.Add(time.Nanosecond) },
	} {
		c := sampleCapture()
		c.Artefacts = append([]domain.ArtefactRef(nil), c.Artefacts...)
		h := map[string][]string{}
		for k, v := range c.Fetch.Headers {
			h[k] = v
		}
		c.Fetch.Headers = h
		change(&c)
		if RecordHash(c) == want {
			t.Errorf("change %+v kept the hash", c)
		}
	}
}

func mutate(t *testing.T, name string, f reflect.Value) {
	switch f.Kind() {
	case reflect.String:
		f.SetString(f.String() + "x")
	case reflect.Int, reflect.Int64:
		f.SetInt(f.Int() + 1)
	case reflect.Bool:
		f.SetBool(!f.Bool())
	case reflect.Map:
		f.Set(reflect.ValueOf(map[string][]string{"Other": {"1"}}))
	case reflect.Slice:
		f.Set(reflect.Zero(f.Type()))
	case reflect.Struct: // time.Time
		f.Set(reflect.ValueOf(f.Interface().(time.Time).Add(time.Second)))
	default:
		t.Fatalf("field %s of kind %s: teach the test to change it", name, f.Kind())
	}
}

// Strings JSON cannot carry byte for byte still hash apart.
func TestRecordHashInvalidUTF8(t *testing.T) {
	a, b, c := sampleCapture(), sampleCapture(), sampleCapture()
	a.ListingURL = "https://x/\xff"
	b.ListingURL = "https://x/\xfe"
	c.ListingURL = "https://x/\uFFFD"
	if RecordHash(a) == RecordHash(b) || RecordHash(a) == RecordHash(c) {
		t.Error("invalid UTF-8 strings collide")
	}
	if !json.Valid(CanonicalRecord(a)) {
		t.Error("canonical record with invalid UTF-8 is not JSON")
	}
}

func FuzzRecordHash(f *testing.F) {
	f.Add("https://item.taobao.com/item.htm?id=1", "耐克", "Server", "\xff")
	f.Add("", "", "", "")
	f.Add(`"},"x":"`, "\u2028", "a\"b", "\x00")
	f.Fuzz(func(t *testing.T, url, ua, hdrKey, hdrVal string) {
		c := sampleCapture()
		c.ListingURL, c.Fetch.UserAgent = url, ua
		c.Fetch.Headers = map[string][]string{hdrKey: {hdrVal}}
		rec := CanonicalRecord(c)
		if !json.Valid(rec) {
			t.Fatalf("not JSON: %q", rec)
		}
		// The record reads back to the same strings: no field can
		// spill into another.
		var back struct {
			ListingURL any `json:"listing_url"`
			Fetch      struct {
				UserAgent any `json:"user_agent"`
			} `json:"fetch"`
		}
		if err := json.Unmarshal(rec, &back); err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct {
			in  string
			out any
		}{{url, back.ListingURL}, {ua, back.Fetch.UserAgent}} {
			if got := readBack(t, f.out); got != f.in {
				t.Fatalf("%q read back as %q", f.in, got)
			}
		}
		// Moving a byte between two fields changes the hash.
		d := c
		d.ListingURL, d.Fetch.UserAgent = url+"x", ua
		if RecordHash(d) == RecordHash(c) {
			t.Fatal("different URL, same hash")
		}
		if len(ua) > 0 {
			e := c
			e.ListingURL, e.Fetch.UserAgent = url+ua[:1], ua[1:]
			if RecordHash(e) == RecordHash(c) {
				t.Fatalf("a byte moved from user agent to URL kept the hash")
			}
		}
	})
}

// readBack decodes a canonical string: a JSON string, or the object that
// holds invalid UTF-8.
func readBack(t *testing.T, v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		b, err := base64.StdEncoding.DecodeString(v["invalid_utf8_base64"].(string))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	t.Fatalf("unexpected %T", v)
	return ""
}
