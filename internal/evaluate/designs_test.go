package evaluate

import (
	"image"
	"image/color"
	"image/draw"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// The packaging designs the image cases are drawn from. They stand in for
// the photos of real goods (which we may not redistribute): each is a
// product on a background, with the large shapes and tones that a
// perceptual hash reads, so that two designs differ where real packaging
// differs — silhouette, where the dark and light bands are, where the logo
// sits. Reference designs go into the registry; the others are the other
// brands and goods that negatives show.

// canvas is the side of a reference image, as a brand's product shot.
const canvas = 320

type rgb = color.RGBA

func c(r, g, b uint8) rgb { return rgb{R: r, G: g, B: b, A: 255} }

// designs maps a design name to its drawing. The first group are the
// registry's reference images (images/<name>.png), the second other goods.
func designs() map[string]func() *image.RGBA {
	return map[string]func() *image.RGBA{
		// reference images
		"liugehetao-can":            liugehetaoCan,
		"hongniu-can":               hongniuCan,
		"wuliangye-box":             wuliangyeBox,
		"kangshifu-bucket":          kangshifuBucket,
		"laoganma-jar":              laoganmaJar,
		"hengshui-laobaigan-bottle": laobaiganBottle,
		// other goods (never in the registry)
		"walnut-green-can":    walnutGreenCan,
		"energy-black-can":    energyBlackCan,
		"liquor-brown-bottle": liquorBrownBottle,
		"noodle-orange-bag":   noodleOrangeBag,
		"sauce-yellow-jar":    sauceYellowJar,
		"phone-case-pink":     phoneCasePink,
		"tshirt-grey":         tshirtGrey,
	}
}

// references are the designs the registry lists, by mark id.
func references() map[string]string {
	return map[string]string{
		"liugehetao":         "liugehetao-can",
		"hongniu":            "hongniu-can",
		"wuliangye":          "wuliangye-box",
		"kangshifu":          "kangshifu-bucket",
		"laoganma":           "laoganma-jar",
		"hengshui-laobaigan": "hengshui-laobaigan-bottle",
	}
}

func newCanvas(bg rgb) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, canvas, canvas))
	fillRect(img, img.Bounds(), bg)
	return img
}

func fillRect(img *image.RGBA, r image.Rectangle, col rgb) {
	draw.Draw(img, r, image.NewUniform(col), image.Point{}, draw.Src)
}

// fillEllipse fills the ellipse centred on (cx, cy) with radii rx, ry.
func fillEllipse(img *image.RGBA, cx, cy, rx, ry int, col rgb) {
	for y := cy - ry; y <= cy+ry; y++ {
		for x := cx - rx; x <= cx+rx; x++ {
			dx, dy := float64(x-cx)/float64(rx), float64(y-cy)/float64(ry)
			if dx*dx+dy*dy <= 1 && image.Pt(x, y).In(img.Bounds()) {
				img.SetRGBA(x, y, col)
			}
		}
	}
}

// fillTrapezoid fills rows y0..y1 whose left and right edges run linearly
// from (l0, r0) at y0 to (l1, r1) at y1.
func fillTrapezoid(img *image.RGBA, y0, y1, l0, r0, l1, r1 int, col rgb) {
	for y := y0; y < y1; y++ {
		f := float64(y-y0) / float64(y1-y0)
		l := int(float64(l0) + f*float64(l1-l0))
		r := int(float64(r0) + f*float64(r1-r0))
		fillRect(img, image.Rect(l, y, r, y+1), col)
	}
}

// label writes latin text (the designs carry their brand in pinyin; the
// glyphs are too small to move a perceptual hash, as on real packaging).
func label(img *image.RGBA, x, y int, s string, col rgb) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(col), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// can draws a drink can body with a rim, left to right x0..x1, top to
// bottom y0..y1.
func can(img *image.RGBA, x0, y0, x1, y1 int, body rgb) {
	fillRect(img, image.Rect(x0, y0, x1, y1), body)
	fillRect(img, image.Rect(x0+4, y0-8, x1-4, y0), c(190, 190, 195))
	fillRect(img, image.Rect(x0+4, y1, x1-4, y1+6), c(170, 170, 175))
}

func liugehetaoCan() *image.RGBA {
	img := newCanvas(c(250, 250, 248))
	can(img, 100, 36, 220, 292, c(235, 238, 245))
	fillRect(img, image.Rect(100, 36, 220, 110), c(20, 45, 130)) // deep blue top band
	fillRect(img, image.Rect(100, 110, 220, 122), c(200, 160, 40))
	fillEllipse(img, 160, 200, 42, 40, c(120, 70, 30)) // walnut
	fillEllipse(img, 160, 200, 20, 26, c(165, 110, 55))
	fillRect(img, image.Rect(100, 262, 220, 292), c(20, 45, 130))
	label(img, 124, 80, "LIUGE", c(255, 255, 255))
	label(img, 120, 96, "HETAO", c(255, 255, 255))
	return img
}

func hongniuCan() *image.RGBA {
	img := newCanvas(c(235, 235, 240))
	fillRect(img, image.Rect(0, 0, 320, 110), c(25, 45, 120)) // blue backdrop of the product shot
	can(img, 70, 40, 190, 296, c(230, 180, 30))               // gold can, left of centre
	fillRect(img, image.Rect(70, 210, 190, 296), c(40, 70, 160))
	fillEllipse(img, 130, 120, 30, 30, c(220, 30, 30)) // sun
	fillEllipse(img, 100, 160, 26, 12, c(170, 20, 30)) // the two bulls
	fillEllipse(img, 160, 160, 26, 12, c(170, 20, 30))
	label(img, 96, 200, "HN-24", c(200, 20, 30))
	return img
}

