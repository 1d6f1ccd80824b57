package app

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/evidence/evidencetest"
)

// needTool finds a command the test runs; under CI its absence fails.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s required under CI (make test installs it): %v", name, err)
		}
		t.Skipf("%s not installed: %v", name, err)
	}
	return p
}

// TestEvidenceEndToEnd follows evidence from the crawl to the court: every
// new alert of the demo crawl has a capture holding the page's raw bytes;
// the log gets a signed tree head stamped by a (local) RFC 3161 TSA;
// `markwatch evidence verify --all` passes, then names the artefact a test
// altered on disk; a supervisor's case packet renders as a Chinese PDF and
// a ZIP that sha256sum and openssl verify offline.
func TestEvidenceEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the daemon, Meilisearch and Chromium")
	}
	sha256sum, openssl, pdftotext := needTool(t, "sha256sum"), needTool(t, "openssl"), needTool(t, "pdftotext")
	needTool(t, "chromium")
	tsa := evidencetest.NewTSA(t)
	cfg := testConfig(t, needMeilisearch(t))
	caFile := filepath.Join(t.TempDir(), "tsa-ca.pem")
	if err := os.WriteFile(caFile, tsa.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Evidence.TSAURL, cfg.Evidence.TSACA, cfg.Evidence.HeadInterval = tsa.URL, caFile, 200*time.Millisecond
	runs := make(chan domain.CrawlRun, 4)
	d, err := startDaemon(context.Background(), cfg, zaptest.NewLogger(t), func(r domain.CrawlRun) { runs <- r })
	if err != nil {
		t.Fatal(err)
	}
	defer d.stop(context.Background())
	var run domain.CrawlRun
	select {
	case run = <-runs:
	case <-time.After(60 * time.Second):
		t.Fatal("no crawl within 60s")
	}
	ctx := context.Background()
	alerts, _, err := d.db.ListAlerts(ctx, domain.AlertFilter{Limit: 1000})
	if err != nil || len(alerts) != run.Alerts || len(alerts) == 0 {
		t.Fatalf("%d alerts (%v), run raised %d", len(alerts), err, run.Alerts)
	}
	for _, a := range alerts {
		cs, err := d.db.CapturesOf(ctx, a.ID)
		if err != nil || len(cs) == 0 {
			t.Fatalf("alert %d has no capture (%v)", a.ID, err)
		}
		page := false
		for _, ref := range cs[0].Artefacts {
			page = page || ref.Role == domain.RoleSearchPage
		}
		if !page || cs[0].Fetch.FinalURL == "" || cs[0].Fetch.RemoteAddr == "" || cs[0].MarkwatchVersion == "" {
			t.Fatalf("alert %d's first capture lacks the page or its environment: %+v", a.ID, cs[0])
		}
	}

	// Screenshots are captured by the worker; then the log is stamped.
	target := alerts[0]
	waitUntil(t, "a screenshot of the first alert", 90*time.Second, func() bool {
		cs, _ := d.db.CapturesOf(ctx, target.ID)
		for _, c := range cs {
			for _, ref := range c.Artefacts {
				if ref.Role == domain.RoleScreenshot {
					return true
				}
			}
		}
		return false
	})
	waitUntil(t, "a stamped tree head covering the log", 30*time.Second, func() bool {
		size, err := d.db.LogSize(ctx)
		heads, err2 := d.db.TreeHeads(ctx)
		if err != nil || err2 != nil || len(heads) == 0 {
			return false
		}
		last := heads[len(heads)-1]
		return last.Size == size && last.StampedAt != nil
	})

	cfgFile := filepath.Join(t.TempDir(), "markwatch.yaml")
	yaml := fmt.Sprintf("data_dir: %s\nevidence:\n  tsa_url: %s\n  tsa_ca: %s\n", cfg.DataDir, tsa.URL, caFile)
	if err := os.WriteFile(cfgFile, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	verify := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := Main(ctx, append([]string{"evidence", "verify", "--config", cfgFile}, args...), Env{
			Stdout: &out, Stderr: &errOut, Getenv: func(string) (string, bool) { return "", false }})
		return code, out.String() + errOut.String()
	}
	if code, out := verify("--all"); code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("verify --all on untouched evidence: exit %d\n%s", code, out)
	}
	if code, out := verify(fmt.Sprint(target.ID)); code != 0 {
		t.Fatalf("verify %d: exit %d\n%s", target.ID, code, out)
	}

	// A supervisor confirms the alert, opens a case and downloads its packet.
	sup := testToken(t, d.db, "wang", domain.RoleSupervisor, "")
	jsonHdr := map[string]string{"Content-Type": "application/json"}
	if code, body := call(t, nil, "PATCH", fmt.Sprintf("%s/api/v1/alerts/%d", d.httpURL, target.ID), sup,
		strings.NewReader(`{"status":"confirmed","note":"已核实"}`), jsonHdr); code != 200 {
		t.Fatalf("confirming: %d %s", code, body)
	}
	code, body := call(t, nil, "POST", d.httpURL+"/api/v1/cases", sup,
		strings.NewReader(fmt.Sprintf(`{"title":"疑似假冒 %s","alert_ids":[%d]}`, target.Title, target.ID)), jsonHdr)
	if code != 201 && code != 200 {
		t.Fatalf("opening a case: %d %s", code, body)
	}
	var cs domain.Case
	if err := json.Unmarshal([]byte(body), &cs); err != nil || cs.ID == 0 {
		t.Fatalf("case answer %s: %v", body, err)
	}
	dir := t.TempDir()
	code, pdf := call(t, nil, "GET", fmt.Sprintf("%s/api/v1/cases/%d/packet.pdf", d.httpURL, cs.ID), sup, nil, nil)
	if code != 200 || !strings.HasPrefix(pdf, "%PDF") {
		t.Fatalf("packet.pdf: %d %.200s", code, pdf)
	}
	pdfFile := filepath.Join(dir, "packet.pdf")
	os.WriteFile(pdfFile, []byte(pdf), 0o600)
	text, err := exec.Command(pdftotext, pdfFile, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"案件", cs.Number, target.Seller, "如何核验"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("packet PDF text lacks %q", want)
		}
	}
	if !strings.Contains(pdf, "/Subtype /Image") && !strings.Contains(pdf, "/Subtype/Image") {
		t.Error("packet PDF embeds no image (the screenshot)")
	}
	code, zipBody := call(t, nil, "GET", fmt.Sprintf("%s/api/v1/cases/%d/packet.zip", d.httpURL, cs.ID), sup, nil, nil)
	if code != 200 {
		t.Fatalf("packet.zip: %d %.200s", code, zipBody)
	}
	unzip(t, []byte(zipBody), dir)
	if out, err := runIn(dir, sha256sum, "-c", "SHA256SUMS"); err != nil {
		t.Fatalf("sha256sum -c on the packet: %v\n%s", err, out)
	}
	heads, _ := filepath.Glob(filepath.Join(dir, "head-*.tsr"))
	if len(heads) == 0 {
		t.Fatal("packet holds no timestamp token")
	}
	tsr := filepath.Base(heads[len(heads)-1])
	txt := strings.TrimSuffix(tsr, ".tsr") + ".txt"
	out, err := runIn(dir, openssl, "ts", "-verify", "-data", txt, "-in", tsr, "-CAfile", "tsa-ca.pem")
	if err != nil || !strings.Contains(out, "Verification: OK") {
		t.Fatalf("openssl ts -verify: %v\n%s", err, out)
	}

	// Alter one stored artefact: verify names it and fails.
	c0, _ := d.db.CapturesOf(ctx, target.ID)
	ref := c0[0].Artefacts[0]
	path := filepath.Join(cfg.DataDir, "evidence", "sha256", ref.SHA256[:2], ref.SHA256[2:4], ref.SHA256)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("artefact file not where expected: %v", err)
	}
	os.Chmod(path, 0o644)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("<!-- edited -->")
	f.Close()
	code, out = verify("--all")
	if code == 0 || !strings.Contains(out, ref.SHA256) {
		t.Fatalf("verify after altering %s: exit %d\n%s", ref.SHA256, code, out)
	}
}

