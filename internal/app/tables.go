package app

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// table lays out tab-separated lines in columns, like text/tabwriter, but
// measures cells by their width on a terminal: a Chinese character takes two
// columns, so text/tabwriter (which counts runes) pushes every column after a
// 六个核桃 out of line. Write lines of cells ending in '\t' (the text after a
// line's last tab is not aligned), then Flush.
type table struct {
	w   io.Writer
	buf bytes.Buffer
}

// tablePadding is the space between columns.
const tablePadding = 2

func newTable(w io.Writer) *table { return &table{w: w} }

func (t *table) Write(p []byte) (int, error) { return t.buf.Write(p) }

// Flush writes what was written, aligned, and empties the table.
func (t *table) Flush() error {
	text := strings.TrimSuffix(t.buf.String(), "\n")
	t.buf.Reset()
	if text == "" {
		return nil
	}
	lines := strings.Split(text, "\n")
	rows := make([][]string, len(lines))
	var widths []int
	for i, l := range lines {
		rows[i] = strings.Split(l, "\t")
		for c, cell := range rows[i][:len(rows[i])-1] { // the last cell is not aligned
			if c == len(widths) {
				widths = append(widths, 0)
			}
			widths[c] = max(widths[c], displayWidth(cell))
		}
	}
	var out strings.Builder
	for _, cells := range rows {
		last := len(cells) - 1
		for c, cell := range cells[:last] {
			out.WriteString(cell)
			out.WriteString(strings.Repeat(" ", widths[c]-displayWidth(cell)+tablePadding))
		}
		out.WriteString(cells[last])
		out.WriteByte('\n')
	}
	if _, err := io.WriteString(t.w, out.String()); err != nil {
		return fmt.Errorf("writing a table: %w", err)
	}
	return nil
}

// displayWidth is how many terminal columns s takes: East Asian wide and
// fullwidth characters (汉字, ＡＢ, 。) two, combining marks and format
// characters none, everything else one. Ambiguous characters (—, →, ·)
// count one, as terminals set for Chinese locales mostly show them.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		case isWide(r):
			n += 2
		default:
			n++
		}
	}
	return n
}

func isWide(r rune) bool {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return true
	}
	return false
}
