package access

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// Prefixes tell a secret's kind at a glance (and to secret scanners): API
// tokens start mwt_, console session cookies mws_.
const (
	TokenPrefix   = "mwt_"
	SessionPrefix = "mws_"
)

const (
	secretBytes = 32                             // 256 bits: not guessable, no need for a slow hash
	secretChars = (secretBytes*8 + 5) / 6        // base64url without padding: 43
	shownChars  = 8                              // prefix + 4 characters, enough to tell tokens apart
	maxSecret   = len(TokenPrefix) + secretChars // longest secret a request may present
)

// NewSecret returns a fresh random secret starting with prefix, the hash
// to store (HashSecret) and the part shown in lists.
func NewSecret(prefix string) (secret, hash, shown string, err error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", "", fmt.Errorf("generating a secret: %w", err)
	}
	secret = prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret), secret[:min(shownChars, len(secret))], nil
}

// HashSecret is the SHA-256 (hex) of a token or session secret, the form
// the store keeps. A fast hash is right here: the secrets are 256 random
// bits, so there is nothing to brute-force.
func HashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// wellFormedSecret reports whether s looks like a secret NewSecret(prefix)
// made, so junk never reaches the store.
func wellFormedSecret(s, prefix string) bool {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok || len(rest) != secretChars {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if !isBase64URL(rest[i]) {
			return false
		}
	}
	return true
}

func isBase64URL(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}