func runIn(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func unzip(t *testing.T, b []byte, dir string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if strings.Contains(f.Name, "..") || strings.HasPrefix(f.Name, "/") {
			t.Fatalf("zip entry %q escapes the directory", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		p := filepath.Join(dir, f.Name)
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKilledDuringCaptureLeavesNoDanglingRecord stops the daemon while its
// first crawl is storing alerts and their pages, starts it again, and
// verifies the evidence: every record that exists points at a file that
// exists and hashes right, because files are written before the rows.
func TestKilledDuringCaptureLeavesNoDanglingRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the daemon and Meilisearch")
	}
	cfg := testConfig(t, needMeilisearch(t))
	cfg.Crawl.ShutdownGrace = time.Millisecond // cut the crawl short
	d, err := startDaemon(context.Background(), cfg, zaptest.NewLogger(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	waitUntil(t, "the first stored alert", 60*time.Second, func() bool {
		n, err := d.db.LogSize(ctx)
		return err == nil && n > 0
	})
	d.stop(context.Background())

	cfg.Crawl.ShutdownGrace = 5 * time.Second
	d, err = startDaemon(context.Background(), cfg, zaptest.NewLogger(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	d.stop(context.Background())
	cfgFile := filepath.Join(t.TempDir(), "markwatch.yaml")
	if err := os.WriteFile(cfgFile, []byte("data_dir: "+cfg.DataDir+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	code := Main(ctx, []string{"evidence", "verify", "--all", "--config", cfgFile}, Env{
		Stdout: &out, Stderr: &out, Getenv: func(string) (string, bool) { return "", false }})
	if code != 0 {
		t.Fatalf("verify after a cut-short crawl: exit %d\n%s", code, out.String())
	}
}
