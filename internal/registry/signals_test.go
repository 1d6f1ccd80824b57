package registry

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestParseSignalFields(t *testing.T) {
	data := goodMark + `    prices:
      - {unit: 罐, low: 2.4, high: 3.5}
      - {unit: 箱, low: 48, high: 90}
      - {low: 30, high: 200}
    images: [images/liugehetao-can.png, logo.png]
`
	marks, err := Parse("r.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	got := marks[0]
	want := []domain.PriceRange{{Unit: "罐", Low: 2.4, High: 3.5}, {Unit: "箱", Low: 48, High: 90}, {Low: 30, High: 200}}
	if len(got.Prices) != len(want) {
		t.Fatalf("prices %+v, want %+v", got.Prices, want)
	}
	for i := range want {
		if got.Prices[i] != want[i] {
			t.Errorf("prices[%d] = %+v, want %+v", i, got.Prices[i], want[i])
		}
	}
	if len(got.Images) != 2 || got.Images[0].Path != "images/liugehetao-can.png" || got.Images[1].Path != "logo.png" || got.Images[0].Hash != 0 {
		t.Errorf("images %+v", got.Images)
	}
}

func TestParseBrokenSignalFields(t *testing.T) {
	const file = "config/marks/hebei.yaml"
	// goodMark ends at line 6; the field under test starts on line 7
	tests := []struct{ name, yaml, want string }{
		{"unknown price key", "    prices:\n      - {unit: 罐, low: 2.4, hihg: 3.5}\n",
			file + `:8: mark "liugehetao": field "prices[0].hihg": unknown field; did you mean "high"?`},
		{"low above high", "    prices:\n      - {unit: 罐, low: 4, high: 3.5}\n",
			file + `:8: mark "liugehetao": field "prices[0].low": 4 is above high 3.5`},
		{"zero price", "    prices: [{unit: 罐, low: 0, high: 3.5}]\n",
			file + `:7: mark "liugehetao": field "prices[0].low": must be above 0, not 0`},
		{"negative price", "    prices: [{unit: 罐, low: -1, high: 3.5}]\n",
			`field "prices[0].low": must be above 0, not -1`},
		{"price as text", "    prices: [{unit: 罐, low: 便宜, high: 3.5}]\n",
			`field "prices[0].low": must be a price in yuan like 2.4, not "便宜"`},
		{"quoted price", "    prices: [{unit: 罐, low: \"2.4\", high: 3.5}]\n",
			`field "prices[0].low": must be a price in yuan like 2.4`},
		{"missing high", "    prices:\n      - {unit: 箱, low: 48}\n",
			file + `:8: mark "liugehetao": field "prices[0].high": missing`},
		{"empty unit", "    prices: [{unit: \"\", low: 1, high: 2}]\n",
			`field "prices[0].unit": must not be empty`},
		{"unit twice", "    prices:\n      - {unit: 罐, low: 2.4, high: 3.5}\n      - {unit: 罐, low: 2, high: 3}\n",
			file + `:9: mark "liugehetao": field "prices[1]": unit "罐" is given twice (first at line 8)`},
		{"prices not a list", "    prices: {unit: 罐, low: 2.4, high: 3.5}\n",
			file + `:7: mark "liugehetao": field "prices": must be a list`},
		{"price not a mapping", "    prices: [2.4]\n",
			`field "prices[0]": must be a mapping`},
		{"absolute image", "    images: [/etc/passwd]\n",
			file + `:7: mark "liugehetao": field "images[0]": "/etc/passwd" is absolute`},
		{"windows absolute image", "    images: ['C:\\img\\a.png']\n",
			`field "images[0]": "C:\\img\\a.png" is absolute`},
		{"image outside", "    images:\n      - images/ok.png\n      - ../../secret.png\n",
			file + `:9: mark "liugehetao": field "images[1]": "../../secret.png" leaves the registry's folder`},
		{"image dotdot inside", "    images: [images/../../x.png]\n",
			`"images/../../x.png" leaves the registry's folder`},
		{"unclean image path", "    images: [./images/a.png]\n",
			`"./images/a.png" is not a clean path; write it as "images/a.png"`},
		{"image twice", "    images: [a.png, a.png]\n",
			`field "images[1]": "a.png" is listed twice`},
		{"images as text", "    images: a.png\n",
			`field "images": must be a list`},
		{"misspelt field", "    image: [a.png]\n",
			`field "image": unknown field; did you mean "images"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			marks, err := Parse(file, []byte(goodMark+tt.yaml))
			if err == nil {
				t.Fatalf("Parse succeeded with %+v, want an error", marks)
			}
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("ErrorCode = %q", domain.ErrorCode(err))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error does not contain %q:\n%v", tt.want, err)
			}
		})
	}
}

func TestHashImages(t *testing.T) {
	fsys := fstest.MapFS{
		"reg/images/can.png":  {Data: []byte("can")},
		"reg/images/logo.png": {Data: []byte("logo")},
		"reg/bad.png":         {Data: []byte("not an image")},
	}
	hash := func(b []byte) (domain.PHash, error) {
		if string(b) == "not an image" {
			return 0, errors.New("unknown format")
		}
		return domain.PHash(len(b)) << 8, nil
	}
	marks := []domain.Mark{
		{ID: "lulu", Name: "露露"},
		{ID: "liugehetao", Name: "六个核桃", Images: []domain.RefImage{{Path: "images/can.png"}, {Path: "images/logo.png"}}},
	}
	if err := HashImages(fsys, "reg", marks, hash); err != nil {
		t.Fatal(err)
	}
	if got := marks[1].Images; got[0].Hash != 3<<8 || got[1].Hash != 4<<8 {
		t.Errorf("hashes %+v", got)
	}

	bad := []struct {
		img  string
		want []string
		is   error
	}{
		{"images/missing.png", []string{`mark "liugehetao"`, `image "images/missing.png"`, "reg/images/missing.png", "reading"}, fs.ErrNotExist},
		{"bad.png", []string{`mark "liugehetao"`, `image "bad.png"`, "hashing", "unknown format"}, nil},
	}
	for _, b := range bad {
		ms := []domain.Mark{{ID: "liugehetao", Images: []domain.RefImage{{Path: b.img}}}}
		err := HashImages(fsys, "reg", ms, hash)
		if err == nil {
			t.Fatalf("%s: no error", b.img)
		}
		for _, w := range b.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", b.img, err, w)
			}
		}
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s: code %q", b.img, domain.ErrorCode(err))
		}
		if b.is != nil && !errors.Is(err, b.is) {
			t.Errorf("%s: %v does not wrap %v", b.img, err, b.is)
		}
	}
}
