package evidence

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// VerifyStore is what Verify reads of the store.
type VerifyStore interface {
	EachCapture(ctx context.Context, fn func(domain.Capture) error) error
	CapturesOf(ctx context.Context, alertID int64) ([]domain.Capture, error)
	LogSize(ctx context.Context) (int64, error)
	LogLeaves(ctx context.Context, size int64) ([][]byte, error)
	TreeHeads(ctx context.Context) ([]domain.TreeHead, error)
}

// VerifyDeps is what Verify checks: the rows and the artefact files.
type VerifyDeps struct {
	Store VerifyStore
	Blobs Blobs
}

// VerifyOptions choose what Verify checks and what it trusts.
type VerifyOptions struct {
	// AlertID limits the capture checks to one alert's; 0 checks all of
	// them, and then also that every log leaf belongs to a capture. Tree
	// heads are always all checked: one alert's proof rests on them.
	AlertID int64
	// Keys are the ed25519 keys tree heads may be signed with (the
	// daemon's own, and any earlier one); a head by another key fails.
	Keys []ed25519.PublicKey
	// TSARoots is the CA pool TSA tokens must chain to. Without it a
	// token's signature is checked against the certificate it carries
	// only, and the report says so.
	TSARoots *x509.CertPool
	// RequireStamps, set where a TSA is configured, makes a capture that
	// no stamped tree head covers a problem rather than a note.
	RequireStamps bool
}

// Problem kinds.
const (
	ProblemArtefactMissing = "artefact_missing"
	ProblemArtefactAltered = "artefact_altered"
	ProblemRecordHash      = "record_hash" // a capture row differs from what was hashed
	ProblemLogLeaf         = "log_leaf"    // the log does not hold the capture's hash where it says
	ProblemLogOrphan       = "log_orphan"  // a log leaf no capture claims
	ProblemHeadRoot        = "head_root"   // a head's root is not the log's
	ProblemHeadSignature   = "head_signature"
	ProblemHeadStamp       = "head_stamp"
	ProblemUncovered       = "uncovered" // a capture no signed (or stamped) head covers
	ProblemRead            = "read"      // a row or file could not be read
)

// Problem is one thing Verify found wrong, naming exactly the object: an
// artefact (SHA256, Role, CaptureID, Path), a record (CaptureID,
// LogIndex) or a tree head (HeadID).
type Problem struct {
	Kind      string `json:"kind"`
	Object    string `json:"object"` // the same, as a phrase: "artefact 1a2b… (image) of capture 7"
	Detail    string `json:"detail"`
	CaptureID int64  `json:"capture_id,omitempty"`
	LogIndex  *int64 `json:"log_index,omitempty"`
	HeadID    int64  `json:"head_id,omitempty"`
	SHA256    string `json:"sha256,omitempty"`
	Role      string `json:"role,omitempty"`
	Path      string `json:"path,omitempty"`
}

func (p Problem) String() string { return p.Kind + ": " + p.Object + ": " + p.Detail }

// Report is what Verify checked and found.
type Report struct {
	Captures  int       `json:"captures"`
	Artefacts int       `json:"artefacts"` // distinct artefacts read
	Leaves    int64     `json:"leaves"`
	TreeHeads int       `json:"tree_heads"`
	Stamped   int       `json:"stamped"`
	Problems  []Problem `json:"problems"`
	// Notes are what is not wrong but not yet proven: captures newer than
	// the last head, tokens checked without a CA.
	Notes []string `json:"notes,omitempty"`
}

// OK is true when nothing was found wrong.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// blobResult is what reading one artefact gave, kept so that an artefact
// shared by many captures is read once.
type blobResult struct {
	kind, detail string
	size         int64 // bytes read, when the hash matched
}

