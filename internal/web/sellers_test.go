package web

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestSellersPageByRole(t *testing.T) {
	h := newHarness(t, nil)
	h.signIn(ownerA)
	_, body := h.get(t, "/sellers")
	for _, want := range []string{"授权经销商", `action="/sellers"`, `<option value="liugehetao">六个核桃（商标）</option>`,
		"某某食品专营店", "六个核桃官方旗舰店", "已认可 Accepted", "待审核 Pending"} {
		if !strings.Contains(body, want) {
			t.Errorf("owner A's sellers page lacks %q", want)
		}
	}
	for _, s := range []string{"hengshui-laobaigan", "酒水专营店", "/accept", "/reject"} {
		if strings.Contains(body, s) {
			t.Errorf("owner A's sellers page shows %q", s)
		}
	}
	h.signIn(supervisor(""))
	_, body = h.get(t, "/sellers")
	for _, want := range []string{"待审核申报", `action="/sellers/1/accept"`, `action="/sellers/2/reject"`, "某某食品专营店"} {
		if !strings.Contains(body, want) {
			t.Errorf("supervisor's sellers page lacks %q", want)
		}
	}
	if strings.Contains(body, `action="/sellers/3/`) || strings.Contains(body, `<form class="form" method="post" action="/sellers">`) {
		t.Error("a supervisor is offered deciding an accepted claim or claiming")
	}
	h.signIn(operator)
	if resp, _ := h.get(t, "/sellers"); resp.StatusCode != 403 {
		t.Errorf("operator GET /sellers: %d, want 403", resp.StatusCode)
	}
}

// Seller names and notes come from owners and marketplaces.
func TestSellersEscapesHostileText(t *testing.T) {
	h := newHarness(t, nil)
	h.signIn(admin)
	_, body := h.get(t, "/sellers")
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
		t.Fatalf("hostile markup reached the page:\n%s", body)
	}
	for _, want := range []string{"&lt;img src=x onerror=alert(1)&gt;酒水专营店", "授权书 2026-2027 &lt;script&gt;alert(1)&lt;/script&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks the escaped %q", want)
		}
	}
}

func TestClaimSeller(t *testing.T) {
	tests := []struct {
		name   string
		form   url.Values
		status int
		says   string
	}{
		{"own mark", url.Values{"mark": {"liugehetao"}, "seller": {"  石家庄 某某食品专营店 "}, "note": {"授权期至2027年"}}, 303, ""},
		{"another owner's mark", url.Values{"mark": {"hengshui-laobaigan"}, "seller": {"酒水批发"}}, 404, "没有这个标识"},
		{"unknown mark", url.Values{"mark": {"lulu"}, "seller": {"x"}}, 404, "没有这个标识"},
		{"no seller", url.Values{"mark": {"liugehetao"}, "seller": {"  "}}, 400, "店铺名称必填"},
		{"hostile seller too long", url.Values{"mark": {"liugehetao"}, "seller": {"<script>" + strings.Repeat("店", 100)}}, 400, "店铺名称必填"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.signIn(ownerA)
			before, writes := h.sell.snapshot()
			resp, body := h.post(t, "/sellers", tt.form, nil)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.says) {
				t.Fatalf("status %d, want %d saying %q:\n%s", resp.StatusCode, tt.status, tt.says, body)
			}
			if strings.Contains(body, "<script>") {
				t.Error("hostile input reached the page unescaped")
			}
			after, w := h.sell.snapshot()
			if tt.status != 303 {
				if w != writes || !reflect.DeepEqual(before, after) {
					t.Error("a refused claim was stored")
				}
				return
			}
			got := after[len(after)-1]
			if got.MarkID != "liugehetao" || got.Seller != "石家庄 某某食品专营店" || got.Note != "授权期至2027年" ||
				got.Status != domain.ClaimPending || got.ClaimedBy != ownerA.Actor() || !got.CreatedAt.Equal(printed) {
				t.Errorf("stored %+v", got)
			}
		})
	}
	// Supervisors decide; they do not claim.
	h := newHarness(t, nil)
	h.signIn(supervisor(""))
	if resp, _ := h.post(t, "/sellers", url.Values{"mark": {"liugehetao"}, "seller": {"x"}}, nil); resp.StatusCode != 403 {
		t.Errorf("supervisor claim: %d, want 403", resp.StatusCode)
	}
}

func TestDecideClaim(t *testing.T) {
	h := newHarness(t, nil)
	// Owners cannot decide, not even on their own marks.
	h.signIn(ownerA)
	if resp, _ := h.post(t, "/sellers/1/accept", nil, nil); resp.StatusCode != 403 {
		t.Errorf("owner accept: %d, want 403", resp.StatusCode)
	}
	h.signIn(supervisor("山东 临沂"))
	for _, path := range []string{"/sellers/3/accept", "/sellers/99/reject", "/sellers/x/accept"} { // decided, missing, bad
		if resp, _ := h.post(t, path, nil, nil); resp.StatusCode != 404 {
			t.Errorf("POST %s: %d, want 404", path, resp.StatusCode)
		}
	}
	if _, w := h.sell.snapshot(); w != 0 {
		t.Fatal("a refused decision changed a claim")
	}
	if resp, _ := h.post(t, "/sellers/1/accept", nil, nil); resp.StatusCode != 303 {
		t.Errorf("accept: %d", resp.StatusCode)
	}
	if resp, _ := h.post(t, "/sellers/2/reject", nil, nil); resp.StatusCode != 303 {
		t.Errorf("reject: %d", resp.StatusCode)
	}
	claims, _ := h.sell.snapshot()
	if claims[0].Status != domain.ClaimAccepted || claims[1].Status != domain.ClaimRejected || claims[0].DecidedBy.Name != "linyi-amr" {
		t.Errorf("claims after deciding: %+v", claims[:2])
	}
	if resp, _ := h.post(t, "/sellers/1/reject", nil, nil); resp.StatusCode != 404 {
		t.Errorf("deciding twice: %d, want 404", resp.StatusCode)
	}
}
