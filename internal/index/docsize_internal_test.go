package index

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func sizedDoc(title, seller, reason string) document {
	return document{
		ID: "hit-9223372036854775807", HitID: 9223372036854775807, ListingID: -9223372036854775808,
		SourceID: "taobao", MarkID: "lincheng-walnut", Title: title, TitleNorm: title,
		URL: "https://item.taobao.com/item.htm?id=1&a=<b>", Seller: seller, Location: "河北 邢台 临城",
		LocationPrefixes: []string{"河北", "河北 邢台", "河北 邢台 临城"}, Price: -1.2345678901234567e-300,
		Score: 0.30000000000000004, Alert: true,
		Reasons:     []domain.Reason{{Tactic: "exact", Text: reason, Start: -2147483648, End: 2147483647}},
		ReasonsText: reason, FirstSeen: -9223372036854775808, LastSeen: 9223372036854775807,
	}
}

// docBound never undercounts, whatever the fields hold: JSON's worst cases
// are bytes it writes as \u00XX (controls, <, >, &, invalid UTF-8) and
// U+2028/U+2029.
func TestDocBoundIsAnUpperBound(t *testing.T) {
	for _, tc := range []struct{ name, title, seller, reason string }{
		{"ordinary", "临城薄皮核桃 5斤装 正宗河北特产", "太行山货店", "标题含临城核桃"},
		{"empty", "", "", ""},
		{"escapes", strings.Repeat("<&>\x00\x01\x1f\"\\", 50), "店\u2028铺\u2029", "\xff\xfe无效"},
		{"long", strings.Repeat("赵州雪花梨", 4000), strings.Repeat("x", 300), strings.Repeat("衡水老白干", 100)},
	} {
		d := sizedDoc(tc.title, tc.seller, tc.reason)
		b, err := json.Marshal(&d)
		if err != nil {
			t.Fatal(err)
		}
		if bound := docBound(&d); bound < len(b) {
			t.Errorf("%s: bound %d < encoded %d", tc.name, bound, len(b))
		}
		if n, over := encodedOver(&d, len(b)); over || n != 0 && n != len(b) {
			t.Errorf("%s: encodedOver(limit = its size %d) = %d, %v; want not over", tc.name, len(b), n, over)
		}
		if n, over := encodedOver(&d, len(b)-1); !over || n != len(b) {
			t.Errorf("%s: encodedOver(limit = size-1) = %d, %v; want over at %d", tc.name, n, over, len(b))
		}
	}
}

func nanotime() int64 { return time.Now().UnixNano() }

func FuzzDocBound(f *testing.F) {
	f.Add("临城薄皮核桃", "太行山货店", "标题含临城核桃")
	f.Add("<\x00\u2028", "\xff", "&")
	f.Fuzz(func(t *testing.T, title, seller, reason string) {
		d := sizedDoc(title, seller, reason)
		b, err := json.Marshal(&d)
		if err != nil {
			t.Fatal(err)
		}
		if bound := docBound(&d); bound < len(b) {
			t.Fatalf("bound %d < encoded %d", bound, len(b))
		}
	})
}

// BenchmarkDocumentGuard is what the size guard adds to building a document:
// toDocument alone is the baseline, in the same run.
func BenchmarkDocumentGuard(b *testing.B) {
	norm, err := newNormalizer()
	if err != nil {
		b.Fatal(err)
	}
	c := &Client{norm: norm}
	h := sizedDoc("临城薄皮核桃 5斤装 正宗河北特产 新货", "太行山货店", "标题含临城核桃").hit()
	h.ID = 42
	var base, guarded int64
	for b.Loop() {
		start := nanotime()
		d, err := c.toDocument(h)
		mid := nanotime()
		if _, over := encodedOver(&d, DefaultMaxDocumentBytes); err != nil || over {
			b.Fatal(err, over)
		}
		end := nanotime()
		base += mid - start
		guarded += end - start
	}
	b.ReportMetric(float64(guarded)/float64(base), "guarded/toDocument")
}
