package evidence

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"

	"github.com/markwatch/markwatch/internal/domain"
)

// maxTSAResponse bounds what is read from a TSA: a token with a chain of
// certificates is a few KB.
const maxTSAResponse = 1 << 20

// TSAClient asks an RFC 3161 Time-Stamping Authority over HTTP for tokens.
type TSAClient struct {
	URL  string
	HTTP *http.Client // default http.DefaultClient
	// Timeout bounds one request; default 30s.
	Timeout time.Duration
	// Roots, when set, is the CA pool the TSA's certificate must chain to
	// for a token to be accepted; without it a token's signature is
	// checked against the certificate it carries.
	Roots *x509.CertPool
}

// Stamp asks for a token over SHA-256 of data, with a fresh nonce and the
// TSA's certificate included, and returns the TimeStampToken (DER) and the
// time the TSA put in it. A token that does not verify, is over another
// hash or other data, or answers another nonce is refused.
func (c *TSAClient) Stamp(ctx context.Context, data []byte) ([]byte, time.Time, error) {
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("asking TSA %s: drawing a nonce: %w", c.URL, err)
	}
	req, err := timestamp.CreateRequest(bytes.NewReader(data), &timestamp.RequestOptions{
		Hash: crypto.SHA256, Certificates: true, Nonce: nonce,
	})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("asking TSA %s: building request: %w", c.URL, err)
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(req))
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("asking TSA %s: %w", c.URL, err)
	}
	hreq.Header.Set("Content-Type", "application/timestamp-query")
	hreq.Header.Set("Accept", "application/timestamp-reply")
	client := c.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(hreq)
	if err != nil {
		return nil, time.Time{}, domain.Errorf(domain.EUNAVAILABLE, "asking TSA %s: %v", c.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTSAResponse+1))
	if err != nil {
		return nil, time.Time{}, domain.Errorf(domain.EUNAVAILABLE, "asking TSA %s: reading the answer: %v", c.URL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, time.Time{}, domain.Errorf(domain.EUNAVAILABLE, "asking TSA %s: HTTP status %d", c.URL, resp.StatusCode)
	}
	if len(body) > maxTSAResponse {
		return nil, time.Time{}, fmt.Errorf("asking TSA %s: answer over %d bytes", c.URL, maxTSAResponse)
	}
	sum := sha256.Sum256(data)
	ts, err := ParseTSAResponse(body, sum[:], nonce, c.Roots)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("asking TSA %s: %w", c.URL, err)
	}
	return ts.RawToken, ts.Time.UTC(), nil
}

// ParseTSAResponse reads a TimeStampResp (DER) and checks the token in it
// against the SHA-256 digest asked for and the nonce sent (nil: none).
func ParseTSAResponse(der, digest []byte, nonce *big.Int, roots *x509.CertPool) (ts *timestamp.Timestamp, err error) {
	// The parsers below are fed bytes from the network; a malformed
	// answer must be refused, not crash the daemon.
	defer func() {
		if r := recover(); r != nil {
			ts, err = nil, domain.Errorf(domain.EINVALID, "TSA answer is malformed (%v)", r)
		}
	}()
	ts, err = timestamp.ParseResponse(der)
	if err != nil {
		// ParseResponse reports a refusal as "<status>: <text> (<failure>)".
		return nil, domain.Errorf(domain.EINVALID, "TSA answer refused or unreadable: %v", err)
	}
	if err := checkToken(ts, digest, roots); err != nil {
		return nil, err
	}
	if nonce != nil && (ts.Nonce == nil || ts.Nonce.Cmp(nonce) != 0) {
		return nil, domain.Errorf(domain.EINVALID, "TSA token answers nonce %v, not the %v sent: a replayed or misdirected answer", ts.Nonce, nonce)
	}
	return ts, nil
}

// VerifyToken checks a stored TimeStampToken (DER) over data and returns
// the time it states.
func VerifyToken(token, data []byte, roots *x509.CertPool) (at time.Time, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = domain.Errorf(domain.EINVALID, "timestamp token is malformed (%v)", r)
		}
	}()
	ts, err := timestamp.Parse(token)
	if err != nil {
		return time.Time{}, domain.Errorf(domain.EINVALID, "timestamp token unreadable or its signature does not match: %v", err)
	}
	sum := sha256.Sum256(data)
	if err := checkToken(ts, sum[:], roots); err != nil {
		return time.Time{}, err
	}
	return ts.Time.UTC(), nil
}

// checkToken holds a parsed token to what markwatch asks of one: over
// SHA-256, of the expected digest, signed by a time-stamping certificate
// (chaining to roots when given) that it carries. timestamp.Parse checks
// the signature only when a certificate is embedded, and never the chain,
// so both are checked here again.
func checkToken(ts *timestamp.Timestamp, digest []byte, roots *x509.CertPool) error {
	if ts.HashAlgorithm != crypto.SHA256 {
		return domain.Errorf(domain.EINVALID, "TSA token is over %v, not SHA-256: refused", ts.HashAlgorithm)
	}
	if !bytes.Equal(ts.HashedMessage, digest) {
		return domain.Errorf(domain.EINVALID, "TSA token is for other data: its imprint %x is not the SHA-256 %x", ts.HashedMessage, digest)
	}
	p7, err := pkcs7.Parse(ts.RawToken)
	if err != nil {
		return domain.Errorf(domain.EINVALID, "TSA token unreadable: %v", err)
	}
	if len(p7.Signers) != 1 {
		return domain.Errorf(domain.EINVALID, "TSA token has %d signers, want 1", len(p7.Signers))
	}
	signer := p7.GetOnlySigner()
	if signer == nil {
		return domain.Errorf(domain.EINVALID, "TSA token does not carry its signing certificate (asked with certReq)")
	}
	if !slices.Contains(signer.ExtKeyUsage, x509.ExtKeyUsageTimeStamping) {
		return domain.Errorf(domain.EINVALID, "TSA token signed by %q, a certificate not for time stamping", signer.Subject.String())
	}
	inter := x509.NewCertPool()
	for _, c := range p7.Certificates {
		inter.AddCert(c)
	}
	// The chain is judged at the token's own time: a TSA certificate that
	// has expired since does not undo the tokens it signed while valid.
	opts := x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
		CurrentTime:   ts.Time,
	}
	if err := p7.VerifyWithOpts(opts); err != nil {
		return domain.Errorf(domain.EINVALID, "TSA token signature does not verify: %v", err)
	}
	return nil
}
