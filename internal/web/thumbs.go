package web

import (
	"fmt"
	"net/http"
	"strings"
)

// addThumbs sets the rows' thumbnails from the images their captures kept,
// served by the API on this origin (GET /api/v1/artefacts/{sha}), which
// checks the visitor's scope again. The rows were checked against the
// scope already. A page is useful without pictures, so a failure is
// logged and the rows left without.
func (c *console) addThumbs(r *http.Request, rows []alertRow) {
	if c.deps.Evidence == nil || !c.deps.APIDownloads || len(rows) == 0 {
		return
	}
	ids := make([]int64, len(rows))
	for i, row := range rows {
		ids[i] = row.ID
	}
	imgs, err := c.deps.Evidence.AlertImages(r.Context(), ids)
	if err != nil {
		c.log.Warn("alerts shown without thumbnails", requestFields(r, fmt.Errorf("reading the images of %d alerts: %w", len(ids), err))...)
		return
	}
	for i := range rows {
		if ref, ok := imgs[rows[i].ID]; ok {
			if sha := strings.ToLower(ref.SHA256); isSHA256(sha) {
				rows[i].Thumb = c.artefactHref(sha)
			}
		}
	}
}
