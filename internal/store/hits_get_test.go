package store

import (
	"context"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestGetHit(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, nil)
	l := walnut("https://demo.local/get-hit")
	res := mustSave(t, db, l, match("lincheng-walnut", 0.9, true))
	h, err := db.GetHit(ctx, res.Hits[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if h.Title != l.Title || h.Price != l.Price || h.MarkID != "lincheng-walnut" {
		t.Fatalf("hit %+v does not carry its listing", h)
	}
	if _, err := db.GetHit(ctx, 999999); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("missing hit: %v", err)
	}
}
