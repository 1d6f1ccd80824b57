package demo

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/markwatch/markwatch/internal/imagesig"
)

// update regenerates config/marks/images from refDesigns:
//
//	go test ./internal/demo/ -run TestReferenceImages -update
var update = flag.Bool("update", false, "rewrite config/marks/images/*.png from the demo's reference designs")

// refDir is where the registry's reference images are committed.
const refDir = "../../config/marks/images"

// maxRefBytes keeps the embedded registry small.
const maxRefBytes = 30 << 10

// TestReferenceImages checks the committed reference PNGs are what the
// designs draw (pixel for pixel, so a change in Go's PNG encoder is no
// diff), small, and far apart from each other in pHash: two references a
// few bits apart would make every copy of one a copy of the other.
func TestReferenceImages(t *testing.T) {
	var h imagesig.Hasher
	hashes := map[string]uint64{}
	for _, d := range refDesigns() {
		path := filepath.Join(refDir, d.Name+".png")
		want := d.render()
		if *update {
			var buf bytes.Buffer
			enc := png.Encoder{CompressionLevel: png.BestCompression}
			if err := enc.Encode(&buf, want); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(refDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		body, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to generate)", err)
		}
		if len(body) > maxRefBytes {
			t.Errorf("%s: %d bytes, want at most %d", path, len(body), maxRefBytes)
		}
		got, err := png.Decode(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if !samePixels(got, want) {
			t.Errorf("%s differs from design %q: run go test ./internal/demo/ -run TestReferenceImages -update", path, d.Name)
		}
		ph, err := h.Hash(body)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		hashes[d.Name] = uint64(ph)
	}
	names := make([]string, 0, len(hashes))
	for _, d := range refDesigns() {
		names = append(names, d.Name)
	}
	for i, a := range names {
		for _, b := range names[i+1:] {
			if d := distance(hashes[a], hashes[b]); d < minApart {
				t.Errorf("references %s and %s are %d bits apart, want ≥ %d", a, b, d, minApart)
			} else {
				t.Logf("%s – %s: %d bits", a, b, d)
			}
		}
	}
}

// minApart is how far apart in pHash bits two unrelated pictures are held
// to be: the image signal's "small distance" is well under it.
const minApart = 20

func distance(a, b uint64) int {
	n := 0
	for x := a ^ b; x != 0; x &= x - 1 {
		n++
	}
	return n
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1>>8 != r2>>8 || g1>>8 != g2>>8 || b1>>8 != b2>>8 || a1>>8 != a2>>8 {
				return false
			}
		}
	}
	return true
}