// Verify recomputes every record hash, artefact hash, log root, head
// signature and timestamp token reachable from the store. The error is for
// failing to read; what does not match is in the report.
func Verify(ctx context.Context, deps VerifyDeps, opts VerifyOptions) (Report, error) {
	var rep Report
	if deps.Store == nil || deps.Blobs == nil {
		return rep, errors.New("verifying evidence: no store or no artefacts")
	}
	size, err := deps.Store.LogSize(ctx)
	if err != nil {
		return rep, fmt.Errorf("verifying evidence: reading the log size: %w", err)
	}
	raw, err := deps.Store.LogLeaves(ctx, size)
	if err != nil {
		if ctx.Err() != nil || domain.ErrorCode(err) == domain.EUNAVAILABLE {
			return rep, fmt.Errorf("verifying evidence: reading the log: %w", err)
		}
		// A store that refuses its own log (a gap where a row was
		// deleted) is a finding, not the end of the check: rebuild the
		// log from the rows, holes left empty, and go on, so the report
		// still names everything else.
		rep.add(Problem{Kind: ProblemLogLeaf, Object: "evidence log", Detail: domain.ErrorMessage(err) + "; checked as rebuilt from the capture rows"})
		if raw, err = leavesFromRows(ctx, &rep, deps.Store, size, opts.AlertID != 0); err != nil {
			return rep, fmt.Errorf("verifying evidence: %w", err)
		}
	}
	rep.Leaves = int64(len(raw))
	leaves := make([][]byte, len(raw))
	for i, r := range raw {
		l, err := LeafData(r)
		if err != nil {
			rep.add(Problem{Kind: ProblemLogLeaf, Object: fmt.Sprintf("log leaf %d", i), LogIndex: ptr(int64(i)), Detail: err.Error()})
			l = r // still hashed as it is, so the roots below fail too
		}
		leaves[i] = l
	}
	heads, err := deps.Store.TreeHeads(ctx)
	if err != nil {
		return rep, fmt.Errorf("verifying evidence: reading tree heads: %w", err)
	}
	cover := checkHeads(&rep, heads, leaves, opts)

	claimed := make(map[int64]int64, len(leaves)) // log index → capture id
	blobs := map[string]blobResult{}
	check := func(c domain.Capture) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		rep.Captures++
		checkCapture(ctx, &rep, deps.Blobs, blobs, leaves, claimed, cover, opts, c)
		return nil
	}
	if opts.AlertID != 0 {
		cs, err := deps.Store.CapturesOf(ctx, opts.AlertID)
		if err != nil {
			return rep, fmt.Errorf("verifying evidence of alert %d: %w", opts.AlertID, err)
		}
		if len(cs) == 0 {
			rep.Notes = append(rep.Notes, fmt.Sprintf("alert %d has no captures", opts.AlertID))
		}
		for _, c := range cs {
			if err := check(c); err != nil {
				return rep, fmt.Errorf("verifying evidence: %w", err)
			}
		}
	} else {
		if err := deps.Store.EachCapture(ctx, check); err != nil {
			return rep, fmt.Errorf("verifying evidence: reading captures: %w", err)
		}
		for i := range leaves {
			if _, ok := claimed[int64(i)]; !ok {
				rep.add(Problem{Kind: ProblemLogOrphan, Object: fmt.Sprintf("log leaf %d", i), LogIndex: ptr(int64(i)),
					Detail: "no capture row has this log index: a capture was deleted or renumbered"})
			}
		}
	}
	rep.Artefacts = len(blobs)
	sort.SliceStable(rep.Problems, func(i, j int) bool { return rep.Problems[i].CaptureID < rep.Problems[j].CaptureID })
	return rep, nil
}

