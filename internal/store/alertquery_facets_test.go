package store

import (
	"context"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestCountAlertFacets(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, nil)
	hebei := walnut("https://item.taobao.com/item.htm?id=701")
	shandong := walnut("https://item.taobao.com/item.htm?id=702")
	shandong.Location = "山东 临沂"
	mustSave(t, db, hebei, match("lincheng-hetao", 0.92, true))
	mustSave(t, db, shandong, match("lincheng-hetao", 0.81, true))
	other := walnut("https://item.taobao.com/item.htm?id=703")
	other.Title = "衡水老白乾 52度 500ml"
	mustSave(t, db, other, match("hengshui-laobaigan", 0.95, true))

	by, err := db.CountAlertFacets(ctx, domain.AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		facet, value string
		want         int
	}{
		{"mark", "lincheng-hetao", 2}, {"mark", "hengshui-laobaigan", 1},
		{"source", "demo", 3},
		{"score", "90-100", 2}, {"score", "80-90", 1},
		{"location", "河北 邢台", 2}, {"location", "山东 临沂", 1},
	} {
		if got := by[c.facet][c.value]; got != c.want {
			t.Errorf("%s=%s: %d, want %d (all: %v)", c.facet, c.value, got, c.want, by[c.facet])
		}
	}
	// The filter and the scope apply: an owner of 衡水老白干 counts only its alert.
	by, err = db.CountAlertFacets(ctx, domain.AlertFilter{Scope: domain.Scope{Restricted: true, MarkIDs: []string{"hengshui-laobaigan"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(by["mark"]) != 1 || by["mark"]["hengshui-laobaigan"] != 1 || by["score"]["80-90"] != 0 {
		t.Errorf("scoped counts %v, want only the owner's one alert", by)
	}
	by, err = db.CountAlertFacets(ctx, domain.AlertFilter{Scores: []domain.ScoreRange{{Min: 0.8, Max: 0.9}}})
	if err != nil || by["mark"]["lincheng-hetao"] != 1 || by["location"]["山东 临沂"] != 1 || len(by["location"]) != 1 {
		t.Errorf("counts under score 80-90: %v %v", by, err)
	}
}
