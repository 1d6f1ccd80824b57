// Package evidencetest holds test helpers for evidence: a local RFC 3161
// Time-Stamping Authority with its own test CA.
package evidencetest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/digitorus/timestamp"
)

// Mode is how the TSA answers.
type Mode int

const (
	ModeOK          Mode = iota // a valid token
	ModeUnavailable             // HTTP 503, as a TSA under maintenance
	ModeGarbage                 // 200 with bytes that are no TimeStampResp
	ModeReject                  // a TimeStampResp with status rejection
	ModeSHA512                  // a valid token, but over SHA-512 instead of what was asked
	ModeOtherData               // a valid token over some other digest
	ModeWrongNonce              // a valid token echoing another nonce
)

// TSA is a local Time-Stamping Authority for tests.
type TSA struct {
	URL     string
	CAPEM   []byte // the test root CA, for openssl -CAfile
	CertPEM []byte // the TSA's certificate, for openssl -untrusted
	CA      *x509.Certificate
	Cert    *x509.Certificate

	key crypto.Signer

	mu       sync.Mutex
	mode     Mode
	requests int
	now      func() time.Time
}

// NewTSA starts a TSA on a local port, stopped when the test ends. Its
// certificate is an ECDSA P-256 leaf of a generated root, with the one
// extended key usage id-kp-timeStamping marked critical (RFC 3161 2.3,
// which openssl ts -verify insists on) and key usage digitalSignature.
func NewTSA(t testing.TB) *TSA {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "markwatch test root CA", Organization: []string{"markwatch tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// crypto/x509 writes ExtKeyUsage as non-critical; the extension is
	// built by hand to mark it critical.
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:    big.NewInt(2),
		Subject:         pkix.Name{CommonName: "markwatch test TSA", Organization: []string{"markwatch tests"}},
		NotBefore:       now.Add(-time.Hour),
		NotAfter:        now.Add(24 * time.Hour),
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	tsa := &TSA{
		CAPEM:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		CA:      ca,
		Cert:    cert,
		key:     key,
		now:     time.Now,
	}
	srv := httptest.NewServer(http.HandlerFunc(tsa.serve))
	t.Cleanup(srv.Close)
	tsa.URL = srv.URL
	return tsa
}

// CertPool holds the test root CA.
func (a *TSA) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(a.CA)
	return p
}

// SetMode changes how the TSA answers from the next request on.
func (a *TSA) SetMode(m Mode) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mode = m
}

// Requests is how many requests reached the TSA.
func (a *TSA) Requests() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.requests
}

func (a *TSA) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.requests++
	mode := a.mode
	a.mu.Unlock()

	switch mode {
	case ModeUnavailable:
		http.Error(w, "TSA under maintenance", http.StatusServiceUnavailable)
		return
	case ModeGarbage:
		w.Header().Set("Content-Type", "application/timestamp-reply")
		_, _ = w.Write([]byte("<html>not a timestamp</html>"))
		return
	case ModeReject:
		a.reply(w, mustErrorResponse(timestamp.Rejection, timestamp.BadAlgorithm))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req, err := timestamp.ParseRequest(body)
	if err != nil {
		a.reply(w, mustErrorResponse(timestamp.Rejection, timestamp.BadDataFormat))
		return
	}
	ts := timestamp.Timestamp{
		HashAlgorithm:     req.HashAlgorithm,
		HashedMessage:     req.HashedMessage,
		Time:              a.now().UTC().Truncate(time.Second),
		Accuracy:          time.Second,
		Nonce:             req.Nonce,
		Policy:            asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1},
		AddTSACertificate: req.Certificates,
	}
	switch mode {
	case ModeSHA512:
		sum := sha512.Sum512(req.HashedMessage)
		ts.HashAlgorithm, ts.HashedMessage = crypto.SHA512, sum[:]
	case ModeOtherData:
		other := append([]byte(nil), req.HashedMessage...)
		other[0] ^= 0xff
		ts.HashedMessage = other
	case ModeWrongNonce:
		ts.Nonce = big.NewInt(1)
		if req.Nonce != nil {
			ts.Nonce.Add(ts.Nonce, req.Nonce)
		}
	}
	resp, err := ts.CreateResponseWithOpts(a.Cert, a.key, crypto.SHA256)
	if err != nil {
		a.reply(w, mustErrorResponse(timestamp.Rejection, timestamp.SystemFailure))
		return
	}
	a.reply(w, resp)
}

func (a *TSA) reply(w http.ResponseWriter, der []byte) {
	w.Header().Set("Content-Type", "application/timestamp-reply")
	_, _ = w.Write(der)
}

func mustErrorResponse(s timestamp.Status, f timestamp.FailureInfo) []byte {
	b, err := timestamp.CreateErrorResponse(s, f)
	if err != nil {
		panic(err) // fixed inputs: cannot fail
	}
	return b
}
