package crawl

import (
	"fmt"
	"net/url"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// escapeQuery percent-escapes a query in the encoding the marketplace expects.
// Old GBK sites read %BA%CB%CC%D2 as 核桃 and %E6%A0%B8... as garbage.
func escapeQuery(q, encoding string) (string, error) {
	if encoding != EncodingGBK {
		return url.QueryEscape(q), nil
	}
	b, err := simplifiedchinese.GBK.NewEncoder().String(q)
	if err != nil {
		return "", fmt.Errorf("encoding as GBK: %w", err)
	}
	return url.QueryEscape(b), nil
}
