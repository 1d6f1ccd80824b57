package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// thumbnailTypes are the media types a listing image is shown as: raster
// formats only. An SVG runs no script inside <img>, but it is markup a
// marketplace chose; it stays a download.
var thumbnailTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true, "image/gif": true}

// AlertImages returns, for each of alertIDs that has one, the listing
// image kept by its latest capture (by log index) with a raster media
// type. It knows no scope: callers pass ids they have already checked.
func (db *DB) AlertImages(ctx context.Context, alertIDs []int64) (map[int64]domain.ArtefactRef, error) {
	out := map[int64]domain.ArtefactRef{}
	if len(alertIDs) == 0 {
		return out, nil
	}
	if len(alertIDs) > MaxPageSize {
		return nil, domain.Errorf(domain.EINVALID, "reading alert images: %d alerts asked for, at most %d", len(alertIDs), MaxPageSize)
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT c.alert_id, ca.sha256, a.size, a.media_type
		FROM capture_artefacts ca JOIN captures c ON c.id = ca.capture_id JOIN artefacts a ON a.sha256 = ca.sha256
		WHERE ca.role = ? AND c.alert_id IN (`+placeholders(len(alertIDs))+`)
		ORDER BY c.alert_id, c.log_index`, append([]any{domain.RoleImage}, int64sToAny(alertIDs)...)...)
	if err != nil {
		return nil, fmt.Errorf("reading alert images: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		ref := domain.ArtefactRef{Role: domain.RoleImage}
		if err := rows.Scan(&id, &ref.SHA256, &ref.Size, &ref.MediaType); err != nil {
			return nil, fmt.Errorf("reading alert images: %w", err)
		}
		mt, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(ref.MediaType)), ";")
		if thumbnailTypes[strings.TrimSpace(mt)] {
			out[id] = ref // a later capture's replaces an earlier one's
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading alert images: %w", err)
	}
	return out, nil
}
