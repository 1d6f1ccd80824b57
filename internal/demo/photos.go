package demo

import (
	"hash/fnv"
	"image"
	"image/color"
	"math"

	xdraw "golang.org/x/image/draw"
)

// ordinarySide is the size of an ordinary listing photo.
const ordinarySide = 240

// ordinaryPhoto draws a product photo stand-in for a listing that copies no
// reference: a shaded ground and a few goods-like
// shapes, placed by the listing id's hash so that photos differ from each
// other and from every mark's packaging (TestOrdinaryPhotosMatchNoReference
// holds them to it).
func ordinaryPhoto(id string) *image.RGBA {
	h := fnv.New64a()
	h.Write([]byte(id))
	r := newRand(h.Sum64())
	c := newCanvas(ordinarySide, ordinarySide, rgb(0, 0, 0))
	// The ground shades from one colour to another along a direction of
	// its own, so the photos do not share one light-to-dark layout.
	from, to := rgb(r.byte(), r.byte(), r.byte()), rgb(r.byte(), r.byte(), r.byte())
	dx, dy := float64(r.intn(201)-100), float64(r.intn(201)-100)
	norm := math.Abs(dx) + math.Abs(dy) + 1
	for y := range ordinarySide {
		for x := range ordinarySide {
			t := (dx*(float64(x)/ordinarySide-0.5) + dy*(float64(y)/ordinarySide-0.5)) / norm
			c.img.SetRGBA(x, y, mix(from, to, t+0.5))
		}
	}
	for range 3 + r.intn(4) {
		col := rgb(r.byte(), r.byte(), r.byte())
		x, y := float64(r.intn(ordinarySide)), float64(r.intn(ordinarySide))
		w, hh := float64(24+r.intn(100)), float64(24+r.intn(100))
		switch r.intn(3) {
		case 0:
			c.ellipse(col, x, y, w/2, hh/2)
		case 1:
			c.roundRect(col, x-w/2, y-hh/2, x+w/2, y+hh/2, 12)
		default:
			c.poly(col, pt{x, y - hh/2}, pt{x + w/2, y + hh/2}, pt{x - w/2, y + hh/2})
		}
	}
	return c.img
}

// copyPhoto is a listing photo that copies a reference image the way
// counterfeit listings do: scaled to another size, a shop's watermark across
// it and a badge in the corner; the JPEG encoding at copyQuality does the
// recompression. Nil when the reference does not exist.
func copyPhoto(ref string, id int) *image.RGBA {
	src := refImage(ref)
	if src == nil {
		return nil
	}
	side := 180 + 40*(id%4) // 180, 220, 260 or 300 pixels
	dst := image.NewRGBA(image.Rect(0, 0, side, side))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), xdraw.Src, nil)
	c := &canvas{img: dst}
	s := float64(side)
	// A translucent strip with the shop's site name, low on the picture.
	c.text(translucent(90, 90, 90, 150), s/2, s*0.93, s*0.06, "jihuotong.demo")
	// A corner badge: 正品 stickers are a counterfeiter's favourite.
	c.ellipse(translucent(230, 40, 40, 180), s*0.91, s*0.08, s*0.05, s*0.05)
	c.text(rgb(255, 255, 255), s*0.91, s*0.08, s*0.04, "OK")
	return dst
}

// copyQuality is the JPEG quality copies are served at: lower than the
// ordinary photos', as a photo saved and uploaded again would be.
func copyQuality(id int) int { return 55 + 5*(id%3) }

// translucent is a colour at opacity a, premultiplied as color.RGBA must be.
func translucent(r, g, b, a uint8) color.RGBA {
	return color.RGBAModel.Convert(color.NRGBA{R: r, G: g, B: b, A: a}).(color.RGBA)
}

func mix(a, b color.RGBA, t float64) color.RGBA {
	f := func(x, y uint8) uint8 { return uint8(float64(x)*(1-t) + float64(y)*t) }
	return rgb(f(a.R, b.R), f(a.G, b.G), f(a.B, b.B))
}

// splitmix is a small deterministic generator: a photo must look the same
// on every request and every machine, so math/rand's global source is no
// use, and its seeded sources are more than this needs.
type splitmix struct{ s uint64 }

func newRand(seed uint64) *splitmix { return &splitmix{s: seed} }

func (r *splitmix) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *splitmix) intn(n int) int { return int(r.next() % uint64(n)) }
func (r *splitmix) byte() uint8    { return uint8(r.next() >> 56) }
