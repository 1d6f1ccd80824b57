package registry

import (
	"errors"
	"io/fs"
	"path"

	"github.com/markwatch/markwatch/internal/domain"
)

// HashImages reads every reference image of marks from fsys, relative to dir
// (the registry file's folder), and fills in its Hash with hash (imagesig in
// the daemon). It stops at the first image it cannot read or hash, naming
// the mark and the path: a mark whose pictures silently fail to load would be
// protected by its title alone while its operator believes otherwise.
func HashImages(fsys fs.FS, dir string, marks []domain.Mark, hash func([]byte) (domain.PHash, error)) error {
	for i := range marks {
		mk := &marks[i]
		for j := range mk.Images {
			img := &mk.Images[j]
			full := path.Join(dir, img.Path)
			data, err := fs.ReadFile(fsys, full)
			if err != nil {
				return imageErr(mk.ID, img.Path, full, "reading", err)
			}
			h, err := hash(data)
			if err != nil {
				return imageErr(mk.ID, img.Path, full, "hashing", err)
			}
			img.Hash = h
		}
	}
	return nil
}

// imageError is coded EINVALID (the operator's to fix: a wrong path, a file
// that is no picture) and still unwraps to its cause (fs.ErrNotExist …).
type imageError struct {
	coded *domain.Error
	cause error
}

func (e *imageError) Error() string   { return e.coded.Message }
func (e *imageError) Unwrap() []error { return []error{e.coded, e.cause} }

func imageErr(id, p, full, doing string, cause error) error {
	msg := cause
	var pe *fs.PathError
	if errors.As(cause, &pe) {
		msg = pe.Err // the path is named already
	}
	return &imageError{
		coded: domain.Errorf(domain.EINVALID, "%s reference images: mark %q: image %q (%s): %v", doing, id, p, full, msg),
		cause: cause,
	}
}
