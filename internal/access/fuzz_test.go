package access

import (
	"strings"
	"testing"
)

// FuzzParseHash: no input panics or slips past the bounds, and whatever
// parses is in canonical form (formatting it gives the input back), so a
// hash has one spelling.
func FuzzParseHash(f *testing.F) {
	good, _ := hashWith(cheapParams(), "pw")
	for _, s := range []string{good, "", "$argon2id$v=19$m=8,t=1,p=1$$", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "$$$$$", strings.Repeat("$", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parseHash(s)
		if err != nil {
			return
		}
		p := h.params
		if p.memory > maxArgonMemoryKiB || p.time < 1 || p.time > maxArgonTime || p.threads < 1 || p.threads > maxArgonThreads ||
			p.memory < 8*uint32(p.threads) || len(h.salt) < minSaltLen || len(h.key) < minKeyLen || int(p.keyLen) != len(h.key) {
			t.Fatalf("out-of-bounds hash parsed: %+v", p)
		}
		if got := formatHash(h); got != s {
			t.Fatalf("not canonical: %q formats as %q", s, got)
		}
	})
}

// FuzzBearer: no header panics; what parses is one non-empty token of
// b64token characters that parses back to itself.
func FuzzBearer(f *testing.F) {
	for _, s := range []string{"Bearer mwt_abc", "bearer  x", "Bearer", "Bearer ", "Basic abc", "Bearer a b", "Bearer \x00", "BEARER ===", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		tok, err := parseBearer(h)
		if err != nil {
			if tok != "" {
				t.Fatal("token with an error")
			}
			return
		}
		if tok == "" || len(tok) > maxAuthorization || strings.ContainsAny(tok, " \t\r\n\"',;") {
			t.Fatalf("bad token %q from %q", tok, h)
		}
		if again, err := parseBearer("Bearer " + tok); err != nil || again != tok {
			t.Fatalf("%q does not parse back: %q %v", tok, again, err)
		}
	})
}
