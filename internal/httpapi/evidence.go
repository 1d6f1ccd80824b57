package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// EvidenceStore reads the evidence kept for alerts (docs/EVIDENCE.md,
// "store"). None of it knows scopes: the handlers check the alert first.
type EvidenceStore interface {
	// CapturesOf returns the alert's captures, oldest first.
	CapturesOf(ctx context.Context, alertID int64) ([]domain.Capture, error)
	// ListVersions returns the alert's listing versions, oldest first.
	ListVersions(ctx context.Context, alertID int64) ([]domain.ListingVersion, error)
	// ArtefactAlerts returns the alerts one of whose captures holds the
	// artefact sha (hex SHA-256), and none (no error) when no capture
	// does.
	ArtefactAlerts(ctx context.Context, sha string) ([]domain.Alert, error)
}

// Blobs opens stored artefacts by their hex SHA-256 (package evidence's
// Blobs). Open of an unknown sha returns an error with code ENOTFOUND.
type Blobs interface {
	Open(ctx context.Context, sha string) (io.ReadCloser, error)
}

// evidenceJSON is the answer of GET /api/v1/alerts/{id}/evidence.
type evidenceJSON struct {
	AlertID  int64                   `json:"alert_id"`
	Captures []domain.Capture        `json:"captures"`
	Versions []domain.ListingVersion `json:"versions"`
	// ArtefactPath is where an artefact is downloaded: the path with
	// {sha256} replaced by an artefact's sha256.
	ArtefactPath string `json:"artefact_path,omitempty"`
}

const artefactsPath = "/api/v1/artefacts"

// getEvidence serves GET /api/v1/alerts/{id}/evidence: the alert's
// captures (with their artefact refs) and listing versions. An alert
// outside the scope answers as a missing one.
func (a *api) getEvidence(w http.ResponseWriter, r *http.Request) {
	p, id, ok := principalID(w, r, "alert")
	if !ok {
		return
	}
	if _, err := a.scopedAlert(r.Context(), p.Scope, id); err != nil {
		writeError(w, r, fmt.Errorf("getting alert %d for its evidence: %w", id, err))
		return
	}
	caps, err := a.deps.Evidence.CapturesOf(r.Context(), id)
	if err != nil {
		writeError(w, r, fmt.Errorf("reading the captures of alert %d: %w", id, err))
		return
	}
	vers, err := a.deps.Evidence.ListVersions(r.Context(), id)
	if err != nil {
		writeError(w, r, fmt.Errorf("reading the listing versions of alert %d: %w", id, err))
		return
	}
	out := evidenceJSON{AlertID: id, Captures: []domain.Capture{}, Versions: []domain.ListingVersion{}}
	// Rows of another alert would be a store bug; they do not go out.
	for _, c := range caps {
		if c.AlertID == id {
			out.Captures = append(out.Captures, c)
		}
	}
	for _, v := range vers {
		if v.AlertID == id {
			out.Versions = append(out.Versions, v)
		}
	}
	if n := len(caps) + len(vers) - len(out.Captures) - len(out.Versions); n > 0 {
		a.scopeLeak(p, "evidence of another alert", n)
	}
	if a.deps.Blobs != nil {
		out.ArtefactPath = artefactsPath + "/{sha256}"
	}
	writeJSON(w, http.StatusOK, out)
}

var shaPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// artefactNotFound is the one answer for an artefact that is not stored,
// one no capture holds, and one only captures outside the scope hold.
func artefactNotFound(sha string) error {
	return domain.Errorf(domain.ENOTFOUND, "artefact %s does not exist", sha)
}

