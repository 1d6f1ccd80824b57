package imagesig

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif" // marketplaces serve gif thumbnails too
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"

	"github.com/corona10/goimagehash"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // most marketplace thumbnails are webp

	"github.com/markwatch/markwatch/internal/domain"
)

// Limits bound what one image may cost.
type Limits struct {
	MaxBytes  int64 // encoded size; default 4 MiB
	MaxPixels int64 // width × height as declared by the header; default 25 Mpx
}

// DefaultLimits are the limits of the zero Limits.
var defaultLimits = Limits{MaxBytes: 4 << 20, MaxPixels: 25_000_000}

func (l Limits) orDefault() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = defaultLimits.MaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = defaultLimits.MaxPixels
	}
	return l
}

// Hasher hashes images within its limits; the zero value uses defaults.
type Hasher struct{ Limits Limits }

// Hash decodes body (jpeg, png, gif or webp) and returns its pHash. The
// header is read first, so a picture declaring more than MaxPixels is
// refused before any pixel is decoded.
func (h Hasher) Hash(body []byte) (domain.PHash, error) {
	l := h.Limits.orDefault()
	if int64(len(body)) > l.MaxBytes {
		return 0, domain.Errorf(domain.EINVALID, "hashing image: %d bytes, over the %d-byte limit", len(body), l.MaxBytes)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(body))
	if err != nil {
		return 0, domain.Errorf(domain.EINVALID, "hashing image: not a jpeg, png, gif or webp picture: %v", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > l.MaxPixels {
		return 0, domain.Errorf(domain.EINVALID, "hashing image: %s of %d×%d pixels, over the %d-pixel limit", format, cfg.Width, cfg.Height, l.MaxPixels)
	}
	img, _, err := image.Decode(bytes.NewReader(body))
	if err != nil {
		return 0, domain.Errorf(domain.EINVALID, "hashing image: decoding %s: %v", format, err)
	}
	return HashImage(img)
}

// side is the square the pHash reads. Scaling to it here (approximate
// bilinear) makes hashing cost little more than decoding: letting the hash
// library resize an 800-pixel photo itself took twice the decode time.
// Reference and listing images go through the same path, so they agree.
const side = 64

// HashImage returns the pHash of a decoded image.
func HashImage(img image.Image) (domain.PHash, error) {
	small := image.NewRGBA(image.Rect(0, 0, side, side))
	draw.ApproxBiLinear.Scale(small, small.Bounds(), img, img.Bounds(), draw.Src, nil)
	ph, err := goimagehash.PerceptionHash(small)
	if err != nil {
		return 0, fmt.Errorf("hashing image: %w", err)
	}
	return domain.PHash(ph.GetHash()), nil
}

// Read hashes at most the limit's bytes from r; a longer body is refused.
func (h Hasher) Read(r io.Reader) (domain.PHash, error) {
	l := h.Limits.orDefault()
	body, err := io.ReadAll(io.LimitReader(r, l.MaxBytes+1))
	if err != nil {
		return 0, fmt.Errorf("hashing image: reading: %w", err)
	}
	return h.Hash(body)
}

// File hashes the image at path (a registry's reference image).
func (h Hasher) File(path string) (domain.PHash, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("hashing image: %w", err)
	}
	defer f.Close()
	ph, err := h.Read(f)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return ph, nil
}
