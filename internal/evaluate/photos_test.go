package evaluate

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"golang.org/x/image/draw"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/imagesig"
)

var update = flag.Bool("update", false, "rewrite the generated reference and listing images under testdata/real/images")

// imagesDir holds the registry's reference images and the listing photos
// of the real set's image cases.
const imagesDir = "testdata/real/images"

// photo is a listing photo as sellers make one from a brand's product shot
// (or from another design): scaled, cropped a few per cent, brightened or
// darkened, a shop watermark band, JPEG recompressed.
type photo struct {
	id     string // the case id; the file is images/<id>.jpg
	design string
	width  int
	crop   [4]float64 // fraction cut from left, top, right, bottom
	bright int        // added to every channel
	band   string     // shop watermark along the bottom, "" for none
	pad    bool       // letterboxed onto a white 4:3 canvas
	q      int        // JPEG quality
}

// render draws the listing photo.
func (p photo) render() (*image.RGBA, error) {
	draw0, ok := designs()[p.design]
	if !ok {
		return nil, fmt.Errorf("photo %s: no design %q", p.id, p.design)
	}
	src := draw0()
	b := src.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	cut := image.Rect(int(p.crop[0]*w), int(p.crop[1]*h), b.Dx()-int(p.crop[2]*w), b.Dy()-int(p.crop[3]*h))
	outW := p.width
	outH := outW * cut.Dy() / cut.Dx()
	out := image.NewRGBA(image.Rect(0, 0, outW, outH))
	dst := out.Bounds()
	if p.pad {
		out = image.NewRGBA(image.Rect(0, 0, outW, outW*3/4))
		fillRect(out, out.Bounds(), c(255, 255, 255))
		inner := outW * 3 / 4 * cut.Dx() / cut.Dy()
		dst = image.Rect((outW-inner)/2, 0, (outW+inner)/2, outW*3/4)
	}
	draw.CatmullRom.Scale(out, dst, src, cut, draw.Src, nil)
	if p.bright != 0 {
		for i := 0; i+3 < len(out.Pix); i += 4 {
			for k := 0; k < 3; k++ {
				out.Pix[i+k] = clamp(int(out.Pix[i+k]) + p.bright)
			}
		}
	}
	if p.band != "" {
		ob := out.Bounds()
		bh := ob.Dy() / 10
		band := image.Rect(0, ob.Dy()-bh, ob.Dx(), ob.Dy())
		draw.Draw(out, band, image.NewUniform(color.NRGBA{0, 0, 0, 110}), image.Point{}, draw.Over)
		label(out, 8, ob.Dy()-bh/2+4, p.band, c(255, 255, 255))
	}
	return out, nil
}

func clamp(v int) uint8 {
	return uint8(min(max(v, 0), 255))
}

func (p photo) encode() ([]byte, error) {
	img, err := p.render()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: p.q}); err != nil {
		return nil, fmt.Errorf("encoding photo %s: %w", p.id, err)
	}
	return b.Bytes(), nil
}

func encodeReference(name string) ([]byte, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, designs()[name]()); err != nil {
		return nil, fmt.Errorf("encoding reference %s: %w", name, err)
	}
	return b.Bytes(), nil
}

func hashBytes(t *testing.T, what string, data []byte) domain.PHash {
	t.Helper()
	h, err := imagesig.Hasher{}.Hash(data)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return h
}

// Distances the photos are built to keep: a seller's copy of a reference
// stays within near bits of it; other designs stay at least far bits from
// every reference, so image cases test the matcher's rule, not the hash's
// noise. Both bars leave room on each side of any sensible threshold.
const (
	near = 8
	far  = 20
)

// TestGeneratedImages keeps the committed images what the designs and
// photo recipes draw (`go test -run TestGeneratedImages -update` rewrites
// them): the references byte for byte, the JPEG photos by hash, since a
// JPEG encoder may round differently across Go releases. It also checks
// every photo against every reference: copies close to their own, far
// from the others; other designs far from all.
func TestGeneratedImages(t *testing.T) {
	names := make([]string, 0, len(references()))
	for _, n := range references() {
		names = append(names, n)
	}
	sort.Strings(names)
	refs := map[string]domain.PHash{}
	for _, n := range names {
		want, err := encodeReference(n)
		if err != nil {
			t.Fatal(err)
		}
		refs[n] = hashBytes(t, n, want)
		path := filepath.Join(imagesDir, n+".png")
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to generate)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what design %s draws; run with -update", path, n)
		}
	}
	for _, a := range names {
		for _, b := range names {
			if a < b && refs[a].Distance(refs[b]) < far {
				t.Errorf("references %s and %s differ in %d bits, want >= %d", a, b, refs[a].Distance(refs[b]), far)
			}
		}
	}
	for _, p := range listingPhotos() {
		want, err := p.encode()
		if err != nil {
			t.Fatal(err)
		}
		h := hashBytes(t, p.id, want)
		for n, hr := range refs {
			d := h.Distance(hr)
			switch {
			case n == p.design && d > near:
				t.Errorf("photo %s (%s) differs from its reference in %d bits, want <= %d", p.id, p.design, d, near)
			case n != p.design && d < far:
				t.Errorf("photo %s (%s) differs from reference %s in only %d bits, want >= %d", p.id, p.design, n, d, far)
			}
		}
		path := filepath.Join(imagesDir, p.id+".jpg")
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s %s", p.id, h)
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to generate)", err)
		}
		if hg := hashBytes(t, path, got); hg != h {
			t.Errorf("%s hashes %s, its recipe %s; run with -update", path, hg, h)
		}
	}
}
