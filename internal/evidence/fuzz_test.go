package evidence

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"io"
	"math/big"
	"net/http"
	"testing"

	"github.com/digitorus/timestamp"

	"github.com/markwatch/markwatch/internal/evidence/evidencetest"
)

// FuzzParseTSAResponse feeds the response path what a hostile or broken
// TSA might answer. It must never panic, and whatever it accepts must be a
// token over the digest asked for, with the nonce sent, chaining to the CA.
func FuzzParseTSAResponse(f *testing.F) {
	tsa := evidencetest.NewTSA(f)
	digest := sha256.Sum256([]byte("markwatch evidence tree head v1\n1\n00\n2026-12-01T22:00:00Z\n"))
	nonce := big.NewInt(424242)
	req, err := (&timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: digest[:], Nonce: nonce, Certificates: true}).Marshal()
	if err != nil {
		f.Fatal(err)
	}
	ask := func(mode evidencetest.Mode) []byte {
		tsa.SetMode(mode)
		resp, err := http.Post(tsa.URL, "application/timestamp-query", bytes.NewReader(req))
		if err != nil {
			f.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	good := ask(evidencetest.ModeOK)
	if _, err := ParseTSAResponse(good, digest[:], nonce, tsa.CertPool()); err != nil {
		f.Fatalf("seed response refused: %v", err)
	}
	f.Add(good)
	for _, m := range []evidencetest.Mode{evidencetest.ModeReject, evidencetest.ModeSHA512, evidencetest.ModeOtherData, evidencetest.ModeWrongNonce, evidencetest.ModeGarbage} {
		f.Add(ask(m))
	}
	f.Add(good[:len(good)/2])
	f.Add([]byte{0x30, 0x80})
	f.Add([]byte{})
	roots := tsa.CertPool()
	f.Fuzz(func(t *testing.T, der []byte) {
		ts, err := ParseTSAResponse(der, digest[:], nonce, roots)
		if err != nil {
			return
		}
		if !bytes.Equal(ts.HashedMessage, digest[:]) || ts.Nonce.Cmp(nonce) != 0 || ts.HashAlgorithm != crypto.SHA256 {
			t.Fatalf("accepted a token over %x with nonce %v", ts.HashedMessage, ts.Nonce)
		}
		if _, err := VerifyToken(ts.RawToken, []byte("markwatch evidence tree head v1\n1\n00\n2026-12-01T22:00:00Z\n"), roots); err != nil {
			t.Fatalf("accepted response whose token does not verify: %v", err)
		}
	})
}
