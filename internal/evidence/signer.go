package evidence

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/keyfile"
)

// headTextPrefix names the format of what a tree head's signature and
// timestamp cover, so the same bytes can never be read as anything else.
const headTextPrefix = "markwatch evidence tree head v1\n"

// HeadText is the canonical text of a tree head, what its ed25519 signature
// and its RFC 3161 timestamp cover:
//
//	markwatch evidence tree head v1
//	<size, decimal>
//	<root hash, lower-case hex>
//	<created at, UTC RFC 3339 with nanoseconds>
//
// each line ending in "\n". It is plain text so that an investigator can
// reproduce it with a text editor and check it with openssl.
func HeadText(size int64, rootHex string, createdAt time.Time) []byte {
	b := make([]byte, 0, len(headTextPrefix)+20+65+36)
	b = append(b, headTextPrefix...)
	b = strconv.AppendInt(b, size, 10)
	b = append(b, '\n')
	b = append(b, rootHex...)
	b = append(b, '\n')
	b = append(b, createdAt.UTC().Format(time.RFC3339Nano)...)
	b = append(b, '\n')
	return b
}

// headTextOf is HeadText of h.
func headTextOf(h domain.TreeHead) []byte { return HeadText(h.Size, h.RootHash, h.CreatedAt) }

// Signer signs tree heads with the daemon's ed25519 key.
type Signer struct {
	priv  ed25519.PrivateKey
	keyID string
}

// LoadSigner reads the key seed (64 hex characters) from path, generating
// it with mode 0600 at first start (DATA_DIR/evidence.key).
func LoadSigner(path string) (*Signer, error) {
	seedHex, err := keyfile.LoadOrCreate(path, 2*ed25519.SeedSize)
	if err != nil {
		return nil, fmt.Errorf("loading evidence key: %w", err)
	}
	seed, err := hex.DecodeString(seedHex)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("loading evidence key %s: want %d hex characters of seed; delete it to generate a new one", path, 2*ed25519.SeedSize)
	}
	return NewSigner(ed25519.NewKeyFromSeed(seed)), nil
}

// NewSigner signs with priv.
func NewSigner(priv ed25519.PrivateKey) *Signer {
	return &Signer{priv: priv, keyID: KeyID(priv.Public().(ed25519.PublicKey))}
}

// KeyID names a public key: hex SHA-256 of its 32 bytes.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:])
}

// KeyID is the signing key's id.
func (s *Signer) KeyID() string { return s.keyID }

// PublicKey is the key heads verify with.
func (s *Signer) PublicKey() ed25519.PublicKey { return s.priv.Public().(ed25519.PublicKey) }

// Sign fills h's Signature and KeyID over its head text.
func (s *Signer) Sign(h domain.TreeHead) domain.TreeHead {
	h.CreatedAt = h.CreatedAt.UTC()
	h.Signature = hex.EncodeToString(ed25519.Sign(s.priv, headTextOf(h)))
	h.KeyID = s.keyID
	return h
}

// VerifyHead checks h's signature with the signer's own key.
func (s *Signer) VerifyHead(h domain.TreeHead) error { return VerifyHead(s.PublicKey(), h) }

// VerifyHead checks that h was signed by pub.
func VerifyHead(pub ed25519.PublicKey, h domain.TreeHead) error {
	if h.KeyID != KeyID(pub) {
		return domain.Errorf(domain.EINVALID, "tree head %d: signed by key %s, not %s", h.ID, h.KeyID, KeyID(pub))
	}
	sig, err := hex.DecodeString(h.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return domain.Errorf(domain.EINVALID, "tree head %d: signature is not %d bytes of hex", h.ID, ed25519.SignatureSize)
	}
	if !ed25519.Verify(pub, headTextOf(h), sig) {
		return domain.Errorf(domain.EINVALID, "tree head %d: signature does not match its size, root and time", h.ID)
	}
	return nil
}
