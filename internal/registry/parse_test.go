package registry

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/markwatch/markwatch/internal/domain"
)

const goodMark = `version: 1
marks:
  - id: liugehetao
    name: 六个核桃
    kind: trademark
    goods: [核桃乳, 核桃露]
`

func TestParseBrokenRegistries(t *testing.T) {
	const file = "config/marks/hebei.yaml"
	tests := []struct {
		name string
		yaml string
		want []string // substrings of one problem line: file:line, mark, field, hint
	}{
		{
			name: "unknown field with suggestion",
			yaml: goodMark + "    autorized_sellers: [六个核桃官方旗舰店]\n",
			want: []string{file + ":7: mark \"liugehetao\": field \"autorized_sellers\": unknown field; did you mean \"authorized_sellers\"?"},
		},
		{
			name: "unknown kind",
			yaml: "version: 1\nmarks:\n  - id: lulu\n    name: 露露\n    kind: brand\n",
			want: []string{file + `:5: mark "lulu": field "kind": must be one of trademark, time_honoured, geographical_indication`},
		},
		{
			name: "duplicate id",
			yaml: goodMark + "  - id: liugehetao\n    name: 六個核桃\n    kind: trademark\n",
			want: []string{file + `:7: mark "liugehetao": field "id": duplicate id; the mark at line 3`},
		},
		{
			name: "bad id",
			yaml: "version: 1\nmarks:\n  - id: 六个核桃\n    name: 六个核桃\n    kind: trademark\n",
			want: []string{file + `:3: mark #1: field "id": "六个核桃" must use only lowercase latin letters`},
		},
		{
			name: "uppercase id",
			yaml: "version: 1\nmarks:\n  - id: Lulu\n    name: 露露\n    kind: trademark\n",
			want: []string{file + `:3: mark #1: field "id"`, "[a-z0-9-]+"},
		},
		{
			name: "missing name",
			yaml: "version: 1\nmarks:\n  - id: jinmailang\n    kind: trademark\n",
			want: []string{file + `:3: mark "jinmailang": field "name": missing`},
		},
		{
			name: "missing kind",
			yaml: "version: 1\nmarks:\n  - id: jinmailang\n    name: 今麦郎\n",
			want: []string{file + `:3: mark "jinmailang": field "kind": missing; must be one of`},
		},
		{
			name: "missing id",
			yaml: "version: 1\nmarks:\n  - name: 今麦郎\n    kind: trademark\n",
			want: []string{file + `:3: mark #1: field "id": missing`},
		},
		{
			name: "GI with empty origin places",
			yaml: "version: 1\nmarks:\n  - id: qianxi-banli\n    name: 迁西板栗\n    kind: geographical_indication\n    product: [板栗]\n    origin:\n      places: []\n      seller_locations: [河北 唐山]\n",
			want: []string{file + `:7: mark "qianxi-banli": field "origin.places": a geographical indication needs the place names`},
		},
		{
			name: "GI without seller locations",
			yaml: "version: 1\nmarks:\n  - id: qianxi-banli\n    name: 迁西板栗\n    kind: geographical_indication\n    product: [板栗]\n    origin:\n      places: [迁西]\n",
			want: []string{file + `:7: mark "qianxi-banli": field "origin.seller_locations"`},
		},
		{
			name: "GI without origin at all",
			yaml: "version: 1\nmarks:\n  - id: shenzhou-mitao\n    name: 深州蜜桃\n    kind: geographical_indication\n    product: [蜜桃]\n",
			want: []string{file + `:3: mark "shenzhou-mitao": field "origin.places"`, `field "origin.seller_locations"`},
		},
		{
			name: "GI without product",
			yaml: "version: 1\nmarks:\n  - id: shenzhou-mitao\n    name: 深州蜜桃\n    kind: geographical_indication\n    origin: {places: [深州], seller_locations: [河北 衡水]}\n",
			want: []string{file + `:3: mark "shenzhou-mitao": field "product": a geographical indication needs its product words`},
		},
		{
			name: "unknown origin field",
			yaml: "version: 1\nmarks:\n  - id: shenzhou-mitao\n    name: 深州蜜桃\n    kind: geographical_indication\n    product: [蜜桃]\n    origin:\n      places: [深州]\n      seller_location: [河北 衡水]\n",
			want: []string{file + `:9: mark "shenzhou-mitao": field "origin.seller_location": unknown field; did you mean "seller_locations"?`},
		},
		{
			name: "origin on a trademark",
			yaml: goodMark + "    origin: {places: [衡水], seller_locations: [河北 衡水]}\n",
			want: []string{file + `:7: mark "liugehetao": field "origin": only geographical_indication marks have an origin`},
		},
		{
			name: "empty string in list",
			yaml: "version: 1\nmarks:\n  - id: lulu\n    name: 露露\n    kind: trademark\n    goods:\n      - 杏仁露\n      - \"\"\n",
			want: []string{file + `:8: mark "lulu": field "goods[1]": must not be empty`},
		},
		{
			name: "null in list",
			yaml: "version: 1\nmarks:\n  - id: lulu\n    name: 露露\n    kind: trademark\n    forms: [承德露露, ~]\n",
			want: []string{file + `:6: mark "lulu": field "forms[1]": must not be empty`},
		},
		{
			name: "spaces around a list entry",
			yaml: "version: 1\nmarks:\n  - id: lulu\n    name: 露露\n    kind: trademark\n    authorized_sellers: [\" 露露官方旗舰店\"]\n",
			want: []string{file + `:6: mark "lulu": field "authorized_sellers[0]": " 露露官方旗舰店" has leading or trailing spaces`},
		},
		{
			name: "repeated list entry",
			yaml: "version: 1\nmarks:\n  - id: lulu\n    name: 露露\n    kind: trademark\n    goods:\n      - 杏仁露\n      - 杏仁露\n",
			want: []string{file + `:8: mark "lulu": field "goods[1]": "杏仁露" is listed twice (first at line 7)`},
		},
		{
			name: "list given as text",
			yaml: "version: 1\nmarks:\n  - id: lulu\n    name: 露露\n    kind: trademark\n    goods: 杏仁露\n",
			want: []string{file + `:6: mark "lulu": field "goods": must be a list`},
		},
		{
			name: "well_known not a boolean",
			yaml: goodMark + "    well_known: \"yes\"\n",
			want: []string{file + `:7: mark "liugehetao": field "well_known": must be true or false`},
		},
		{
			name: "class out of range",
			yaml: goodMark + "    classes: [32, 46]\n",
			want: []string{file + `:7: mark "liugehetao": field "classes[1]": Nice classes run from 1 to 45, not 46`},
		},
		{
			name: "repeated key",
			yaml: goodMark + "    name: 六個核桃\n",
			want: []string{file + `:7: mark "liugehetao": field "name": given twice (first at line 4)`},
		},
		{
			name: "unsupported version",
			yaml: strings.Replace(goodMark, "version: 1", "version: 2", 1),
			want: []string{file + `:1: field "version": unsupported version "2"; this markwatch reads version 1`},
		},
		{
			name: "missing version",
			yaml: strings.Replace(goodMark, "version: 1\n", "", 1),
			want: []string{file + `:1: field "version": missing`},
		},
		{
			name: "unknown top-level field",
			yaml: "versoin: 1\n" + goodMark,
			want: []string{file + `:1: field "versoin": unknown field; did you mean "version"?`},
		},
		{
			name: "empty marks",
			yaml: "version: 1\nmarks: []\n",
			want: []string{file + `:2: field "marks": the list is empty`},
		},
		{
			name: "syntax error",
			yaml: "version: 1\nmarks:\n  - id: lulu\n    name: 露露\n      kind: trademark\n",
			want: []string{file + `:5: invalid YAML near here: mapping values are not allowed`},
		},
		{
			name: "empty file",
			yaml: "",
			want: []string{file + `: the file is empty`},
		},
		{
			name: "two documents",
			yaml: goodMark + "---\n" + goodMark,
			want: []string{file + `:7: a second YAML document starts here`},
		},
		{
			name: "mark is not a mapping",
			yaml: "version: 1\nmarks:\n  - 六个核桃\n",
			want: []string{file + `:3: mark #1: each mark must be a mapping`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			marks, err := Parse(file, []byte(tt.yaml))
			if err == nil {
				t.Fatalf("Parse succeeded with %d marks, want an error", len(marks))
			}
			if marks != nil {
				t.Errorf("Parse returned marks %v along with an error", marks)
			}
			if got := domain.ErrorCode(err); got != domain.EINVALID {
				t.Errorf("ErrorCode = %q, want %q", got, domain.EINVALID)
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error does not contain %q:\n%s", w, msg)
				}
			}
		})
	}
}

