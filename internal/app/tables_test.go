package app

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestDisplayWidth(t *testing.T) {
	for _, c := range []struct {
		s    string
		want int
	}{
		{"", 0},
		{"liugehetao", 10},
		{"六个核桃", 8},
		{"陆个核桃 240ml*20罐", 19},
		{"衡水老白干（古法20）", 20}, // fullwidth parentheses
		{"ＡＢ", 4},
		{"迁西板栗 → 河北 唐山", 20}, // → is ambiguous: one column
		{"e\u0301", 1},       // a combining acute accent takes no column
		{"\u200b六", 2},       // nor does a zero-width space
	} {
		if got := displayWidth(c.s); got != c.want {
			t.Errorf("displayWidth(%q) = %d, want %d", c.s, got, c.want)
		}
	}
}

// TestTableAlignsChineseByWidth: the column after a Chinese cell starts at
// the same terminal column on every line, whatever mix of 汉字 and Latin the
// cells before it hold.
func TestTableAlignsChineseByWidth(t *testing.T) {
	var buf bytes.Buffer
	tw := newTable(&buf)
	fmt.Fprintln(tw, "ID\tSELLER\tLOCATION\tTITLE")
	fmt.Fprintln(tw, "1\t鑫旺食品专营店\t河北 石家庄\t陆个核桃 核桃乳 240ml*20罐")
	fmt.Fprintln(tw, "22\tshop-7\t山东 临沂\t六个核桃 正品")
	fmt.Fprintln(tw, "333\t衡水老白干酒水批发\tBeijing\t衡水老白乾 52度")
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	for _, col := range []string{"LOCATION", "TITLE"} {
		var at []int
		starts := map[string][]string{"LOCATION": {"LOCATION", "河北", "山东", "Beijing"}, "TITLE": {"TITLE", "陆个核桃", "六个核桃", "衡水老白乾"}}[col]
		for i, l := range lines {
			j := strings.Index(l, starts[i])
			if j < 0 {
				t.Fatalf("line %q lacks %q", l, starts[i])
			}
			at = append(at, displayWidth(l[:j]))
		}
		for _, a := range at[1:] {
			if a != at[0] {
				t.Errorf("column %s starts at terminal columns %v, want one:\n%s", col, at, buf.String())
			}
		}
	}
	if strings.HasSuffix(lines[1], " ") {
		t.Errorf("the last cell is padded: %q", lines[1])
	}
}
