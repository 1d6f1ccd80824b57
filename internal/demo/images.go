package demo

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"net/http"
	"strconv"
	"strings"

	"go.uber.org/zap"
)

// handleImage serves /static/img/{id}.jpg, every platform's listing photos
// (one image host, as marketplaces' CDNs are): the listing's copy of a
// mark's reference image when it has one, else an ordinary photo of its
// own. The evidence worker and the image signal fetch and hash these.
func (s *Server) handleImage(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".jpg")
	if !ok || id == "" || len(id) > 16 {
		http.NotFound(w, r)
		return
	}
	body, err := photo(s.byID, id)
	if err != nil {
		s.opts.Log.Warn("serving listing photo", zap.String("image_id", id), zap.Error(err))
		http.Error(w, "encoding image", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// photo returns the JPEG served for an image id.
func photo(byID map[int]Item, id string) ([]byte, error) {
	var img image.Image
	quality := 85
	if n, err := strconv.Atoi(id); err == nil && byID[n].Photo != "" {
		if cp := copyPhoto(byID[n].Photo, n); cp != nil {
			img, quality = cp, copyQuality(n)
		}
	}
	if img == nil {
		img = ordinaryPhoto(id)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		return nil, fmt.Errorf("encoding photo %s: %w", id, err)
	}
	return buf.Bytes(), nil
}