func TestParseCollectsAllProblems(t *testing.T) {
	data := "version: 1\nmarks:\n" +
		"  - id: lulu\n    name: 露露\n    kind: brand\n" + // line 5: kind
		"  - id: jinmailang\n    kind: trademark\n" + // line 6: name missing
		"  - id: lulu\n    name: 露露\n    kind: trademark\n" // line 8: duplicate
	_, err := Parse("r.yaml", []byte(data))
	var re *Error
	if !errors.As(err, &re) {
		t.Fatalf("error %v is not a *registry.Error", err)
	}
	want := []string{
		`r.yaml:5: mark "lulu": field "kind"`,
		`r.yaml:6: mark "jinmailang": field "name"`,
		`r.yaml:8: mark "lulu": field "id": duplicate id`,
	}
	if len(re.Problems) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(re.Problems), len(want), err)
	}
	for i, w := range want {
		if got := re.Problems[i].String(); !strings.HasPrefix(got, w) {
			t.Errorf("problem %d = %q, want prefix %q", i, got, w)
		}
	}
}

func TestParseCapsProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nmarks:\n")
	for range 30 {
		b.WriteString("  - id: X\n    name: 今麦郎\n    kind: trademark\n")
	}
	_, err := Parse("r.yaml", []byte(b.String()))
	var re *Error
	if !errors.As(err, &re) {
		t.Fatalf("error %v is not a *registry.Error", err)
	}
	if len(re.Problems) != maxProblems || re.Omitted != 30-maxProblems {
		t.Errorf("got %d problems and %d omitted, want %d and %d", len(re.Problems), re.Omitted, maxProblems, 30-maxProblems)
	}
	if !strings.Contains(err.Error(), "and 10 more problems") {
		t.Errorf("error does not say how many were left out:\n%v", err)
	}
}

