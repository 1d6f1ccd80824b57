package crawl

import (
	"errors"
	"fmt"
	"net/url"

	"golang.org/x/net/html"

	"github.com/markwatch/markwatch/internal/domain"
)

// Page is what one fetched page yields.
type Page struct {
	Listings []domain.Listing
	// NextURL is the absolute URL of the next results page when the source
	// paginates by link and the page has one.
	NextURL string
	Report  ExtractReport
	// Cards are the visible text of each listing's card, aligned with
	// Listings (the item element of a CSS source, the string values of a
	// JSON item), when ExtractOptions.CardText asked for them; the crawler
	// reads seller contacts from them.
	Cards []string
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
	// Auto is set when the listings were found by structure alone
	// (ExtractAuto), because the source's selectors yielded none on the page
	// or the caller asked for it; AutoReason says which. The crawler counts
	// such pages: a definition that needs the fallback has gone stale.
	Auto       bool   `json:"auto,omitempty"`
	AutoReason string `json:"auto_reason,omitempty"`
	// AutoItem is the tag.class path of the repeated blocks read as
	// listings ("" when auto-detection found none).
	AutoItem string `json:"auto_item,omitempty"`
}

// Reasons for reading a page by structure alone (ExtractReport.AutoReason).
const (
	AutoReasonNoItems  = "item selectors matched nothing"
	AutoReasonDropped  = "items matched but none had a title and URL"
	AutoReasonNoJSON   = "the JSON rules found no listings"
	AutoReasonAsked    = "auto-detection asked for"
	AutoReasonNoSource = "no source definition"
)

// ExtractOptions change how Extract reads a page. The zero value is what the
// crawler uses.
type ExtractOptions struct {
	// Auto says when the page is read by structure alone; by default
	// (AutoFallback) when the source's rules yield no listing.
	Auto AutoMode
	// CardText fills Page.Cards.
	CardText bool
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
//
// When the source's rules yield no listing on the page, the page is read by
// auto-detection instead (see ExtractAuto) and Report.Auto says so; use
// ExtractWith to turn that off or to ask for it always.
func Extract(src Source, pageURL string, body []byte, contentType string) (Page, error) {
	return ExtractWith(src, ExtractOptions{}, pageURL, body, contentType)
}

// ExtractWith is Extract with options.
func ExtractWith(src Source, opts ExtractOptions, pageURL string, body []byte, contentType string) (Page, error) {
	text, warning, err := decodeBody(body, contentType)
	if err != nil {
		return Page{}, &ExtractError{Kind: KindEncoding, Err: fmt.Errorf("decoding %s: %w", pageURL, err)}
	}
	base, err := parseBase(pageURL)
	if err != nil {
		return Page{}, &ExtractError{Kind: KindParse, Err: err}
	}
	var page Page
	var root *html.Node // the parsed HTML, once the rules have parsed it
	reason := ""
	switch {
	case opts.Auto == AutoAlways:
		reason = AutoReasonAsked
		if src.Extract.CSS != nil || src.Extract.JSON != nil {
			// Pagination (and nothing else) still comes from the rules.
			page, root = extractNextOnly(src, base, text)
		}
	case src.Extract.CSS != nil:
		page, root, err = extractCSS(src, base, text, opts.CardText)
		if err == nil && len(page.Listings) == 0 {
			reason = AutoReasonNoItems
			if page.Report.Dropped > 0 {
				reason = AutoReasonDropped
			}
		}
	case src.Extract.JSON != nil:
		page, err = extractJSON(src, base, text, opts.CardText)
		if (err != nil || len(page.Listings) == 0) && opts.Auto == AutoFallback {
			// A marketplace that stopped embedding its JSON may still
			// render the listings in the page.
			reason = AutoReasonNoJSON
		}
	default:
		if opts.Auto == AutoOff {
			err = errors.New("source has no extraction rules")
		} else {
			reason = AutoReasonNoSource
		}
	}
	if reason != "" && opts.Auto != AutoOff {
		// A CSS source reads HTML: the JSON of a page that renders in the
		// browser is for a source with render: chromium or JSON rules.
		auto, found, derr := autoPage(base, text, root, src.Extract.CSS == nil, opts.CardText)
		switch {
		case derr != nil:
			if err == nil {
				err = derr
			}
		case found || err == nil && opts.Auto == AutoAlways:
			page, err = fallbackPage(page, auto, reason), nil
		}
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

// extractNextOnly reads only the next-page link of the source's rules, and
// returns the parsed HTML when the rules parsed it.
func extractNextOnly(src Source, base *url.URL, text []byte) (Page, *html.Node) {
	var page Page
	if len(src.Pagination.Next) == 0 {
		return page, nil
	}
	var root *html.Node
	var err error
	if src.Extract.CSS != nil {
		page, root, err = extractCSS(src, base, text, false)
	} else {
		page, err = extractJSON(src, base, text, false)
	}
	if err != nil {
		return Page{}, nil // no next page; the listings come from the structure
	}
	return Page{NextURL: page.NextURL}, root
}

// fallbackPage is the auto-detected page with what the rules found: the
// next-page link and the selectors that matched nothing, which are what an
// operator fixes. Without any listing from the structure either, the rules'
// page stands (Report.Auto unset).
func fallbackPage(rules, auto Page, reason string) Page {
	auto.NextURL = rules.NextURL
	auto.Report.UnmatchedSelectors = rules.Report.UnmatchedSelectors
	auto.Report.EmptyFields = rules.Report.EmptyFields
	auto.Report.AutoReason = reason
	return auto
}