// leavesFromRows is the log as the capture rows say it is: each row's
// record hash at its log index, for the size the store says the log has. An index no row holds is a problem and an
// empty leaf, so every root over it fails.
func leavesFromRows(ctx context.Context, rep *Report, st VerifyStore, size int64, reportHoles bool) ([][]byte, error) {
	leaves := make([][]byte, max(size, 0))
	err := st.EachCapture(ctx, func(c domain.Capture) error {
		if c.LogIndex < 0 || c.LogIndex >= size {
			return nil // reported with the capture, as outside the log
		}
		leaves[c.LogIndex] = []byte(c.RecordHash)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rebuilding the log from the capture rows: %w", err)
	}
	for i, l := range leaves {
		if l == nil && reportHoles { // a full check reports them with the captures
			rep.add(Problem{Kind: ProblemLogOrphan, Object: fmt.Sprintf("log leaf %d", i), LogIndex: ptr(int64(i)),
				Detail: "no capture row holds this log index: a capture was deleted"})
		}
		if l == nil {
			leaves[i] = make([]byte, 32)
		}
	}
	return leaves, nil
}

// coverage is what the valid tree heads prove: the largest size signed,
// the largest stamped, and the newest head's time.
type coverage struct {
	signed, stamped int64
	newest          domain.TreeHead
}

// headRoots is the log's root at each head's size ("" for a size the log
// does not reach), in one pass over the leaves: a compact range gives the
// root at any size as it grows, so a year of heads costs one log's hashing.
func headRoots(heads []domain.TreeHead, leaves [][]byte) []string {
	order := make([]int, len(heads))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return heads[order[a]].Size < heads[order[b]].Size })
	roots := make([]string, len(heads))
	r := newRange()
	next := 0
	for _, i := range order {
		h := heads[i]
		if h.Size < 0 || h.Size > int64(len(leaves)) {
			continue
		}
		for ; int64(next) < h.Size; next++ {
			_ = r.Append(hasher.HashLeaf(leaves[next]), nil)
		}
		roots[i] = hex.EncodeToString(rangeRoot(r))
	}
	return roots
}

func checkHeads(rep *Report, heads []domain.TreeHead, leaves [][]byte, opts VerifyOptions) coverage {
	var cov coverage
	keys := map[string]ed25519.PublicKey{}
	for _, k := range opts.Keys {
		keys[KeyID(k)] = k
	}
	roots := headRoots(heads, leaves)
	notedRoots := false
	for i, h := range heads {
		rep.TreeHeads++
		obj := fmt.Sprintf("tree head %d (size %d, %s)", h.ID, h.Size, h.CreatedAt.UTC().Format("2006-01-02T15:04:05Z07:00"))
		ok := true
		if h.Size < 0 || h.Size > int64(len(leaves)) {
			rep.add(Problem{Kind: ProblemHeadRoot, Object: obj, HeadID: h.ID,
				Detail: fmt.Sprintf("signed a log of %d leaves, the log holds %d: leaves were removed", h.Size, len(leaves))})
			ok = false
		} else if roots[i] != h.RootHash {
			rep.add(Problem{Kind: ProblemHeadRoot, Object: obj, HeadID: h.ID,
				Detail: fmt.Sprintf("the log's first %d leaves hash to %s, the head says %s: a leaf was altered, removed or reordered", h.Size, roots[i], h.RootHash)})
			ok = false
		}
		if k, known := keys[h.KeyID]; !known {
			rep.add(Problem{Kind: ProblemHeadSignature, Object: obj, HeadID: h.ID,
				Detail: fmt.Sprintf("signed by key %q, which is not one of the %d trusted keys", h.KeyID, len(keys))})
			ok = false
		} else if err := VerifyHead(k, h); err != nil {
			rep.add(Problem{Kind: ProblemHeadSignature, Object: obj, HeadID: h.ID, Detail: domain.ErrorMessage(err)})
			ok = false
		}
		stamped := false
		if len(h.TSAToken) > 0 {
			at, err := VerifyToken(h.TSAToken, headTextOf(h), opts.TSARoots)
			switch {
			case err != nil:
				rep.add(Problem{Kind: ProblemHeadStamp, Object: obj, HeadID: h.ID, Detail: domain.ErrorMessage(err)})
			case h.StampedAt == nil || h.StampedAt.Sub(at).Abs() > time.Millisecond:
				// The row's time is what the console and the packet show;
				// it must be the token's.
				rep.add(Problem{Kind: ProblemHeadStamp, Object: obj, HeadID: h.ID,
					Detail: fmt.Sprintf("the row says it was stamped at %v, the token says %s", fmtTime(h.StampedAt), at.Format(time.RFC3339Nano))})
			default:
				stamped = true
				rep.Stamped++
				if opts.TSARoots == nil && !notedRoots {
					rep.Notes = append(rep.Notes, "timestamp tokens were checked against the certificate they carry; give the TSA's CA certificate to check who issued them")
					notedRoots = true
				}
			}
		}
		if !ok {
			continue
		}
		cov.signed = max(cov.signed, h.Size)
		if stamped {
			cov.stamped = max(cov.stamped, h.Size)
		}
		if h.CreatedAt.After(cov.newest.CreatedAt) {
			cov.newest = h
		}
	}
	return cov
}

