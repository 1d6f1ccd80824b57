package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Unsubscribe tokens are what an e-mail's List-Unsubscribe link and the
// footer of every message carry: "v1.<subscription id>.<mac>", the mac
// being HMAC-SHA256 keyed with the daemon's unsubscribe secret over a
// domain-separated "markwatch unsubscribe v1" and the id, in unpadded
// base64url. The id is not secret (it is in the console's URLs); the mac is
// what stops anyone from unsubscribing someone else. Tokens do not expire:
// a link in a year-old e-mail should still work, and all it can do is turn
// one subscription off. The version lets a new scheme (with expiry, or
// another key) be told apart from these without guessing.
const (
	unsubscribeVersion = "v1"
	unsubscribeDomain  = "markwatch unsubscribe v1\x00"
	// maxTokenLen bounds what the parser looks at: a query parameter of
	// any length must not cost more than a short string.
	maxTokenLen = 128
)

// ErrBadUnsubscribeToken is every reason a token is refused, so the public
// route cannot be used to learn which part of a forgery was wrong.
var ErrBadUnsubscribeToken = errors.New("unsubscribe token is not valid")

// UnsubscribeToken returns the token that unsubscribes subscriptionID.
func UnsubscribeToken(secret []byte, subscriptionID int64) string {
	id := strconv.FormatInt(subscriptionID, 10)
	return unsubscribeVersion + "." + id + "." + base64.RawURLEncoding.EncodeToString(unsubscribeMAC(secret, id))
}

// ParseUnsubscribeToken verifies token and returns its subscription id. An
// empty secret verifies nothing: a daemon without one must not accept
// tokens anyone could compute.
func ParseUnsubscribeToken(secret []byte, token string) (int64, error) {
	if len(secret) == 0 || len(token) > maxTokenLen {
		return 0, fmt.Errorf("parsing unsubscribe token: %w", ErrBadUnsubscribeToken)
	}
	version, rest, ok1 := strings.Cut(token, ".")
	id, mac, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || version != unsubscribeVersion {
		return 0, fmt.Errorf("parsing unsubscribe token: %w", ErrBadUnsubscribeToken)
	}
	n, err := strconv.ParseInt(id, 10, 64)
	// Only the canonical spelling: "+7" or "007" would be a second token
	// for the same subscription.
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != id {
		return 0, fmt.Errorf("parsing unsubscribe token: %w", ErrBadUnsubscribeToken)
	}
	got, err := base64.RawURLEncoding.Strict().DecodeString(mac)
	if err != nil || !hmac.Equal(got, unsubscribeMAC(secret, id)) {
		return 0, fmt.Errorf("parsing unsubscribe token: %w", ErrBadUnsubscribeToken)
	}
	return n, nil
}

func unsubscribeMAC(secret []byte, id string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(unsubscribeDomain))
	m.Write([]byte(id))
	return m.Sum(nil)
}
