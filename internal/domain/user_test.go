package domain

import "testing"

func TestCommonJurisdiction(t *testing.T) {
	at := func(locs ...string) []Alert {
		var out []Alert
		for _, l := range locs {
			out = append(out, Alert{Location: l})
		}
		return out
	}
	for _, tc := range []struct {
		alerts []Alert
		want   string
	}{
		{nil, ""},
		{at("河北  石家庄"), "河北 石家庄"},
		{at("河北 石家庄 长安", "河北 石家庄 桥西"), "河北 石家庄"},
		{at("河北 石家庄", "河北 衡水"), "河北"},
		{at("河北 石家庄", "北京"), ""},
		{at("河北 石家庄", ""), ""},
	} {
		got := CommonJurisdiction(tc.alerts)
		if got != tc.want {
			t.Errorf("CommonJurisdiction(%v) = %q, want %q", tc.alerts, got, tc.want)
		}
		for _, a := range tc.alerts {
			if !LocationWithin(a.Location, got) {
				t.Errorf("%q is not within the common jurisdiction %q", a.Location, got)
			}
		}
	}
}
