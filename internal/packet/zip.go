package packet

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/markwatch/markwatch/internal/domain"
)

// File names inside the ZIP.
const (
	ManifestName = "manifest.json"
	SumsName     = "SHA256SUMS"
	TSACertName  = "tsa-ca.pem"
	PDFName      = "packet.pdf"
)

// Manifest is manifest.json: what the ZIP holds and how the parts relate.
type Manifest struct {
	Format      string            `json:"format"` // "markwatch case packet v1"
	Case        domain.Case       `json:"case"`
	Mark        domain.Mark       `json:"mark"`
	GeneratedAt time.Time         `json:"generated_at"`
	GeneratedBy string            `json:"generated_by,omitempty"`
	Files       []ManifestFile    `json:"files"`
	Alerts      []ManifestAlert   `json:"alerts"`
	Captures    []domain.Capture  `json:"captures"`
	TreeHeads   []ManifestHead    `json:"tree_heads"`
	Coverage    []ManifestCovered `json:"coverage"`
}

// ManifestFile is one file of the ZIP (all but manifest.json and SHA256SUMS).
type ManifestFile struct {
	Name      string `json:"name"`
	SHA256    string `json:"sha256"`
	Size      int64  `json:"size"`
	Kind      string `json:"kind"` // artefact, tree_head, timestamp_token, tsa_ca, pdf
	CaptureID int64  `json:"capture_id,omitempty"`
	Role      string `json:"role,omitempty"`
	MediaType string `json:"media_type,omitempty"`
	HeadID    int64  `json:"head_id,omitempty"`
}

// ManifestAlert is one listing of the case with its versions.
type ManifestAlert struct {
	Alert    domain.Alert            `json:"alert"`
	Versions []domain.ListingVersion `json:"versions"`
}

// ManifestHead is a tree head with the files that hold its text and token.
type ManifestHead struct {
	domain.TreeHead
	TextFile  string `json:"text_file"`
	TokenFile string `json:"token_file,omitempty"`
	// TokenImprintMatches reports whether the token's message imprint is
	// the SHA-256 of the head's text (nil without a token).
	TokenImprintMatches *bool   `json:"token_imprint_matches,omitempty"`
	Covers              []int64 `json:"covers_captures"`
}

// ManifestCovered names the heads that cover a capture's log leaf.
type ManifestCovered struct {
	CaptureID  int64   `json:"capture_id"`
	LogIndex   int64   `json:"log_index"`
	RecordHash string  `json:"record_hash"`
	Heads      []int64 `json:"heads"`
	// Stamped is the smallest covering head that has a timestamp token.
	Stamped int64 `json:"stamped_head,omitempty"`
}

