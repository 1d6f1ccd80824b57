package store

import (
	"context"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestAlertImages(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openEvidence(t, clock, testRecordHash)
	withImage := newAlert(t, db, liuge("https://item.taobao.com/item.htm?id=21"), liugehetao, pageEvidence("21", true))
	svgOnly := newAlert(t, db, liuge("https://item.taobao.com/item.htm?id=22"), liugehetao, pageEvidence("22", true))
	none := newAlert(t, db, liuge("https://item.taobao.com/item.htm?id=23"), liugehetao, pageEvidence("23", true))
	capture := func(alertID int64, body, mediaType string) domain.ArtefactRef {
		t.Helper()
		ref := domain.ArtefactRef{Role: domain.RoleImage, SHA256: shaOf([]byte(body)), Size: int64(len(body)), MediaType: mediaType}
		if _, err := db.AppendCapture(ctx, domain.Capture{AlertID: alertID, Artefacts: []domain.ArtefactRef{ref},
			Fetch: domain.Fetch{RequestURL: "https://img.alicdn.com/x", Status: 200, FetchedAt: clock.Now()}, CapturedAt: clock.Now()}); err != nil {
			t.Fatal(err)
		}
		return ref
	}
	capture(withImage.ID, "\xff\xd8\xff 六个核桃 旧图", "image/jpeg")
	newer := capture(withImage.ID, "\x89PNG 六个核桃 新图", "image/png; charset=binary")
	capture(svgOnly.ID, `<svg onload="alert(1)">`, "image/svg+xml")

	got, err := db.AlertImages(ctx, []int64{withImage.ID, svgOnly.ID, none.ID, 99999})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[withImage.ID].SHA256 != newer.SHA256 || got[withImage.ID].MediaType != newer.MediaType {
		t.Errorf("AlertImages = %+v, want only alert %d's newer PNG %s", got, withImage.ID, newer.SHA256)
	}
	if got, err := db.AlertImages(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("AlertImages(nil) = %v, %v", got, err)
	}
	if _, err := db.AlertImages(ctx, make([]int64, MaxPageSize+1)); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("too many ids = %v, want EINVALID", err)
	}
}
