package demo

import (
	"image"
	"slices"
)

// RefSide is the width and height of a reference image, in pixels.
const RefSide = 256

// refDesign is one reference image of a protected mark: the picture of its
// packaging or logo that config/marks/hebei.yaml lists under images and
// that the demo's image-copy listings reuse. The committed PNGs under
// config/marks/images are generated from these (TestReferenceImages
// -update), so the demo's copies and the registry's references cannot
// drift apart.
type refDesign struct {
	Name string // file name without .png, e.g. "liugehetao-can"
	Mark string // registry id of the mark
	draw func(c *canvas)
}

// refImage renders the reference image called name, nil when there is none.
func refImage(name string) *image.RGBA {
	i := slices.IndexFunc(refDesigns(), func(d refDesign) bool { return d.Name == name })
	if i < 0 {
		return nil
	}
	return refDesigns()[i].render()
}

func (d refDesign) render() *image.RGBA {
	c := newCanvas(RefSide, RefSide, rgb(255, 255, 255))
	d.draw(c)
	return c.img
}

// refDesigns are the packaging pictures, one per shape the marks' goods
// come in: cans, a carton, a noodle bucket, bottles, a noodle pack, a flour
// sack. Each differs from the others in where its light and dark masses
// lie, which is what a perceptual hash sees; colours alone would not do.
// None is mirror-symmetric: a symmetric picture zeroes half the DCT
// coefficients the pHash compares with their median, and its hash then
// flips bits under mere rescaling (a centred bottle moved 20 bits).
func refDesigns() []refDesign {
	return []refDesign{
		{Name: "liugehetao-can", Mark: "liugehetao", draw: func(c *canvas) {
			// A tall blue 240ml can, gold band, a brown walnut emblem, and
			// walnuts beside it.
			c.rect(rgb(236, 238, 240), 0, 0, 256, 256)
			c.roundRect(rgb(18, 52, 128), 48, 26, 148, 234, 14)
			c.ellipse(rgb(196, 200, 208), 98, 30, 48, 8)
			c.rect(rgb(226, 176, 42), 48, 150, 148, 178)
			c.logo(rgb(122, 72, 32), rgb(246, 226, 180), rgb(246, 226, 180), 98, 96, 32, "6")
			c.ellipse(rgb(150, 100, 50), 190, 210, 30, 24)
			c.ellipse(rgb(170, 118, 62), 222, 184, 24, 20)
		}},
		{Name: "liugehetao-box", Mark: "liugehetao", draw: func(c *canvas) {
			// The 20-can carton seen from above the right corner.
			c.poly(rgb(60, 104, 188), pt{30, 96}, pt{74, 52}, pt{232, 52}, pt{188, 96})
			c.poly(rgb(10, 32, 86), pt{188, 96}, pt{232, 52}, pt{232, 190}, pt{188, 234})
			c.rect(rgb(18, 52, 128), 30, 96, 188, 234)
			c.rect(rgb(226, 176, 42), 30, 186, 188, 212)
			c.logo(rgb(122, 72, 32), rgb(246, 226, 180), rgb(246, 226, 180), 82, 140, 30, "6")
		}},
		{Name: "lulu-can", Mark: "lulu", draw: func(c *canvas) {
			// White over blue can on a red ground, red emblem high on the
			// can, a second can behind it.
			c.rect(rgb(176, 22, 34), 0, 0, 256, 256)
			c.roundRect(rgb(250, 250, 248), 160, 104, 236, 236, 10)
			c.rect(rgb(26, 70, 160), 160, 176, 236, 236)
			c.roundRect(rgb(250, 250, 248), 54, 40, 150, 236, 12)
			c.rect(rgb(26, 70, 160), 54, 150, 150, 236)
			c.ellipse(rgb(210, 212, 216), 102, 44, 46, 7)
			c.logo(rgb(200, 24, 40), rgb(255, 255, 255), rgb(255, 255, 255), 102, 98, 30, "LL")
		}},
		{Name: "jinmailang-bucket", Mark: "jinmailang", draw: func(c *canvas) {
			// A red noodle bucket, wide at the top, on yellow, a bowl of
			// noodles in front to its right.
			c.rect(rgb(250, 226, 120), 0, 0, 256, 256)
			c.poly(rgb(204, 30, 28), pt{20, 54}, pt{180, 54}, pt{152, 226}, pt{48, 226})
			c.ellipse(rgb(236, 236, 230), 100, 54, 80, 15)
			c.poly(rgb(252, 210, 40), pt{28, 104}, pt{172, 104}, pt{167, 136}, pt{33, 136})
			c.logo(rgb(252, 210, 40), rgb(204, 30, 28), rgb(204, 30, 28), 100, 180, 28, "JML")
			c.ellipse(rgb(250, 250, 250), 206, 214, 46, 26)
			c.ellipse(rgb(196, 120, 40), 206, 206, 38, 14)
		}},
		{Name: "hengshui-laobaigan-bottle", Mark: "hengshui-laobaigan", draw: func(c *canvas) {
			// A dark red liquor bottle with a cream label and a round seal,
			// its gift box standing behind it on the right.
			c.rect(rgb(238, 228, 206), 0, 0, 256, 256)
			c.rect(rgb(120, 14, 20), 150, 70, 236, 244)
			c.rect(rgb(214, 170, 70), 150, 120, 236, 136)
			c.rect(rgb(200, 160, 60), 72, 12, 104, 40)
			c.rect(rgb(140, 18, 24), 74, 40, 102, 86)
			c.poly(rgb(140, 18, 24), pt{74, 86}, pt{102, 86}, pt{136, 120}, pt{40, 120})
			c.roundRect(rgb(140, 18, 24), 40, 110, 136, 244, 10)
			c.rect(rgb(248, 240, 220), 40, 146, 136, 214)
			c.logo(rgb(180, 28, 30), rgb(248, 240, 220), rgb(248, 240, 220), 88, 180, 24, "HS")
		}},
		{Name: "liulingzui-bottle", Mark: "liulingzui", draw: func(c *canvas) {
			// A round navy ceramic jar, off to the left, red seal on its belly.
			c.rect(rgb(226, 232, 244), 0, 0, 256, 256)
			c.rect(rgb(24, 34, 84), 78, 28, 118, 72)
			c.ellipse(rgb(24, 34, 84), 98, 160, 82, 84)
			c.logo(rgb(196, 30, 36), rgb(240, 220, 170), rgb(240, 220, 170), 98, 160, 34, "LLZ")
		}},
		{Name: "jinshahe-pack", Mark: "jinshahe", draw: func(c *canvas) {
			// A long golden noodle pack lying flat, green end panel, a window
			// onto the noodles, and a bowl of them below.
			c.rect(rgb(250, 250, 250), 0, 0, 256, 256)
			c.rect(rgb(232, 178, 56), 12, 40, 244, 144)
			c.rect(rgb(22, 120, 64), 12, 40, 72, 144)
			c.logo(rgb(250, 250, 250), rgb(22, 120, 64), rgb(22, 120, 64), 42, 92, 22, "JSH")
			c.rect(rgb(252, 244, 214), 96, 60, 226, 124)
			for y := 64.0; y < 122; y += 8 {
				c.rect(rgb(226, 206, 150), 98, y, 224, y+3)
			}
			c.ellipse(rgb(40, 60, 120), 170, 206, 60, 30)
			c.ellipse(rgb(244, 226, 170), 170, 198, 50, 16)
		}},
		{Name: "wudeli-sack", Mark: "wudeli", draw: func(c *canvas) {
			// A white flour sack, tied at the top, red diagonal and green foot.
			c.rect(rgb(86, 96, 110), 0, 0, 256, 256)
			c.poly(rgb(252, 252, 246), pt{64, 40}, pt{192, 40}, pt{212, 240}, pt{44, 240})
			c.poly(rgb(214, 30, 38), pt{56, 120}, pt{200, 70}, pt{205, 112}, pt{52, 162})
			c.rect(rgb(30, 140, 70), 46, 206, 210, 240)
			c.logo(rgb(214, 30, 38), rgb(252, 252, 246), rgb(252, 252, 246), 128, 176, 22, "WDL")
		}},
	}
}