// WriteZip writes the packet's ZIP: every capture's artefacts as received
// (named <capture-id>-<role>-<sha8>.<ext>, read with open by SHA-256 and
// re-hashed as they are copied: bytes that do not match their address
// stop the ZIP with an error naming the artefact), each tree head's
// canonical text (headText) as head-<id>.txt and its timestamp as
// head-<id>.tsr (a TimeStampResp, for openssl ts -verify -in), the TSA's CA
// as tsa-ca.pem, the PDF when Data has one, manifest.json and SHA256SUMS
// (sha256sum format, every other file).
func WriteZip(w io.Writer, d Data, open func(sha string) (io.ReadCloser, error), headText func(domain.TreeHead) []byte) error {
	if open == nil || headText == nil {
		return domain.Errorf(domain.EINVALID, "packet zip needs an artefact opener and the tree heads' text")
	}
	z := &zipWriter{zw: zip.NewWriter(w), at: d.GeneratedAt, names: map[string]bool{}}
	if z.at.IsZero() {
		z.at = time.Now()
	}
	m := Manifest{Format: "markwatch case packet v1", Case: d.Case, Mark: d.Mark, GeneratedAt: d.GeneratedAt, GeneratedBy: d.GeneratedBy}
	var captures []domain.Capture
	for _, it := range d.Items {
		m.Alerts = append(m.Alerts, ManifestAlert{Alert: it.Alert, Versions: sortedVersions(it.Versions)})
		captures = append(captures, sortedCaptures(it.Captures)...)
	}
	for _, c := range captures {
		for _, ref := range c.Artefacts {
			name := artefactName(c.ID, ref)
			if z.names[name] {
				continue // the same artefact listed twice in one capture
			}
			f, err := z.copyArtefact(name, c, ref, open)
			if err != nil {
				return err
			}
			m.Files = append(m.Files, f)
		}
		m.Captures = append(m.Captures, c)
	}
	for _, h := range d.TreeHeads {
		text := headText(h)
		f, err := z.add(headTextName(h), text, true)
		if err != nil {
			return err
		}
		f.Kind, f.HeadID = "tree_head", h.ID
		m.Files = append(m.Files, f)
		mh := ManifestHead{TreeHead: h, TextFile: f.Name, Covers: []int64{}}
		mh.TSAToken = nil // in the .tsr file
		if len(h.TSAToken) > 0 {
			resp, err := responseOf(h.TSAToken)
			if err != nil {
				return fmt.Errorf("tree head %d: timestamp token: %w", h.ID, err)
			}
			f, err := z.add(headTokenName(h), resp, true)
			if err != nil {
				return err
			}
			f.Kind, f.HeadID = "timestamp_token", h.ID
			m.Files = append(m.Files, f)
			mh.TokenFile = f.Name
			ok := false
			if ts, err := timestamp.Parse(tokenOf(h.TSAToken)); err == nil && ts.HashAlgorithm.Available() {
				hh := ts.HashAlgorithm.New()
				hh.Write(text)
				ok = slices.Equal(hh.Sum(nil), ts.HashedMessage)
			}
			mh.TokenImprintMatches = &ok
		}
		for _, c := range captures {
			if h.Size > c.LogIndex {
				mh.Covers = append(mh.Covers, c.ID)
			}
		}
		m.TreeHeads = append(m.TreeHeads, mh)
	}
	for _, c := range captures {
		cv := ManifestCovered{CaptureID: c.ID, LogIndex: c.LogIndex, RecordHash: c.RecordHash, Heads: []int64{}}
		for _, h := range coveringHeads(d.TreeHeads, c) {
			cv.Heads = append(cv.Heads, h.ID)
			if cv.Stamped == 0 && len(h.TSAToken) > 0 {
				cv.Stamped = h.ID
			}
		}
		m.Coverage = append(m.Coverage, cv)
	}
	if len(d.TSACertPEM) > 0 {
		f, err := z.add(TSACertName, d.TSACertPEM, true)
		if err != nil {
			return err
		}
		f.Kind = "tsa_ca"
		m.Files = append(m.Files, f)
	}
	if len(d.PDF) > 0 {
		f, err := z.add(PDFName, d.PDF, true)
		if err != nil {
			return err
		}
		f.Kind, f.MediaType = "pdf", "application/pdf"
		m.Files = append(m.Files, f)
	}
	js, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("packet manifest: %w", err)
	}
	if _, err := z.add(ManifestName, append(js, '\n'), true); err != nil {
		return err
	}
	var sums strings.Builder
	for _, f := range z.files {
		fmt.Fprintf(&sums, "%s  %s\n", f.SHA256, f.Name)
	}
	if _, err := z.add(SumsName, []byte(sums.String()), true); err != nil {
		return err
	}
	return z.zw.Close()
}

type zipWriter struct {
	zw    *zip.Writer
	at    time.Time
	names map[string]bool
	files []ManifestFile // in the order written, for SHA256SUMS
}

func (z *zipWriter) create(name string, compress bool) (io.Writer, error) {
	if z.names[name] {
		return nil, fmt.Errorf("packet zip: %s written twice", name)
	}
	z.names[name] = true
	h := &zip.FileHeader{Name: name, Modified: z.at, Method: zip.Store}
	if compress {
		h.Method = zip.Deflate
	}
	w, err := z.zw.CreateHeader(h)
	if err != nil {
		return nil, fmt.Errorf("packet zip: %s: %w", name, err)
	}
	return w, nil
}

func (z *zipWriter) add(name string, data []byte, compress bool) (ManifestFile, error) {
	w, err := z.create(name, compress)
	if err != nil {
		return ManifestFile{}, err
	}
	if _, err := w.Write(data); err != nil {
		return ManifestFile{}, fmt.Errorf("packet zip: %s: %w", name, err)
	}
	sum := sha256.Sum256(data)
	f := ManifestFile{Name: name, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data))}
	if name != SumsName {
		z.files = append(z.files, f)
	}
	return f, nil
}