func TestParseReadsEveryField(t *testing.T) {
	data := `version: 1
marks:
  - id: lulu
    name: 露露
    kind: trademark
    owner: 承德露露股份有限公司
    well_known: true
    classes: [32]
    goods: [杏仁露, 杏仁奶]
    forms: [承德露露]
    generic: [杏仁露]
    exclude: [露露姐姐]
    authorized_sellers: [露露官方旗舰店]
  - id: qianxi-banli
    name: 迁西板栗
    kind: geographical_indication
    product: &chestnut [板栗, 栗子]
    origin:
      places: [迁西]
      seller_locations: [河北 唐山]
`
	marks, err := Parse("r.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(marks) != 2 {
		t.Fatalf("got %d marks, want 2", len(marks))
	}
	lulu := marks[0]
	if lulu.ID != "lulu" || lulu.Name != "露露" || lulu.Kind != domain.KindTrademark || lulu.Owner != "承德露露股份有限公司" ||
		!lulu.WellKnown || len(lulu.Classes) != 1 || lulu.Classes[0] != 32 || len(lulu.Goods) != 2 ||
		lulu.Forms[0] != "承德露露" || lulu.Generic[0] != "杏仁露" || lulu.Exclude[0] != "露露姐姐" ||
		lulu.AuthorizedSellers[0] != "露露官方旗舰店" {
		t.Errorf("lulu parsed as %+v", lulu)
	}
	gi := marks[1]
	if gi.Kind != domain.KindGI || gi.Product[1] != "栗子" || gi.Origin.Places[0] != "迁西" || gi.Origin.SellerLocations[0] != "河北 唐山" {
		t.Errorf("qianxi-banli parsed as %+v", gi)
	}
}

func TestShippedRegistriesLoad(t *testing.T) {
	for _, path := range []string{"../../config/marks/hebei.yaml", "testdata/eval-registry.yaml"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			marks, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(marks) < 40 {
				t.Errorf("loaded %d marks, want the whole Hebei registry", len(marks))
			}
			kinds := map[domain.MarkKind]int{}
			for _, m := range marks {
				kinds[m.Kind]++
			}
			for _, k := range []domain.MarkKind{domain.KindTrademark, domain.KindTimeHonoured, domain.KindGI} {
				if kinds[k] == 0 {
					t.Errorf("no marks of kind %s", k)
				}
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := Load(path)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v does not wrap fs.ErrNotExist", err)
	}
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("ErrorCode = %q, want %q", domain.ErrorCode(err), domain.EINVALID)
	}
	if !strings.HasPrefix(err.Error(), path+": reading the registry") {
		t.Errorf("error %q does not start with the path", err)
	}
}

func TestLoadFS(t *testing.T) {
	data, err := os.ReadFile("../../config/marks/hebei.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{"marks/hebei.yaml": {Data: data}}
	marks, err := LoadFS(fsys, "marks/hebei.yaml", "config/marks/hebei.yaml")
	if err != nil || len(marks) == 0 {
		t.Fatalf("LoadFS = %d marks, %v", len(marks), err)
	}
	_, err = LoadFS(fsys, "marks/missing.yaml", "config/marks/missing.yaml")
	if err == nil || !strings.HasPrefix(err.Error(), "config/marks/missing.yaml: ") {
		t.Errorf("LoadFS of a missing file: %v", err)
	}
}