// getArtefact serves GET /api/v1/artefacts/{sha}: the raw bytes of an
// artefact held by a capture of an alert in the principal's scope.
//
// Artefacts are what marketplaces served, hostile HTML included, so they
// never render on this origin: attachment, nosniff, a sandboxing CSP, and
// the media type recorded at capture (never sniffed).
func (a *api) getArtefact(w http.ResponseWriter, r *http.Request) {
	p, ok := principal(w, r)
	if !ok {
		return
	}
	sha := strings.ToLower(r.PathValue("sha"))
	if !shaPattern.MatchString(sha) {
		writeError(w, r, domain.Errorf(domain.EINVALID, "artefact %q: must be a SHA-256 in hex (64 characters 0-9, a-f)", r.PathValue("sha")))
		return
	}
	ref, err := a.scopedArtefact(r.Context(), p, sha)
	if err != nil {
		writeError(w, r, fmt.Errorf("getting artefact %s: %w", sha, err))
		return
	}
	rc, err := a.deps.Blobs.Open(r.Context(), sha)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			// A row pointing at a missing file breaks the durability
			// rule: worth an error line, answered as missing.
			a.log.Error("a capture names an artefact the blob store lacks", zap.String("sha256", sha), zap.Error(err))
			err = fmt.Errorf("%w: %w", artefactNotFound(sha), err)
		}
		writeError(w, r, fmt.Errorf("opening artefact %s: %w", sha, err))
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", safeMediaType(ref.MediaType))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": sha + extension(ref)}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Artefact-Sha256", sha)
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, rc); err != nil {
		if info := requestInfoFrom(r.Context()); info != nil {
			info.err = fmt.Errorf("streaming artefact %s: %w", sha, err)
		}
	}
}

// scopedArtefact returns the artefact's ref (for its media type) from a
// capture of an alert the principal may see.
func (a *api) scopedArtefact(ctx context.Context, p access.Principal, sha string) (domain.ArtefactRef, error) {
	alerts, err := a.deps.Evidence.ArtefactAlerts(ctx, sha)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return domain.ArtefactRef{}, fmt.Errorf("%w: %w", artefactNotFound(sha), err)
		}
		return domain.ArtefactRef{}, err
	}
	for _, al := range alerts {
		if !p.Scope.Allows(al.MarkID, al.Location) {
			continue
		}
		caps, err := a.deps.Evidence.CapturesOf(ctx, al.ID)
		if err != nil {
			return domain.ArtefactRef{}, fmt.Errorf("reading the captures of alert %d: %w", al.ID, err)
		}
		for _, c := range caps {
			if c.AlertID != al.ID {
				continue
			}
			for _, ref := range c.Artefacts {
				if strings.EqualFold(ref.SHA256, sha) {
					return ref, nil
				}
			}
		}
	}
	return domain.ArtefactRef{}, errors.Join(artefactNotFound(sha), errors.New("(no capture in the principal's scope holds it)"))
}

// safeMediaType is the recorded media type if it parses, else
// application/octet-stream: a marketplace chose it, so it is re-formatted
// rather than echoed.
func safeMediaType(mt string) string {
	t, params, err := mime.ParseMediaType(mt)
	if err != nil || t == "" {
		return "application/octet-stream"
	}
	keep := map[string]string{}
	if cs, ok := params["charset"]; ok {
		keep["charset"] = cs
	}
	if out := mime.FormatMediaType(t, keep); out != "" {
		return out
	}
	return "application/octet-stream"
}

// extension names the downloaded file by its role and media type.
func extension(ref domain.ArtefactRef) string {
	t, _, _ := mime.ParseMediaType(ref.MediaType)
	switch {
	case t == "text/html" || t == "application/xhtml+xml":
		return ".html"
	case t == "image/png":
		return ".png"
	case t == "image/jpeg":
		return ".jpg"
	case t == "image/webp":
		return ".webp"
	case t == "image/gif":
		return ".gif"
	case t == "multipart/related" || t == "application/x-mimearchive" || ref.Role == domain.RoleSnapshot:
		return ".mhtml"
	case t == "application/json":
		return ".json"
	case strings.HasPrefix(t, "text/"):
		return ".txt"
	}
	return ".bin"
}