func checkCapture(ctx context.Context, rep *Report, blobs Blobs, seen map[string]blobResult, leaves [][]byte,
	claimed map[int64]int64, cov coverage, opts VerifyOptions, c domain.Capture) {
	rec := fmt.Sprintf("capture %d (alert %d, log index %d)", c.ID, c.AlertID, c.LogIndex)
	recProblem := func(kind, detail string) {
		rep.add(Problem{Kind: kind, Object: rec, CaptureID: c.ID, LogIndex: ptr(c.LogIndex), Detail: detail})
	}
	got := RecordHash(c)
	if got != c.RecordHash {
		recProblem(ProblemRecordHash, fmt.Sprintf("the row hashes to %s, its record hash is %s: the row was altered after capture", got, c.RecordHash))
	}
	switch {
	case c.LogIndex < 0 || c.LogIndex >= int64(len(leaves)):
		recProblem(ProblemLogLeaf, fmt.Sprintf("the log holds %d leaves, none at index %d", len(leaves), c.LogIndex))
	default:
		if other, dup := claimed[c.LogIndex]; dup {
			recProblem(ProblemLogLeaf, fmt.Sprintf("capture %d claims the same log index", other))
		}
		claimed[c.LogIndex] = c.ID
		if leaf := hex.EncodeToString(leaves[c.LogIndex]); leaf != got {
			recProblem(ProblemLogLeaf, fmt.Sprintf("log leaf %d holds %s, not the row's hash %s", c.LogIndex, leaf, got))
		}
	}
	switch {
	case c.LogIndex < cov.signed:
		if opts.RequireStamps && c.LogIndex >= cov.stamped {
			recProblem(ProblemUncovered, "no tree head with a valid timestamp covers it yet")
		}
	case c.CapturedAt.After(cov.newest.CreatedAt):
		rep.Notes = append(rep.Notes, fmt.Sprintf("%s was captured after the newest tree head and is not signed yet", rec))
	default:
		recProblem(ProblemUncovered, "no valid signed tree head covers it, though heads were signed after it was captured")
	}
	for _, a := range c.Artefacts {
		res, done := seen[a.SHA256]
		if !done {
			res = checkBlob(ctx, blobs, a)
			seen[a.SHA256] = res
		}
		if res.kind == "" && res.size != a.Size {
			res = blobResult{kind: ProblemArtefactAltered, detail: fmt.Sprintf("the file holds %d bytes, the record says %d", res.size, a.Size)}
		}
		if res.kind == "" {
			continue
		}
		rep.add(Problem{Kind: res.kind, CaptureID: c.ID, SHA256: a.SHA256, Role: a.Role, Path: blobPath(blobs, a.SHA256),
			Object: fmt.Sprintf("artefact %s (%s) of capture %d at %s", a.SHA256, a.Role, c.ID, blobPath(blobs, a.SHA256)),
			Detail: res.detail})
	}
}

// checkBlob reads an artefact through and compares its hash and size
// with the reference.
func checkBlob(ctx context.Context, blobs Blobs, a domain.ArtefactRef) blobResult {
	rc, err := blobs.Open(ctx, a.SHA256)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return blobResult{kind: ProblemArtefactMissing, detail: "the file is missing"}
		}
		return blobResult{kind: ProblemRead, detail: fmt.Sprintf("cannot be read: %v", err)}
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return blobResult{kind: ProblemRead, detail: fmt.Sprintf("cannot be read: %v", err)}
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != a.SHA256 {
		return blobResult{kind: ProblemArtefactAltered, detail: fmt.Sprintf("the file's %d bytes hash to %s: it was altered since it was stored", n, sum)}
	}
	return blobResult{size: n}
}

func blobPath(b Blobs, sha string) string {
	if l, ok := b.(Locator); ok {
		return l.Path(sha)
	}
	if validSHA(sha) {
		return filepath.Join("sha256", sha[0:2], sha[2:4], sha)
	}
	return strings.ToValidUTF8(sha, "?")
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func (r *Report) add(p Problem) { r.Problems = append(r.Problems, p) }

func ptr[T any](v T) *T { return &v }
