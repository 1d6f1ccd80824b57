package store

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestJurisdictionAgreesWithLocationWithin checks the SQL form of a
// jurisdiction against domain.LocationWithin on real and hostile
// locations: wildcards in the jurisdiction, ASCII case, odd spacing.
func TestJurisdictionAgreesWithLocationWithin(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	locations := []string{
		"河北 石家庄", "河北", "河北 邢台", "河北省 石家庄", "河北省", "河北石家庄", "山东 临沂", "山东", "",
		" 河北  石家庄 ", "河北\t保定", "河北\u3000廊坊", "河北\u00a0唐山", "河北 石家庄 长安区",
		"河_ 石家庄", "河% 石家庄", "河北_ 沧州", "100% 纯", `a\b c`, "Hebei Shijiazhuang", "hebei shijiazhuang",
	}
	for i, loc := range locations {
		mustSave(t, db, liugeListing(fmt.Sprintf("https://item.taobao.com/item.htm?id=%d", i), loc), match(liugehetao, 0.92, true))
	}
	jurisdictions := []string{
		"河北", "河北 石家庄", " 河北   石家庄 ", "河北\u3000石家庄", "河北省", "山东", "山东 临沂", "山", "河",
		"河_", "河%", "%", "_", "河北_", "100%", `a\b`, `a\`, "Hebei", "hebei", "", "   ",
	}
	for _, j := range jurisdictions {
		t.Run(fmt.Sprintf("%q", j), func(t *testing.T) {
			alerts, total, err := db.ListAlerts(ctx, domain.AlertFilter{Scope: domain.Scope{Jurisdiction: j}, Limit: MaxPageSize})
			if err != nil {
				t.Fatal(err)
			}
			var got, want []string
			for _, a := range alerts {
				got = append(got, a.Location)
			}
			for _, loc := range locations {
				if domain.LocationWithin(loc, j) {
					want = append(want, loc)
				}
			}
			sort.Strings(got)
			sort.Strings(want)
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) || total != len(want) {
				t.Errorf("within %q:\n got %q (total %d)\nwant %q", j, got, total, want)
			}
		})
	}
}

// TestRestrictedScopeNeverSeesOtherOwners is the owner boundary: whatever
// the filter asks, an owner's scope returns only alerts on its marks, and
// totals say nothing about the rest.
func TestRestrictedScopeNeverSeesOtherOwners(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	for i, m := range []string{liugehetao, linchengGI, liugehetao, linchengGI, "hengshui-laobaigan"} {
		loc := "河北 石家庄"
		if i == 2 {
			loc = "山东 临沂"
		}
		mustSave(t, db, liugeListing(fmt.Sprintf("https://item.jd.com/%d.html", i), loc), match(m, 0.9, true))
	}
	own := domain.Scope{Restricted: true, MarkIDs: []string{liugehetao}}
	tests := []struct {
		name      string
		f         domain.AlertFilter
		wantTotal int
	}{
		{"everything", domain.AlertFilter{Scope: own}, 2},
		{"own mark", domain.AlertFilter{Scope: own, MarkID: liugehetao}, 2},
		{"another owner's mark", domain.AlertFilter{Scope: own, MarkID: linchengGI}, 0},
		{"unknown mark", domain.AlertFilter{Scope: own, MarkID: "nope"}, 0},
		{"status", domain.AlertFilter{Scope: own, Status: domain.AlertOpen}, 2},
		{"paged past own", domain.AlertFilter{Scope: own, Offset: 2}, 2},
		{"no marks sees nothing", domain.AlertFilter{Scope: domain.Scope{Restricted: true}}, 0},
		{"no marks, asking by mark", domain.AlertFilter{Scope: domain.Scope{Restricted: true}, MarkID: linchengGI}, 0},
		{"empty mark id in scope", domain.AlertFilter{Scope: domain.Scope{Restricted: true, MarkIDs: []string{""}}}, 0},
		{"own marks in a jurisdiction", domain.AlertFilter{Scope: domain.Scope{Restricted: true, MarkIDs: []string{liugehetao}, Jurisdiction: "山东"}}, 1},
		{"injection-shaped mark id", domain.AlertFilter{Scope: domain.Scope{Restricted: true, MarkIDs: []string{"x') OR 1=1 --"}}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			alerts, total, err := db.ListAlerts(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if total != tc.wantTotal {
				t.Errorf("total = %d, want %d", total, tc.wantTotal)
			}
			for _, a := range alerts {
				if !tc.f.Scope.Allows(a.MarkID, a.Location) {
					t.Errorf("scope %+v returned alert %d on %s at %q", tc.f.Scope, a.ID, a.MarkID, a.Location)
				}
			}
		})
	}
	// The daemon's own zero scope still sees every alert.
	if _, total, _ := db.ListAlerts(ctx, domain.AlertFilter{}); total != 5 {
		t.Errorf("unrestricted total = %d, want 5", total)
	}
}

func TestEscapeLike(t *testing.T) {
	for in, want := range map[string]string{"河北": "河北", "100%": `100\%`, "a_b": `a\_b`, `a\b`: `a\\b`} {
		if got := escapeLike(in); got != want {
			t.Errorf("escapeLike(%q) = %q, want %q", in, got, want)
		}
	}
}
