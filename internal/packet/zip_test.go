package packet

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// unzip extracts a packet into a new directory, refusing names that leave it.
func unzip(t *testing.T, data []byte) (string, []string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var names []string
	for _, f := range zr.File {
		if !filepath.IsLocal(f.Name) || strings.ContainsAny(f.Name, "/\\") {
			t.Fatalf("zip entry %q is not a plain file name", f.Name)
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, f.Name)
	}
	return dir, names
}

func run(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestWriteZipVerifiesOffline(t *testing.T) {
	sha256sum := needTool(t, "sha256sum")
	openssl := needTool(t, "openssl")
	d, b := demo(t)
	d.PDF = []byte("%PDF-1.7\n% the rendered packet\n")
	var buf bytes.Buffer
	if err := WriteZip(&buf, d, b.open, headText); err != nil {
		t.Fatal(err)
	}
	dir, names := unzip(t, buf.Bytes())
	if unzipCmd, err := exec.LookPath("unzip"); err == nil {
		// Info-ZIP reads it too (and its CRCs agree).
		zipFile := filepath.Join(t.TempDir(), "MW-2026-0001.zip")
		if err := os.WriteFile(zipFile, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := run(dir, unzipCmd, "-t", zipFile); err != nil || !strings.Contains(out, "No errors detected") {
			t.Errorf("unzip -t: %v\n%s", err, out)
		}
	}

	// Every artefact of every capture, named <capture-id>-<role>-<sha8>.<ext>.
	var want []string
	for _, it := range d.Items {
		for _, c := range it.Captures {
			for _, a := range c.Artefacts {
				want = append(want, artefactName(c.ID, a))
				got, err := os.ReadFile(filepath.Join(dir, artefactName(c.ID, a)))
				if err != nil || !bytes.Equal(got, b[a.SHA256]) {
					t.Errorf("artefact %s: not the bytes as stored (%v)", artefactName(c.ID, a), err)
				}
			}
		}
	}
	want = append(want, "head-1.txt", "head-1.tsr", "head-2.txt", TSACertName, PDFName, ManifestName, SumsName)
	for _, w := range want {
		if !slices.Contains(names, w) {
			t.Errorf("zip lacks %s; has %q", w, names)
		}
	}
	if slices.Contains(names, "head-2.tsr") {
		t.Error("zip has a token for the unstamped head 2")
	}
	if !slices.Contains(names, "102-screenshot-"+d.Items[0].Captures[0].Artefacts[0].SHA256[:8]+".png") ||
		!slices.Contains(names, "101-search_page-"+d.Items[0].Captures[1].Artefacts[0].SHA256[:8]+".html") ||
		!slices.Contains(names, "103-search_page-"+d.Items[0].Captures[1].Artefacts[0].SHA256[:8]+".html") {
		t.Errorf("artefact names: %q", names)
	}

	// The real sha256sum checks every file.
	out, err := run(dir, sha256sum, "-c", SumsName)
	if err != nil {
		t.Fatalf("sha256sum -c SHA256SUMS on an untouched packet: %v\n%s", err, out)
	}
	if n := strings.Count(out, ": OK"); n != len(names)-1 {
		t.Errorf("sha256sum checked %d files, want %d:\n%s", n, len(names)-1, out)
	}

	// The packet's own command verifies the timestamp against the TSA's CA.
	out, err = run(dir, openssl, "ts", "-verify", "-data", "head-1.txt", "-in", "head-1.tsr", "-CAfile", TSACertName)
	if err != nil || !strings.Contains(out, "Verification: OK") {
		t.Fatalf("openssl ts -verify: %v\n%s", err, out)
	}

	// The manifest: every file's hash, each capture's record, the heads and
	// which head covers which capture.
	raw, _ := os.ReadFile(filepath.Join(dir, ManifestName))
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m.Case.Number != "MW-2026-0001" || m.Mark.Name != "六个核桃" || len(m.Captures) != 3 || len(m.Alerts) != 2 || len(m.Alerts[0].Versions) != 2 {
		t.Errorf("manifest: %+v", m)
	}
	sums, _ := os.ReadFile(filepath.Join(dir, SumsName))
	for _, f := range m.Files {
		if !strings.Contains(string(sums), f.SHA256+"  "+f.Name+"\n") {
			t.Errorf("manifest file %s (%s) not in SHA256SUMS", f.Name, f.SHA256)
		}
	}
	if len(m.Files) != len(names)-2 {
		t.Errorf("manifest lists %d files, zip has %d besides manifest and sums", len(m.Files), len(names)-2)
	}
	cover := map[int64]ManifestCovered{}
	for _, c := range m.Coverage {
		cover[c.CaptureID] = c
	}
	// Head 1 (size 2) covers log indices 0 and 1; head 2 (size 3) all three.
	if !slices.Equal(cover[101].Heads, []int64{1, 2}) || cover[101].Stamped != 1 || !slices.Equal(cover[102].Heads, []int64{1, 2}) ||
		!slices.Equal(cover[103].Heads, []int64{2}) || cover[103].Stamped != 0 {
		t.Errorf("coverage: %+v", m.Coverage)
	}
	if len(m.TreeHeads) != 2 || m.TreeHeads[0].TokenFile != "head-1.tsr" || m.TreeHeads[0].TokenImprintMatches == nil || !*m.TreeHeads[0].TokenImprintMatches ||
		!slices.Equal(m.TreeHeads[1].Covers, []int64{101, 102, 103}) || m.TreeHeads[1].TokenFile != "" {
		t.Errorf("tree heads: %+v", m.TreeHeads)
	}

	// One byte changed in an artefact: sha256sum names it and fails.
	altered := "101-detail_page-" + d.Items[0].Captures[1].Artefacts[1].SHA256[:8] + ".html"
	p := filepath.Join(dir, altered)
	data, _ := os.ReadFile(p)
	data[len(data)-2] ^= 1
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = run(dir, sha256sum, "-c", SumsName)
	if err == nil {
		t.Fatalf("sha256sum -c passed on an altered packet:\n%s", out)
	}
	if !strings.Contains(out, altered+": FAILED") || strings.Count(out, "FAILED") != 1 {
		t.Errorf("sha256sum output does not name exactly %s:\n%s", altered, out)
	}

	// The head text altered: the timestamp no longer verifies.
	if err := os.WriteFile(filepath.Join(dir, "head-1.txt"), headText(domain.TreeHead{Size: 3, RootHash: "00", CreatedAt: t0}), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := run(dir, openssl, "ts", "-verify", "-data", "head-1.txt", "-in", "head-1.tsr", "-CAfile", TSACertName); err == nil {
		t.Errorf("openssl ts -verify passed on an altered head text:\n%s", out)
	}
}

// An artefact whose stored bytes no longer match its address stops the
// ZIP, naming capture, role and sha: a packet never ships altered evidence.
func TestWriteZipRefusesAlteredArtefact(t *testing.T) {
	d, b := demo(t)
	ref := d.Items[0].Captures[0].Artefacts[0] // capture 102's screenshot
	b[ref.SHA256] = append(bytes.Clone(b[ref.SHA256]), 0)
	err := WriteZip(io.Discard, d, b.open, headText)
	if err == nil || !strings.Contains(err.Error(), "capture 102: screenshot artefact "+ref.SHA256) || !strings.Contains(err.Error(), "altered") {
		t.Fatalf("err = %v, want one naming capture 102's screenshot", err)
	}
	delete(b, ref.SHA256)
	if err := WriteZip(io.Discard, d, b.open, headText); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("missing artefact: err = %v", err)
	}
	if err := WriteZip(io.Discard, d, b.open, nil); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("no headText: err = %v", err)
	}
}

// A stored token that is already a whole TimeStampResp is written as it is;
// a bare token is wrapped in a granted response.
func TestResponseOf(t *testing.T) {
	d, _ := demo(t)
	token := d.TreeHeads[0].TSAToken
	resp, err := responseOf(token)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tokenOf(resp), token) {
		t.Error("tokenOf(responseOf(token)) != token")
	}
	again, err := responseOf(resp)
	if err != nil || !bytes.Equal(again, resp) {
		t.Errorf("a response was re-wrapped: %v", err)
	}
	if _, err := responseOf([]byte("not DER")); err == nil {
		t.Error("garbage accepted as a token")
	}
}

func TestArtefactNames(t *testing.T) {
	sha := "0123456789abcdef" + strings.Repeat("0", 48)
	for _, tt := range []struct {
		role, mt, want string
	}{
		{domain.RoleSearchPage, "text/html; charset=gbk", "7-search_page-01234567.html"},
		{domain.RoleImage, "image/jpeg", "7-image-01234567.jpg"},
		{domain.RoleSnapshot, `multipart/related; type="text/html"`, "7-snapshot-01234567.mhtml"},
		{"../../etc/passwd", "", "7-______etc_passwd-01234567.bin"},
	} {
		if got := artefactName(7, domain.ArtefactRef{Role: tt.role, SHA256: sha, MediaType: tt.mt}); got != tt.want {
			t.Errorf("artefactName(%s, %s) = %q, want %q", tt.role, tt.mt, got, tt.want)
		}
	}
}
