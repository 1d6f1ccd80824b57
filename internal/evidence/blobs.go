package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/markwatch/markwatch/internal/domain"
)

// Blobs stores artefacts by the SHA-256 of their bytes. It is an interface
// so that an S3-compatible bucket can hold them later; FS keeps them in a
// directory.
type Blobs interface {
	// Put stores r's bytes and returns their reference (Role left empty
	// for the caller). Storing bytes already held returns the same
	// reference and leaves the stored copy alone.
	Put(ctx context.Context, r io.Reader, mediaType string) (domain.ArtefactRef, error)
	// Open returns the stored bytes; ENOTFOUND when none are held.
	Open(ctx context.Context, sha string) (io.ReadCloser, error)
	Exists(ctx context.Context, sha string) (bool, error)
}

// Locator is implemented by Blobs that can say where an artefact lives, so
// a verification problem names the file an investigator should look at.
type Locator interface {
	Path(sha string) string
}

// FS is Blobs in a local directory: dir/sha256/ab/cd/<hex>, files of mode
// 0444 that are never rewritten once in place.
type FS struct {
	dir      string
	maxBytes int64
}

var (
	_ Blobs   = (*FS)(nil)
	_ Locator = (*FS)(nil)
)

// NewFS creates dir if needed. Artefacts over maxBytes are refused; 0 or
// less means 64 MiB.
func NewFS(dir string, maxBytes int64) (*FS, error) {
	if dir == "" {
		return nil, errors.New("opening evidence store: no directory")
	}
	if maxBytes <= 0 {
		maxBytes = 64 << 20
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("opening evidence store %s: %w", dir, err)
	}
	if err := mkdirSynced(filepath.Join(abs, "sha256")); err != nil {
		return nil, fmt.Errorf("opening evidence store %s: %w", dir, err)
	}
	return &FS{dir: abs, maxBytes: maxBytes}, nil
}

// Dir is the directory the artefacts are under.
func (s *FS) Dir() string { return s.dir }

// Path is where the artefact with the given hex SHA-256 is (or would be)
// stored. Two levels of two hex digits keep directories small: a million
// artefacts put about 15 files in each.
func (s *FS) Path(sha string) string {
	if !validSHA(sha) {
		return filepath.Join(s.dir, "sha256", "invalid", filepath.Base(sha))
	}
	return filepath.Join(s.dir, "sha256", sha[0:2], sha[2:4], sha)
}

// Put implements Blobs. The bytes are hashed while they stream into a
// temporary file in the store's directory (the same file system, so the
// final link is atomic), synced, made read-only and linked into place. A
// link, unlike a rename, fails when the name exists, so a file already
// stored — by an earlier Put or a concurrent one — is never replaced, not
// even by identical bytes. The directory is synced afterwards so that the
// name survives a crash: a reference handed out is a file on disk.
func (s *FS) Put(ctx context.Context, r io.Reader, mediaType string) (domain.ArtefactRef, error) {
	tmp, err := os.CreateTemp(s.dir, ".put-*")
	if err != nil {
		return domain.ArtefactRef{}, fmt.Errorf("storing artefact: %w", err)
	}
	tmpName := tmp.Name()
	// Whatever happens, the temporary name goes: the stored copy, if any,
	// is the linked one.
	defer os.Remove(tmpName)

	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(ctxReader{ctx, r}, s.maxBytes+1))
	if err != nil {
		_ = tmp.Close()
		return domain.ArtefactRef{}, fmt.Errorf("storing artefact: %w", err)
	}
	if n > s.maxBytes {
		_ = tmp.Close()
		return domain.ArtefactRef{}, domain.Errorf(domain.EINVALID, "artefact over %d bytes", s.maxBytes)
	}
	if err := tmp.Chmod(0o444); err != nil {
		_ = tmp.Close()
		return domain.ArtefactRef{}, fmt.Errorf("storing artefact: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return domain.ArtefactRef{}, fmt.Errorf("storing artefact: syncing: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return domain.ArtefactRef{}, fmt.Errorf("storing artefact: %w", err)
	}
	sha := hex.EncodeToString(h.Sum(nil))
	ref := domain.ArtefactRef{SHA256: sha, Size: n, MediaType: mediaType}
	final := s.Path(sha)
	if err := mkdirSynced(filepath.Dir(final)); err != nil {
		return domain.ArtefactRef{}, fmt.Errorf("storing artefact %s: %w", sha, err)
	}
	if err := os.Link(tmpName, final); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return ref, nil
		}
		if !linkUnsupported(err) {
			return domain.ArtefactRef{}, fmt.Errorf("storing artefact %s: %w", sha, err)
		}
		// A file system without hard links (some network mounts): a
		// rename after a look. Two racing Puts may then both rename, but
		// only ever identical bytes over each other.
		if _, err := os.Lstat(final); err == nil {
			return ref, nil
		}
		if err := os.Rename(tmpName, final); err != nil {
			return domain.ArtefactRef{}, fmt.Errorf("storing artefact %s: %w", sha, err)
		}
	}
	if err := syncDir(filepath.Dir(final)); err != nil {
		return domain.ArtefactRef{}, fmt.Errorf("storing artefact %s: %w", sha, err)
	}
	return ref, nil
}

// Open implements Blobs.
func (s *FS) Open(ctx context.Context, sha string) (io.ReadCloser, error) {
	if !validSHA(sha) {
		return nil, domain.Errorf(domain.EINVALID, "artefact %q: not a hex SHA-256", sha)
	}
	f, err := os.Open(s.Path(sha))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, domain.Errorf(domain.ENOTFOUND, "artefact %s not found", sha)
	}
	if err != nil {
		return nil, fmt.Errorf("opening artefact %s: %w", sha, err)
	}
	return f, nil
}

// Exists implements Blobs.
func (s *FS) Exists(ctx context.Context, sha string) (bool, error) {
	if !validSHA(sha) {
		return false, domain.Errorf(domain.EINVALID, "artefact %q: not a hex SHA-256", sha)
	}
	_, err := os.Stat(s.Path(sha))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("looking for artefact %s: %w", sha, err)
	}
	return true, nil
}

// validSHA accepts lower-case hex of 32 bytes only: the name becomes a
// path, so nothing else may get near the file system.
func validSHA(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// mkdirSynced creates dir and its missing parents, syncing each parent a
// directory was created in, so the new names survive a crash.
func mkdirSynced(dir string) error {
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return fmt.Errorf("%s is not a directory", dir)
		}
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := mkdirSynced(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return syncDir(parent)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		_ = d.Close()
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return d.Close()
}

func linkUnsupported(err error) bool {
	return errors.Is(err, errors.ErrUnsupported) || errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EMLINK)
}

// ctxReader stops a long copy when ctx ends, so a shutdown does not wait
// for a slow producer.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
