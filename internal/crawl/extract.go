package crawl

import (
	"errors"
	"fmt"

	"github.com/markwatch/markwatch/internal/domain"
)

// Page is what one fetched page yields.
type Page struct {
	Listings []domain.Listing
	// NextURL is the absolute URL of the next results page when the source
	// paginates by link and the page has one.
	NextURL string
	Report  ExtractReport
}

// ExtractReport tells an operator how well a definition fits a page.
type ExtractReport struct {
	// UnmatchedSelectors are "field: selector" entries that matched nothing
	// anywhere on the page. With fallbacks for several eras of a site some
	// are expected; a field in EmptyFields is the one to fix.
	UnmatchedSelectors []string `json:"unmatched_selectors,omitempty"`
	// EmptyFields are fields no selector filled for any listing.
	EmptyFields []string `json:"empty_fields,omitempty"`
	// Dropped counts items skipped for lacking a title or URL.
	Dropped int `json:"dropped,omitempty"`
	// EncodingWarning is set when the page's declared encoding was wrong or
	// its bytes were invalid; the listings are still read as well as can be.
	EncodingWarning string `json:"encoding_warning,omitempty"`
}

// Error kinds an extraction can fail with; the crawler counts them.
const (
	KindParse    = "parse"
	KindEncoding = "encoding"
)

// ExtractError is a page that could not be read at all.
type ExtractError struct {
	Kind string
	Err  error
}

func (e *ExtractError) Error() string { return fmt.Sprintf("%s: %v", e.Kind, e.Err) }
func (e *ExtractError) Unwrap() error { return e.Err }

// Extract reads the listings of one page. pageURL is the page's address, used
// to resolve relative and protocol-relative links; contentType is the
// response's Content-Type header ("" for a file). Listings carry the source's
// id and platform; the crawler adds the query and time.
func Extract(src Source, pageURL string, body []byte, contentType string) (Page, error) {
	text, warning, err := decodeBody(body, contentType)
	if err != nil {
		return Page{}, &ExtractError{Kind: KindEncoding, Err: fmt.Errorf("decoding %s: %w", pageURL, err)}
	}
	base, err := parseBase(pageURL)
	if err != nil {
		return Page{}, &ExtractError{Kind: KindParse, Err: err}
	}
	var page Page
	switch {
	case src.Extract.CSS != nil:
		page, err = extractCSS(src, base, text)
	case src.Extract.JSON != nil:
		page, err = extractJSON(src, base, text)
	default:
		err = errors.New("source has no extraction rules")
	}
	if err != nil {
		return Page{}, &ExtractError{Kind: KindParse, Err: fmt.Errorf("extracting %s: %w", pageURL, err)}
	}
	page.Report.EncodingWarning = warning
	for i := range page.Listings {
		page.Listings[i].SourceID = src.ID
		page.Listings[i].Platform = src.Platform
	}
	return page, nil
}
