package evaluate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/imagesig"
)

const realCases = "testdata/real/cases.jsonl"

func readCasesFile(t *testing.T, path string) []Case {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cs, err := ReadCases(f)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestCaseImagesHashAsLabelled hashes every case's photo (relative to the
// cases file) and compares it with the case's image_hash, so the photos
// and the labels cannot drift apart.
func TestCaseImagesHashAsLabelled(t *testing.T) {
	n := 0
	for _, c := range readCasesFile(t, realCases) {
		if c.Image == "" {
			continue
		}
		n++
		h, err := imagesig.Hasher{}.File(filepath.Join(filepath.Dir(realCases), c.Image))
		if err != nil {
			t.Errorf("case %s: %v", c.ID, err)
			continue
		}
		if h != c.ImageHash {
			t.Errorf("case %s: %s hashes %s, the case says %s", c.ID, c.Image, h, c.ImageHash)
		}
	}
	if n < 60 {
		t.Errorf("only %d cases carry a photo; the image signal needs its positives and negatives", n)
	}
}

// TestSignalCasesCover checks the real set has at least 30 positives per
// signal and negatives beside them, and that every signal case carries
// the fields its signal reads.
func TestSignalCasesCover(t *testing.T) {
	pos, neg := map[string]int{}, map[string]int{}
	for _, c := range readCasesFile(t, realCases) {
		for _, sig := range []string{"price", "image", "seller"} {
			switch {
			case c.Tactic == sig:
				pos[sig]++
			case strings.HasPrefix(c.Tactic, "neg-"+sig):
				neg[sig]++
			default:
				continue
			}
			if sig == "image" && (c.Image == "" || c.ImageHash == 0) {
				t.Errorf("case %s (%s) has no photo", c.ID, c.Tactic)
			}
			if sig == "seller" && c.SellerHistory == nil {
				t.Errorf("case %s (%s) has no seller_history", c.ID, c.Tactic)
			}
			if sig == "price" && c.Price <= 0 {
				t.Errorf("case %s (%s) has no price", c.ID, c.Tactic)
			}
		}
	}
	for _, sig := range []string{"price", "image", "seller"} {
		if pos[sig] < 30 || neg[sig] < 30 {
			t.Errorf("signal %s: %d positives, %d negatives; want at least 30 of each", sig, pos[sig], neg[sig])
		}
	}
}

func TestReadCasesSignalFields(t *testing.T) {
	in := `{"id":"s1","title":"红牛 维生素功能饮料 250ml*24罐","price":39,"image":"images/s1.jpg","image_hash":"c3d1a0b2e4f60718","contacts":[{"kind":"phone","value":"13800138000"},{"kind":"wechat","value":"xw_food"}],"seller_history":{"confirmed":3,"via":"电话 138****8000 与 鑫旺食品专营店"},"expect":["hongniu"],"tactic":"seller"}`
	cs, err := ReadCases(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	c := cs[0]
	if c.Image != "images/s1.jpg" || c.ImageHash != domain.PHash(0xc3d1a0b2e4f60718) {
		t.Errorf("image %q hash %s", c.Image, c.ImageHash)
	}
	if len(c.Contacts) != 2 || c.Contacts[0] != (domain.Contact{Kind: domain.ContactPhone, Value: "13800138000"}) || c.Contacts[1].Kind != domain.ContactWeChat {
		t.Errorf("contacts %+v", c.Contacts)
	}
	if c.SellerHistory == nil || c.SellerHistory.Confirmed != 3 || !strings.Contains(c.SellerHistory.Via, "鑫旺食品专营店") {
		t.Errorf("seller history %+v", c.SellerHistory)
	}
	bad := []struct{ in, want string }{
		{`{"id":"s2","title":"x","image":"images/s2.jpg"}`, `case "s2" has an image but no image_hash`},
		{`{"id":"s3","title":"x","image_hash":"zz"}`, "want hex digits"},
		{`{"id":"s4","title":"x","image_hash":"0123456789abcdef0"}`, "at most 16 hex digits"},
	}
	for _, b := range bad {
		if _, err := ReadCases(strings.NewReader(b.in)); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: error %v, want %q", b.in, err, b.want)
		}
	}
}
