package demo

import (
	"bytes"
	"hash/fnv"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"strings"
)

// handleImage serves /static/img/{id}.jpg: a small product photo stand-in,
// a different colour per item, so the evidence worker has a real image to
// fetch, hash and keep for each alerting listing.
func (s *Server) handleImage(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".jpg")
	if !ok || id == "" || len(id) > 16 {
		http.NotFound(w, r)
		return
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	sum := h.Sum32()
	img := image.NewRGBA(image.Rect(0, 0, 160, 160))
	bg := color.RGBA{R: uint8(sum), G: uint8(sum >> 8), B: uint8(sum >> 16), A: 255}
	for y := range 160 {
		for x := range 160 {
			c := bg
			if x > 40 && x < 120 && y > 30 && y < 130 { // a "can" in the middle
				c = color.RGBA{R: 250, G: 240, B: 220, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		http.Error(w, "encoding image", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(buf.Bytes())
}
