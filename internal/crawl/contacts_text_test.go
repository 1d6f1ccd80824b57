package crawl

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestReadableText(t *testing.T) {
	cases := []struct {
		name, page string
		want       []string // lines that must appear, in order
		absent     []string
	}{
		{"blocks end lines", `<ul><li>QQ 12345</li><li>13812345678</li></ul>`, []string{"QQ 12345\n", "13812345678"}, []string{"1234513812345678"}},
		{"inline stays one word", `<p>微信：<b>xin</b>wang888</p>`, []string{"微信：xinwang888"}, nil},
		{"br breaks", `<div>电话：0311-87654321<br>手机 138 1234 5678</div>`, []string{"0311-87654321\n手机 138 1234 5678"}, nil},
		{"hidden text is not read", `<div>鑫旺食品<script>var tel="13900001111"</script><style>.a{}</style><noscript>开启JS</noscript><template>模板</template></div>`,
			[]string{"鑫旺食品"}, []string{"13900001111", "开启JS", "模板", ".a{}"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root, err := html.Parse(strings.NewReader(c.page))
			if err != nil {
				t.Fatal(err)
			}
			got := readableText(root, maxCardText)
			at := 0
			for _, w := range c.want {
				i := strings.Index(got[at:], w)
				if i < 0 {
					t.Fatalf("%q lacks %q after offset %d", got, w, at)
				}
				at += i + len(w)
			}
			for _, a := range c.absent {
				if strings.Contains(got, a) {
					t.Errorf("%q holds %q", got, a)
				}
			}
		})
	}
}

func TestReadableTextBounded(t *testing.T) {
	// A card of a hostile page: a million characters, nested deeply.
	page := strings.Repeat("<div>", 400) + strings.Repeat("电话", 500000) + strings.Repeat("</div>", 400)
	root, err := html.Parse(bytes.NewReader([]byte(page)))
	if err != nil {
		t.Fatal(err)
	}
	got := readableText(root, maxCardText)
	if len(got) > maxCardText || !strings.HasPrefix(strings.TrimLeft(got, "\n"), "电话") || !strings.Contains(got, "电话电话") {
		t.Fatalf("%d bytes, starting %q", len(got), got[:min(len(got), 40)])
	}
}

func TestJSONTextSortedStringsOnly(t *testing.T) {
	item := map[string]any{
		"shopcard":  map[string]any{"tags": []any{"厂家直供", "<b>微信: xinwang888</b>"}, "service": "电话：0311-87654321"},
		"raw_title": "六个核桃 核桃乳",
		"user_id":   jsonNumber("13812345678"),
		"is_tmall":  true,
	}
	want := "六个核桃 核桃乳\n电话：0311-87654321\n厂家直供\n微信: xinwang888\n"
	if got := jsonText(item, maxCardText); got != want {
		t.Errorf("jsonText = %q, want %q", got, want)
	}
}

func TestMergeContacts(t *testing.T) {
	card := []domain.Contact{{Kind: domain.ContactPhone, Value: "031187654321"}}
	page := []domain.Contact{{Kind: domain.ContactWeChat, Value: "xinwang888"}, {Kind: domain.ContactPhone, Value: "031187654321"},
		{Kind: domain.ContactPhone, Value: ""}, {Kind: domain.ContactQQ, Value: "031187654321"}}
	got := mergeContacts(card, page)
	want := []domain.Contact{card[0], page[0], page[3]} // same value of another kind is another contact
	if len(got) != len(want) {
		t.Fatalf("merge = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("merge = %v, want %v", got, want)
		}
	}
}

func jsonNumber(s string) any { return json.Number(s) }
