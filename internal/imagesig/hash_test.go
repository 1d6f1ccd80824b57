package imagesig

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"golang.org/x/image/draw"
)

// packaging draws a stand-in for a product photo: a coloured can with a
// label band and a round logo, deterministic for a seed.
func packaging(seed int, w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	bg := color.RGBA{uint8(40 * seed), uint8(200 - 30*seed), uint8(90 + 20*seed), 255}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := bg
			if y > h/3 && y < h/3+h/(4+seed%3) {
				c = color.RGBA{250, 240, 220, 255}
			}
			dx, dy := x-w*(2+seed%3)/6, y-h*(1+seed%4)/6
			if dx*dx+dy*dy < (w/6)*(w/6) {
				c = color.RGBA{200, 20, 30, 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

func encodeJPEG(t *testing.T, img image.Image, q int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestHashSurvivesResizeAndRecompression(t *testing.T) {
	var h Hasher
	ref := packaging(1, 400, 400)
	var pb bytes.Buffer
	if err := png.Encode(&pb, ref); err != nil {
		t.Fatal(err)
	}
	refHash, err := h.Hash(pb.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	small := image.NewRGBA(image.Rect(0, 0, 220, 220))
	draw.CatmullRom.Scale(small, small.Bounds(), ref, ref.Bounds(), draw.Src, nil)
	copyHash, err := h.Hash(encodeJPEG(t, small, 60))
	if err != nil {
		t.Fatal(err)
	}
	if d := refHash.Distance(copyHash); d > 6 {
		t.Errorf("a resized, recompressed copy is %d bits away; want ≤ 6", d)
	}
	other, err := h.Hash(encodeJPEG(t, packaging(4, 400, 400), 90))
	if err != nil {
		t.Fatal(err)
	}
	if d := refHash.Distance(other); d < 16 {
		t.Errorf("another packaging is only %d bits away; want ≥ 16", d)
	}
}

func TestHashRefusesHostileBodies(t *testing.T) {
	h := Hasher{Limits: Limits{MaxBytes: 64 << 10, MaxPixels: 1_000_000}}
	big := encodeJPEG(t, packaging(2, 1200, 1200), 95) // over a million pixels
	cases := map[string][]byte{
		"not an image":     []byte("<html>blocked</html>"),
		"empty":            nil,
		"truncated jpeg":   encodeJPEG(t, packaging(2, 100, 100), 80)[:200],
		"too many pixels":  big,
		"too many bytes":   bytes.Repeat([]byte{0xff}, 65<<10),
		"declares a giant": pngHeader(100000, 100000),
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			if ph, err := h.Hash(body); err == nil {
				t.Fatalf("hashed %s to %v; want an error", name, ph)
			}
		})
	}
}

// pngHeader is a PNG that declares w×h pixels and holds none: a
// decompression bomb's opening.
func pngHeader(w, h int) []byte {
	var b bytes.Buffer
	img := image.NewGray(image.Rect(0, 0, 1, 1))
	_ = png.Encode(&b, img)
	out := b.Bytes()
	// IHDR width and height sit at bytes 16..24; the CRC is left wrong,
	// which DecodeConfig does not check before the size is known.
	put := func(off, v int) {
		out[off], out[off+1], out[off+2], out[off+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	}
	put(16, w)
	put(20, h)
	return out
}

func FuzzHash(f *testing.F) {
	f.Add([]byte("GIF89a"))
	f.Add(pngHeader(10, 10))
	h := Hasher{Limits: Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 20}}
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _ = h.Hash(body) // must not panic or hang
	})
}
