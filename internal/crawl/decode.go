package crawl

import (
	"bytes"
	"fmt"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// decodeBody returns the page as UTF-8 and, when the page lies about its
// encoding or cannot be decoded cleanly, a warning. The page is still read as
// well as it can be: a wrong label should cost a counted warning, not the
// listings.
//
// Order: BOM, the Content-Type charset, <meta charset> (both via
// charset.DetermineEncoding), then a guess. Chinese marketplaces that declare
// nothing are GBK when the bytes are not UTF-8, so the guess is GB18030 (a
// superset of GBK and GB2312) rather than DetermineEncoding's windows-1252.
func decodeBody(body []byte, contentType string) (text []byte, warning string, err error) {
	if rest, ok := bytes.CutPrefix(body, []byte("\xef\xbb\xbf")); ok {
		return checkUTF8(rest, "utf-8 (BOM)")
	}
	if label := headerCharset(contentType); label != "" {
		if enc, _ := charset.Lookup(label); enc == nil {
			warning = fmt.Sprintf("unknown charset %q in Content-Type", label)
			contentType = "text/html"
		}
	}
	enc, name, certain := charset.DetermineEncoding(body, contentType)
	var w string
	switch {
	case name == "gbk" || name == "gb2312" || name == "gb18030":
		text, w = decodeGBK(body, name)
	case name == "utf-8":
		text, w = decodeDeclaredUTF8(body)
	case !certain:
		// Nothing declared: DetermineEncoding fell back to a Western guess.
		if utf8.Valid(body) {
			return body, warning, nil
		}
		text, w = decodeWith(simplifiedchinese.GB18030, body, "undeclared gbk")
	default:
		text, w = decodeWith(enc, body, name)
	}
	return text, joinWarnings(warning, w), nil
}

func checkUTF8(b []byte, label string) ([]byte, string, error) {
	if utf8.Valid(b) {
		return b, "", nil
	}
	return bytes.ToValidUTF8(b, []byte("\uFFFD")), fmt.Sprintf("page declared %s but has invalid UTF-8", label), nil
}

// decodeDeclaredUTF8 handles pages labelled UTF-8; a GBK page behind a wrong
// label is recognised by decoding cleanly as GB18030.
func decodeDeclaredUTF8(b []byte) ([]byte, string) {
	if utf8.Valid(b) {
		return b, ""
	}
	if text, w := decodeWith(simplifiedchinese.GB18030, b, "gbk"); w == "" {
		return text, "page declared utf-8 but is GBK"
	}
	return bytes.ToValidUTF8(b, []byte("\uFFFD")), "page declared utf-8 but has invalid UTF-8"
}

// decodeGBK handles pages labelled GBK. A page re-encoded to UTF-8 by a proxy
// or a CMS keeps its old label; real GBK text with Chinese in it is almost
// never valid UTF-8, so valid UTF-8 with non-ASCII means the label is wrong.
func decodeGBK(b []byte, label string) ([]byte, string) {
	if utf8.Valid(b) && hasNonASCII(b) {
		return b, fmt.Sprintf("page declared %s but is UTF-8", label)
	}
	return decodeWith(simplifiedchinese.GB18030, b, label)
}

func decodeWith(enc encoding.Encoding, b []byte, label string) ([]byte, string) {
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return bytes.ToValidUTF8(b, []byte("\uFFFD")), fmt.Sprintf("decoding as %s: %v", label, err)
	}
	if n := bytes.Count(out, []byte("\uFFFD")) - bytes.Count(b, []byte("\uFFFD")); n > 0 {
		return out, fmt.Sprintf("%d sequences are not valid %s", n, label)
	}
	return out, ""
}

func headerCharset(contentType string) string {
	if contentType == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(params["charset"])
}

func hasNonASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

func joinWarnings(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
