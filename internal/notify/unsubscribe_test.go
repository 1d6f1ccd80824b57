package notify

import (
	"errors"
	"strings"
	"testing"
)

var unsubSecret = []byte("0123456789abcdef-unsubscribe-secret")

func TestUnsubscribeTokenRoundTrip(t *testing.T) {
	for _, id := range []int64{1, 42, 1 << 40, 9223372036854775807} {
		tok := UnsubscribeToken(unsubSecret, id)
		if !strings.HasPrefix(tok, "v1.") || len(tok) > maxTokenLen {
			t.Fatalf("token %q: want v1. prefix and at most %d bytes", tok, maxTokenLen)
		}
		got, err := ParseUnsubscribeToken(unsubSecret, tok)
		if err != nil || got != id {
			t.Fatalf("ParseUnsubscribeToken(%q) = %d, %v; want %d", tok, got, err, id)
		}
	}
}

func TestUnsubscribeTokenRefused(t *testing.T) {
	good := UnsubscribeToken(unsubSecret, 42)
	mac := good[strings.LastIndex(good, ".")+1:]
	for name, tok := range map[string]string{
		"empty":          "",
		"other secret":   UnsubscribeToken([]byte("another secret, another daemon"), 42),
		"other id":       "v1.43." + mac,
		"leading zero":   "v1.042." + mac,
		"plus sign":      "v1.+42." + mac,
		"negative":       "v1.-42." + mac,
		"version 2":      "v2" + good[2:],
		"no mac":         "v1.42.",
		"padded base64":  good + "=",
		"truncated mac":  good[:len(good)-2],
		"extra part":     good + ".x",
		"over long":      good + strings.Repeat("A", maxTokenLen),
		"no dots at all": "v142",
	} {
		if id, err := ParseUnsubscribeToken(unsubSecret, tok); err == nil || !errors.Is(err, ErrBadUnsubscribeToken) {
			t.Errorf("%s: ParseUnsubscribeToken(%q) = %d, %v; want ErrBadUnsubscribeToken", name, tok, id, err)
		}
	}
	if _, err := ParseUnsubscribeToken(nil, UnsubscribeToken(nil, 42)); err == nil {
		t.Error("an empty secret verified a token")
	}
}

// FuzzParseUnsubscribeToken: no input panics, and whatever is accepted is
// exactly the token UnsubscribeToken makes for the id returned, so there is
// one token per subscription and no forged variant passes.
func FuzzParseUnsubscribeToken(f *testing.F) {
	f.Add(UnsubscribeToken(unsubSecret, 42))
	f.Add("v1.42.")
	f.Add("v1..")
	f.Add("v1.9223372036854775808.AAAA")
	f.Add("v1.1.\x00\xff")
	f.Fuzz(func(t *testing.T, tok string) {
		id, err := ParseUnsubscribeToken(unsubSecret, tok)
		if err != nil {
			return
		}
		if want := UnsubscribeToken(unsubSecret, id); tok != want {
			t.Fatalf("accepted %q for %d; the only valid token is %q", tok, id, want)
		}
	})
}
