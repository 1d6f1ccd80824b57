package packet

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The demo case packet prints to a PDF whose text (read back by poppler's
// pdftotext) is the Chinese of the packet, and which embeds the screenshot.
func TestRenderPDF(t *testing.T) {
	if testing.Short() {
		t.Skip("starts headless chromium")
	}
	browser := needTool(t, "chromium", "chromium-browser", "google-chrome")
	pdftotext := needTool(t, "pdftotext")
	pdfimages := needTool(t, "pdfimages")
	d, _ := demo(t)
	html, err := RenderHTML(d)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	start := time.Now()
	pdf, err := RenderPDF(ctx, html, browser)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("RenderPDF: %d bytes of HTML → %d bytes of PDF in %v", len(html), len(pdf), time.Since(start).Round(time.Millisecond))
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 16)])
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "packet.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	// pdftotext may break a line inside a long run; compare without spaces.
	text := strings.Join(strings.Fields(string(out)), "")
	for _, w := range []string{"案件材料", "案件编号", "MW-2026-0001", "六个核桃", "某某食品专营店", "河北养元智汇饮品股份有限公司",
		"如何核验", "sha256sum-cSHA256SUMS", "openssltsverifydatahead-1.txtinhead-1.tsrCAfiletsa-ca.pem", "第1页/共"} {
		if !strings.Contains(strings.ReplaceAll(text, "-", ""), strings.ReplaceAll(w, "-", "")) {
			t.Errorf("pdftotext lacks %q; text starts %q", w, text[:min(len(text), 600)])
		}
	}
	// CJK fonts were there: no tofu (U+FFFD, or empty boxes) in place of the Chinese.
	if strings.ContainsRune(text, '\uFFFD') {
		t.Error("PDF text has replacement characters: CJK fonts missing (deploy/scripts/install-fonts.sh)")
	}
	list, err := exec.Command(pdfimages, "-list", file).Output()
	if err != nil {
		t.Fatalf("pdfimages -list: %v", err)
	}
	// The screenshot is 480×640; Chromium may re-encode it but keeps its size.
	if !regexp.MustCompile(`(?m)^\s*\d+\s+\d+\s+image\s+480\s+640\s`).Match(list) {
		t.Errorf("PDF embeds no 480×640 image (the screenshot):\n%s", list)
	}
	if !bytes.Contains(pdf, []byte("/Subtype /Image")) {
		t.Log("no literal /Subtype /Image (object streams); pdfimages found it")
	}
}

func TestRenderPDFWithoutBrowser(t *testing.T) {
	_, err := RenderPDF(context.Background(), []byte("<p>x"), filepath.Join(t.TempDir(), "no-such-chromium"))
	if err == nil {
		t.Fatal("RenderPDF with a missing browser succeeded")
	}
}

// RenderPDF loads nothing from the network, even for HTML that asks (the
// packet's own template also forbids it by its CSP).
func TestRenderPDFLoadsNothingFromNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("starts headless chromium")
	}
	browser := needTool(t, "chromium", "chromium-browser", "google-chrome")
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		t.Logf("request %s", r.URL.Path)
		w.Header().Set("Content-Type", "image/png")
		w.Write(demoPNG(t, 2, 2))
	}))
	defer srv.Close()
	html := fmt.Sprintf(`<!DOCTYPE html><meta charset="utf-8"><p>外部资源</p><img src="%[1]s/a.png"><link rel="stylesheet" href="%[1]s/s.css">
<script src="%[1]s/x.js"></script><iframe src="%[1]s/f"></iframe><script>fetch("%[1]s/fetch")</script>`, srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	pdf, err := RenderPDF(ctx, []byte(html), browser)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the browser made %d requests to the network", n)
	}
}
