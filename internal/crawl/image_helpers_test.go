package crawl_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// Two tones of a product photo: the can and the ground. Two tones are what
// the WebP writer below can say; they are enough for a pHash to tell
// pictures apart.
var (
	toneDark  = color.NRGBA{R: 24, G: 40, B: 64, A: 255}
	toneLight = color.NRGBA{R: 236, G: 208, B: 152, A: 255}
)

// packshot draws a light can on a dark ground, its label band and width
// set by variant, so each variant hashes differently.
func packshot(variant, w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	left, right := w/4+variant*w/32, 3*w/4-variant*w/64
	band := h/3 + variant*h/16
	for y := range h {
		for x := range w {
			c := toneDark
			inCan := x >= left && x < right && y >= h/8 && y < 7*h/8
			inBand := y >= band && y < band+h/8
			stripe := (x/(4+variant))%2 == 0
			if inCan != (inBand && stripe) {
				c = toneLight
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func jpegOf(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngOf(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// webpOf writes a two-tone picture as lossless WebP (VP8L): no transforms,
// no colour cache, and for each channel a "simple" prefix code of the two
// tones' values, so every pixel is one bit per colour channel. Go's
// standard library reads WebP (golang.org/x/image/webp) but writes none.
func webpOf(t testing.TB, img *image.NRGBA) []byte {
	t.Helper()
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	var bw bitWriter
	bw.write(0x2f, 8) // VP8L signature
	bw.write(uint32(w-1), 14)
	bw.write(uint32(h-1), 14)
	bw.write(0, 1) // alpha unused
	bw.write(0, 3) // version 0
	bw.write(0, 1) // no transform
	bw.write(0, 1) // no colour cache
	bw.write(0, 1) // no meta prefix codes
	// Prefix codes in stream order: green, red, blue, alpha, distance.
	// A simple code of two symbols gives the first the bit 0; the dark
	// tone is below the light one in every channel.
	for _, pair := range [][2]uint8{{toneDark.G, toneLight.G}, {toneDark.R, toneLight.R}, {toneDark.B, toneLight.B}} {
		bw.write(1, 1) // simple code
		bw.write(1, 1) // two symbols
		bw.write(1, 1) // first symbol in 8 bits
		bw.write(uint32(pair[0]), 8)
		bw.write(uint32(pair[1]), 8)
	}
	for _, only := range []uint32{255, 0} { // alpha always 255; distance never used
		bw.write(1, 1)
		bw.write(0, 1) // one symbol: no bits per pixel
		bw.write(1, 1)
		bw.write(only, 8)
	}
	for y := range h {
		for x := range w {
			bit := uint32(0)
			if img.NRGBAAt(x, y) == toneLight {
				bit = 1
			} else if img.NRGBAAt(x, y) != toneDark {
				t.Fatalf("webpOf: pixel %d,%d is neither tone", x, y)
			}
			bw.write(bit, 1) // green
			bw.write(bit, 1) // red
			bw.write(bit, 1) // blue
		}
	}
	data := bw.bytes()
	var out bytes.Buffer
	pad := len(data) % 2
	out.WriteString("RIFF")
	binary.Write(&out, binary.LittleEndian, uint32(4+8+len(data)+pad))
	out.WriteString("WEBPVP8L")
	binary.Write(&out, binary.LittleEndian, uint32(len(data)))
	out.Write(data)
	if pad == 1 {
		out.WriteByte(0)
	}
	return out.Bytes()
}

// bitWriter packs values least significant bit first, as VP8L reads them.
type bitWriter struct {
	buf   []byte
	acc   uint64
	nbits uint
}

func (b *bitWriter) write(v uint32, n uint) {
	b.acc |= uint64(v&(1<<n-1)) << b.nbits
	b.nbits += n
	for b.nbits >= 8 {
		b.buf = append(b.buf, byte(b.acc))
		b.acc >>= 8
		b.nbits -= 8
	}
}

func (b *bitWriter) bytes() []byte {
	if b.nbits > 0 {
		return append(b.buf, byte(b.acc))
	}
	return b.buf
}
