package evidence

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/evidence/evidencetest"
)

func TestTSAClientStamps(t *testing.T) {
	tsa := evidencetest.NewTSA(t)
	c := &TSAClient{URL: tsa.URL, Roots: tsa.CertPool(), Timeout: 5 * time.Second}
	text := HeadText(3, strings.Repeat("ab", 32), time.Date(2026, 12, 1, 22, 0, 0, 5, time.UTC))
	token, at, err := c.Stamp(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(at) > time.Minute || len(token) == 0 {
		t.Fatalf("token of %d bytes at %v", len(token), at)
	}
	if _, err := VerifyToken(token, text, tsa.CertPool()); err != nil {
		t.Fatalf("stored token does not verify: %v", err)
	}
	if _, err := VerifyToken(token, append(text, 'x'), tsa.CertPool()); err == nil || !strings.Contains(err.Error(), "other data") {
		t.Errorf("token checked against other text: err = %v, want 'other data'", err)
	}
	// A token chaining to another CA is refused when a pool is given.
	other := evidencetest.NewTSA(t)
	if _, err := VerifyToken(token, text, other.CertPool()); err == nil || !strings.Contains(err.Error(), "signature does not verify") {
		t.Errorf("token against a foreign CA: err = %v", err)
	}
}

func TestTSAClientRefusesBadAnswers(t *testing.T) {
	tsa := evidencetest.NewTSA(t)
	c := &TSAClient{URL: tsa.URL, Roots: tsa.CertPool(), Timeout: 5 * time.Second}
	for _, tc := range []struct {
		mode evidencetest.Mode
		want string
	}{
		{evidencetest.ModeUnavailable, "HTTP status 503"},
		{evidencetest.ModeGarbage, "refused or unreadable"},
		{evidencetest.ModeReject, "request is rejected"},
		{evidencetest.ModeSHA512, "SHA-512, not SHA-256"},
		{evidencetest.ModeOtherData, "for other data"},
		{evidencetest.ModeWrongNonce, "nonce"},
	} {
		tsa.SetMode(tc.mode)
		_, _, err := c.Stamp(context.Background(), []byte("head"))
		if err == nil || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tc.want)) {
			t.Errorf("mode %d: err = %v, want it to say %q", tc.mode, err, tc.want)
		}
	}
}

// TestTokenVerifiesWithOpenSSL is what an investigator does with a packet:
// the token must verify with a tool markwatch did not write.
func TestTokenVerifiesWithOpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	tsa := evidencetest.NewTSA(t)
	c := &TSAClient{URL: tsa.URL, Roots: tsa.CertPool()}
	text := HeadText(1, strings.Repeat("0f", 32), time.Now())
	token, _, err := c.Stamp(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	opensslVerify(t, openssl, tsa, text, token)
}

func opensslVerify(t *testing.T, openssl string, tsa *evidencetest.TSA, text, token []byte) {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	head, tsr := write("head.txt", text), write("token.tsr", token)
	ca, cert := write("ca.pem", tsa.CAPEM), write("tsa.pem", tsa.CertPEM)
	out, err := exec.Command(openssl, "ts", "-verify", "-data", head, "-in", tsr, "-token_in",
		"-CAfile", ca, "-untrusted", cert).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Verification: OK") {
		t.Fatalf("openssl ts -verify: %v\n%s", err, out)
	}
	// And it must fail on other bytes, or the check above proves nothing.
	other := write("other.txt", append(append([]byte(nil), text...), ' '))
	out, err = exec.Command(openssl, "ts", "-verify", "-data", other, "-in", tsr, "-token_in",
		"-CAfile", ca, "-untrusted", cert).CombinedOutput()
	if err == nil || strings.Contains(string(out), "Verification: OK") {
		t.Fatalf("openssl accepted the token for other data:\n%s", out)
	}
}

// The test TSA's certificate is what RFC 3161 2.3 asks of a real one, or
// the openssl test would pass for the wrong reasons.
func TestLocalTSACertificate(t *testing.T) {
	tsa := evidencetest.NewTSA(t)
	var eku *pkix.Extension
	for i, e := range tsa.Cert.Extensions {
		if e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 37}) {
			eku = &tsa.Cert.Extensions[i]
		}
	}
	if eku == nil || !eku.Critical {
		t.Fatalf("extended key usage %+v: want present and critical", eku)
	}
	if len(tsa.Cert.ExtKeyUsage) != 1 || tsa.Cert.ExtKeyUsage[0] != x509.ExtKeyUsageTimeStamping ||
		tsa.Cert.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		t.Fatalf("usages %v %v", tsa.Cert.ExtKeyUsage, tsa.Cert.KeyUsage)
	}
	if _, err := tsa.Cert.Verify(x509.VerifyOptions{Roots: tsa.CertPool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}); err != nil {
		t.Fatalf("TSA certificate does not chain to its CA: %v", err)
	}
	if !strings.Contains(string(tsa.CAPEM), "BEGIN CERTIFICATE") || !strings.Contains(string(tsa.CertPEM), "BEGIN CERTIFICATE") {
		t.Fatal("PEM missing")
	}
}
