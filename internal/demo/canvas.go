package demo

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// canvas draws the flat, anti-aliased shapes packaging pictures are made
// of: polygons, rounded rectangles, ellipses and a few Latin letters. It
// is deterministic, so the same design always gives the same pixels.
type canvas struct {
	img *image.RGBA
}

func newCanvas(w, h int, bg color.RGBA) *canvas {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
	return &canvas{img: img}
}

type pt struct{ x, y float64 }

// poly fills a closed polygon. The rasterizer covers only the polygon's
// bounding box: sized to the whole picture, each shape cost as much as
// the largest.
func (c *canvas) poly(col color.RGBA, pts ...pt) {
	if len(pts) < 3 {
		return
	}
	minX, minY, maxX, maxY := pts[0].x, pts[0].y, pts[0].x, pts[0].y
	for _, p := range pts[1:] {
		minX, minY, maxX, maxY = min(minX, p.x), min(minY, p.y), max(maxX, p.x), max(maxY, p.y)
	}
	box := image.Rect(int(math.Floor(minX)), int(math.Floor(minY)), int(math.Ceil(maxX)), int(math.Ceil(maxY))).Intersect(c.img.Bounds())
	if box.Empty() {
		return
	}
	ox, oy := float64(box.Min.X), float64(box.Min.Y)
	z := vector.NewRasterizer(box.Dx(), box.Dy())
	z.MoveTo(float32(pts[0].x-ox), float32(pts[0].y-oy))
	for _, p := range pts[1:] {
		z.LineTo(float32(p.x-ox), float32(p.y-oy))
	}
	z.ClosePath()
	z.Draw(c.img, box, image.NewUniform(col), image.Point{})
}

func (c *canvas) rect(col color.RGBA, x0, y0, x1, y1 float64) {
	c.poly(col, pt{x0, y0}, pt{x1, y0}, pt{x1, y1}, pt{x0, y1})
}

// ellipse fills an ellipse centred at (cx, cy).
func (c *canvas) ellipse(col color.RGBA, cx, cy, rx, ry float64) {
	const n = 72
	pts := make([]pt, n)
	for i := range n {
		a := 2 * math.Pi * float64(i) / n
		pts[i] = pt{cx + rx*math.Cos(a), cy + ry*math.Sin(a)}
	}
	c.poly(col, pts...)
}

// roundRect fills a rectangle with corners of radius r.
func (c *canvas) roundRect(col color.RGBA, x0, y0, x1, y1, r float64) {
	r = min(r, (x1-x0)/2, (y1-y0)/2)
	var pts []pt
	corner := func(cx, cy, from float64) {
		for i := 0; i <= 8; i++ {
			a := from + math.Pi/2*float64(i)/8
			pts = append(pts, pt{cx + r*math.Cos(a), cy + r*math.Sin(a)})
		}
	}
	corner(x1-r, y0+r, -math.Pi/2)
	corner(x1-r, y1-r, 0)
	corner(x0+r, y1-r, math.Pi/2)
	corner(x0+r, y0+r, math.Pi)
	c.poly(col, pts...)
}

// text writes Latin letters of the given pixel size centred at (cx, cy).
// Go Bold is embedded in golang.org/x/image, so no font file is needed.
func (c *canvas) text(col color.RGBA, cx, cy, size float64, s string) {
	f, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return // the embedded font always parses; a picture without letters is still a picture
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return
	}
	defer face.Close()
	d := &font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: face}
	w := d.MeasureString(s)
	m := face.Metrics()
	d.Dot = fixed.Point26_6{
		X: fixed.Int26_6(cx*64) - w/2,
		Y: fixed.Int26_6(cy*64) + m.CapHeight/2,
	}
	d.DrawString(s)
}

// logo draws a round emblem: a disc, a ring inside it and letters.
func (c *canvas) logo(disc, ring, ink color.RGBA, cx, cy, r float64, letters string) {
	c.ellipse(disc, cx, cy, r, r)
	c.ellipse(ring, cx, cy, r*0.82, r*0.82)
	c.ellipse(disc, cx, cy, r*0.72, r*0.72)
	if letters != "" {
		sizes := []float64{1.1, 0.8, 0.6} // one, two, three or more letters across the disc
		c.text(ink, cx, cy, r*sizes[min(len(letters), 3)-1], letters)
	}
}

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{R: r, G: g, B: b, A: 255} }