// copyArtefact streams one artefact into the ZIP, checking its SHA-256
// (and size, when recorded) against the capture's record.
func (z *zipWriter) copyArtefact(name string, c domain.Capture, ref domain.ArtefactRef, open func(string) (io.ReadCloser, error)) (ManifestFile, error) {
	where := fmt.Sprintf("capture %d: %s artefact %s", c.ID, ref.Role, ref.SHA256)
	r, err := open(ref.SHA256)
	if err != nil {
		return ManifestFile{}, fmt.Errorf("%s: %w", where, err)
	}
	defer r.Close()
	w, err := z.create(name, !precompressed(ref.MediaType))
	if err != nil {
		return ManifestFile{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), r)
	if err != nil {
		return ManifestFile{}, fmt.Errorf("%s: reading: %w", where, err)
	}
	got := hex.EncodeToString(h.Sum(nil))
	if !strings.EqualFold(got, ref.SHA256) {
		return ManifestFile{}, domain.Errorf(domain.EINTERNAL, "%s: stored bytes hash to %s: the artefact was altered", where, got)
	}
	if ref.Size > 0 && n != ref.Size {
		return ManifestFile{}, domain.Errorf(domain.EINTERNAL, "%s: %d bytes stored, %d recorded", where, n, ref.Size)
	}
	f := ManifestFile{Name: name, SHA256: got, Size: n, Kind: "artefact", CaptureID: c.ID, Role: ref.Role, MediaType: ref.MediaType}
	z.files = append(z.files, f)
	return f, nil
}

// artefactName is <capture-id>-<role>-<sha8>.<ext>.
func artefactName(captureID int64, ref domain.ArtefactRef) string {
	sha := strings.ToLower(ref.SHA256)
	if len(sha) > 8 {
		sha = sha[:8]
	}
	return strconv.FormatInt(captureID, 10) + "-" + safeName(ref.Role) + "-" + safeName(sha) + "." + extension(ref.MediaType)
}

func headTextName(h domain.TreeHead) string  { return "head-" + strconv.FormatInt(h.ID, 10) + ".txt" }
func headTokenName(h domain.TreeHead) string { return "head-" + strconv.FormatInt(h.ID, 10) + ".tsr" }

// safeName keeps [a-z0-9_] and turns anything else into "_", so a name
// needs no quoting in SHA256SUMS or a shell.
func safeName(s string) string {
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "x"
	}
	return string(b)
}

var extensions = map[string]string{
	"text/html": "html", "application/xhtml+xml": "xhtml", "text/plain": "txt", "application/json": "json",
	"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif", "image/avif": "avif",
	"multipart/related": "mhtml", "application/x-mimearchive": "mhtml", "message/rfc822": "mhtml",
	"application/pdf": "pdf", "text/xml": "xml", "application/xml": "xml",
}

func extension(mediaType string) string {
	mt, _, err := mime.ParseMediaType(mediaType)
	if err != nil {
		return "bin"
	}
	if e, ok := extensions[mt]; ok {
		return e
	}
	return "bin"
}

func precompressed(mediaType string) bool {
	mt, _, _ := mime.ParseMediaType(mediaType)
	switch mt {
	case "image/png", "image/jpeg", "image/webp", "image/gif", "image/avif":
		return true
	}
	return false
}

// tokenOf returns the TimeStampToken of stored bytes that are either the
// token itself or a whole TimeStampResp.
func tokenOf(der []byte) []byte {
	var resp tsResp
	if rest, err := asn1.Unmarshal(der, &resp); err == nil && len(rest) == 0 && len(resp.Token.FullBytes) > 0 {
		return resp.Token.FullBytes
	}
	return der
}

// responseOf wraps a stored token in a granted TimeStampResp (RFC 3161
// 2.4.2), which is what openssl ts -verify -in reads; a stored response is
// kept as it is.
func responseOf(der []byte) ([]byte, error) {
	var resp tsResp
	if rest, err := asn1.Unmarshal(der, &resp); err == nil && len(rest) == 0 && len(resp.Token.FullBytes) > 0 {
		return der, nil
	}
	var token asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &token); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("not a DER TimeStampToken")
	}
	return asn1.Marshal(tsResp{Status: pkiStatusInfo{Status: 0}, Token: token})
}

type pkiStatusInfo struct {
	Status       int
	StatusString []string       `asn1:"optional,utf8"`
	FailInfo     asn1.BitString `asn1:"optional"`
}

type tsResp struct {
	Status pkiStatusInfo
	Token  asn1.RawValue
}