func wuliangyeBox() *image.RGBA {
	img := newCanvas(c(60, 20, 20))
	fillRect(img, image.Rect(28, 60, 150, 300), c(200, 30, 40)) // red gift box
	fillRect(img, image.Rect(28, 60, 150, 80), c(220, 180, 70))
	fillEllipse(img, 89, 170, 40, 40, c(230, 190, 80))
	fillRect(img, image.Rect(200, 40, 236, 90), c(200, 170, 60))   // cap
	fillRect(img, image.Rect(186, 90, 250, 300), c(225, 230, 235)) // crystal bottle
	fillRect(img, image.Rect(192, 170, 244, 230), c(200, 30, 40))
	label(img, 60, 250, "WULY", c(240, 210, 120))
	return img
}

func kangshifuBucket() *image.RGBA {
	img := newCanvas(c(255, 255, 255))
	fillEllipse(img, 160, 70, 110, 24, c(240, 240, 235))          // lid
	fillTrapezoid(img, 70, 290, 50, 270, 85, 235, c(210, 25, 25)) // red bucket
	fillTrapezoid(img, 150, 190, 62, 258, 68, 252, c(250, 210, 40))
	fillEllipse(img, 110, 240, 34, 22, c(140, 70, 30)) // braised beef
	label(img, 128, 176, "KSF", c(200, 20, 20))
	return img
}

func laoganmaJar() *image.RGBA {
	img := newCanvas(c(238, 228, 205))
	fillRect(img, image.Rect(70, 40, 250, 80), c(200, 30, 30))   // lid
	fillRect(img, image.Rect(60, 80, 260, 290), c(90, 35, 20))   // dark chili oil
	fillRect(img, image.Rect(60, 130, 260, 250), c(215, 40, 35)) // red label
	fillEllipse(img, 160, 190, 36, 46, c(250, 245, 235))         // portrait oval
	fillEllipse(img, 160, 185, 16, 20, c(120, 90, 70))
	label(img, 72, 150, "LGM", c(255, 240, 200))
	return img
}

func laobaiganBottle() *image.RGBA {
	img := newCanvas(c(180, 205, 225))
	fillRect(img, image.Rect(146, 20, 174, 70), c(200, 30, 30))    // red cap
	fillRect(img, image.Rect(138, 70, 182, 110), c(240, 245, 248)) // neck
	fillRect(img, image.Rect(110, 110, 210, 304), c(245, 248, 250))
	fillRect(img, image.Rect(110, 170, 210, 260), c(20, 110, 90)) // green label
	label(img, 122, 220, "HSLBG", c(255, 255, 255))
	return img
}

func walnutGreenCan() *image.RGBA {
	img := newCanvas(c(60, 70, 60))
	can(img, 40, 60, 280, 270, c(90, 170, 80)) // squat, wide tin of another brand
	for y := 90; y < 270; y += 40 {
		fillRect(img, image.Rect(40, y, 280, y+14), c(250, 240, 200))
	}
	fillEllipse(img, 230, 120, 30, 30, c(250, 250, 250))
	label(img, 60, 250, "HETAOLU", c(20, 60, 20))
	return img
}

func energyBlackCan() *image.RGBA {
	img := newCanvas(c(40, 80, 200))
	can(img, 30, 120, 290, 230, c(25, 25, 25)) // can lying on its side
	fillTrapezoid(img, 120, 230, 150, 200, 80, 130, c(240, 220, 20))
	label(img, 210, 180, "VOLT", c(240, 220, 20))
	return img
}

func liquorBrownBottle() *image.RGBA {
	img := newCanvas(c(245, 240, 230))
	fillRect(img, image.Rect(40, 150, 280, 230), c(110, 60, 20)) // round-shouldered bottle lying flat
	fillEllipse(img, 40, 190, 20, 40, c(110, 60, 20))
	fillRect(img, image.Rect(280, 175, 316, 205), c(60, 30, 10))
	fillRect(img, image.Rect(120, 160, 200, 220), c(240, 230, 200))
	label(img, 130, 195, "GUJIU", c(110, 60, 20))
	return img
}

func noodleOrangeBag() *image.RGBA {
	img := newCanvas(c(30, 30, 40))
	fillRect(img, image.Rect(20, 40, 300, 180), c(250, 140, 30)) // pillow bag, upper half
	fillEllipse(img, 240, 110, 50, 40, c(250, 230, 170))
	fillRect(img, image.Rect(20, 200, 300, 300), c(250, 250, 250))
	label(img, 40, 80, "MIANBAO", c(40, 20, 0))
	return img
}

func sauceYellowJar() *image.RGBA {
	img := newCanvas(c(40, 90, 160))
	fillRect(img, image.Rect(20, 20, 140, 300), c(250, 220, 60)) // jar pushed to the left
	fillRect(img, image.Rect(20, 20, 140, 60), c(30, 30, 30))
	fillEllipse(img, 240, 240, 60, 50, c(250, 250, 250))
	label(img, 40, 160, "JIANG", c(150, 20, 20))
	return img
}

func phoneCasePink() *image.RGBA {
	img := newCanvas(c(30, 30, 30))
	fillRect(img, image.Rect(90, 20, 230, 300), c(245, 170, 190))
	fillEllipse(img, 130, 60, 24, 24, c(60, 60, 60)) // camera
	return img
}

func tshirtGrey() *image.RGBA {
	img := newCanvas(c(40, 40, 45))
	fillTrapezoid(img, 60, 120, 20, 300, 60, 260, c(230, 230, 235))
	fillRect(img, image.Rect(80, 120, 240, 300), c(230, 230, 235))
	fillEllipse(img, 160, 64, 26, 12, c(40, 40, 45))
	return img
}
