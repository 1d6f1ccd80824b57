package crawl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Read-only after init: JSON titles often carry highlight markup
// (<span class=H>芝麻糊</span>).
var markupTag = regexp.MustCompile(`<[^>]*>`)

func extractJSON(src Source, base *url.URL, text []byte, cards bool) (Page, error) {
	rules := src.Extract.JSON
	root, err := findJSON(text, rules.Var)
	if err != nil {
		return Page{}, err
	}
	var page Page
	var items []any
	for _, p := range rules.Items {
		v, ok := jsonPath(root, p)
		if arr, isArr := v.([]any); ok && isArr {
			items = arr
			break
		}
		page.Report.UnmatchedSelectors = append(page.Report.UnmatchedSelectors, "items: "+p)
	}
	filled := map[string]bool{}
	matched := map[string]bool{}
	for _, it := range items {
		var r record
		rules.Fields.each(func(name string, paths Selectors) {
			for _, p := range paths {
				v, ok := jsonPath(it, p)
				if ok {
					matched[name+": "+p] = true
				}
				if s := jsonString(v); s != "" {
					if name == "title" || name == "seller" || name == "location" {
						s = html.UnescapeString(markupTag.ReplaceAllString(s, ""))
					}
					r.set(name, s)
					filled[name] = true
					return
				}
			}
		})
		if l, ok := r.listing(base); ok {
			page.Listings = append(page.Listings, l)
			if cards {
				page.Cards = append(page.Cards, jsonText(it, maxCardText))
			}
		} else {
			page.Report.Dropped++
		}
	}
	if items != nil {
		rules.Fields.each(func(name string, paths Selectors) {
			for _, p := range paths {
				if !matched[name+": "+p] {
					page.Report.UnmatchedSelectors = append(page.Report.UnmatchedSelectors, name+": "+p)
				}
			}
			if len(paths) > 0 && !filled[name] {
				page.Report.EmptyFields = append(page.Report.EmptyFields, name)
			}
		})
	}
	for _, p := range src.Pagination.Next {
		if v, ok := jsonPath(root, p); ok {
			if next := resolveURL(base, jsonString(v)); next != "" {
				page.NextURL = next
				break
			}
		}
	}
	return page, nil
}

// findJSON locates the JSON value of a page: the value assigned to varName
// ("g_page_config = {...};" in a script or a .js file, also as
// window.g_page_config), or, without a variable or when it is absent, a body
// that is bare JSON.
func findJSON(text []byte, varName string) (any, error) {
	if varName != "" {
		for from := 0; ; {
			i := bytes.Index(text[from:], []byte(varName))
			if i < 0 {
				break
			}
			at := from + i
			from = at + len(varName)
			if at > 0 && isIdentByte(text[at-1]) {
				continue
			}
			rest := bytes.TrimLeft(text[from:], " \t\r\n")
			if len(rest) < 2 || rest[0] != '=' || rest[1] == '=' {
				continue
			}
			rest = bytes.TrimLeft(rest[1:], " \t\r\n")
			if len(rest) == 0 || (rest[0] != '{' && rest[0] != '[') {
				continue
			}
			v, err := decodeFirst(rest)
			if err != nil {
				return nil, fmt.Errorf("decoding the JSON assigned to %s: %w", varName, err)
			}
			return v, nil
		}
	}
	bare := bytes.TrimLeft(text, " \t\r\n\ufeff")
	if len(bare) > 0 && (bare[0] == '{' || bare[0] == '[') {
		v, err := decodeFirst(bare)
		if err != nil {
			return nil, fmt.Errorf("decoding JSON body: %w", err)
		}
		return v, nil
	}
	if varName != "" {
		return nil, fmt.Errorf("no assignment to %s found and the body is not bare JSON", varName)
	}
	return nil, errors.New("the body is not JSON")
}

// decodeFirst decodes one JSON value from the start of b and ignores what
// follows (";", the rest of a script).
func decodeFirst(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

// jsonPath walks a dotted path ("mods.itemlist.data.auctions", "pics.0");
// numeric segments index arrays. "" and "." mean the value itself.
func jsonPath(v any, path string) (any, bool) {
	if path == "" || path == "." {
		return v, v != nil
	}
	for _, seg := range strings.Split(path, ".") {
		switch t := v.(type) {
		case map[string]any:
			next, ok := t[seg]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(t) {
				return nil, false
			}
			v = t[i]
		default:
			return nil, false
		}
	}
	return v, v != nil
}

func jsonString(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case json.Number:
		return t.String()
	}
	return ""
}
