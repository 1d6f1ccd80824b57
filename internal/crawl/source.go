package crawl

import "time"

// Render modes a source may ask for.
const (
	RenderNone     = "none"
	RenderChromium = "chromium"
)

// Query encodings: how {query} is percent-escaped in the search URL. Older
// Chinese marketplaces expect GBK bytes, not UTF-8.
const (
	EncodingUTF8 = "utf-8"
	EncodingGBK  = "gbk"
)

// Source is one marketplace as an operator configured it. Zero durations and
// counts have been replaced by defaults when the Source comes from ParseSource.
type Source struct {
	ID       string
	Name     string
	Platform string
	// File is where the definition came from, for messages.
	File string

	// BaseURL replaces {base} in SearchURL. It lets the same definition
	// point at another host (the demo marketplace on another port, a
	// staging mirror) without editing the template.
	BaseURL string
	// SearchURL is a template with {query}, {page} and optionally {base}.
	SearchURL     string
	QueryEncoding string
	Pagination    Pagination
	MaxPages      int
	// QueriesPerRun is the run's search budget: how many of the queries
	// planned from the registry one run makes (they rotate across runs).
	QueriesPerRun int
	// Schedule is a cron spec; this package stores it only.
	Schedule string

	// AllowedDomains are exact host names (no port). Empty means the host of
	// the expanded search URL only.
	AllowedDomains []string
	Parallelism    int
	Delay          time.Duration
	RandomDelay    time.Duration
	UserAgent      string
	Timeout        time.Duration
	MaxBodyBytes   int64
	RespectRobots  bool
	// HeadersFromEnv maps a request header to the environment variable that
	// holds its value, so cookies and tokens never live in the YAML.
	HeadersFromEnv map[string]string
	Render         string
	// Retries is how many times a 429 or 5xx answer is retried.
	Retries        int
	RetryBaseDelay time.Duration
	// MaxRetryWait caps a server's Retry-After so one answer cannot stall a
	// run for hours.
	MaxRetryWait time.Duration

	Extract Extraction
	// Detail, when set, fills fields a results page lacks (JD shows no
	// seller location) from each listing's own page.
	Detail *DetailRules
	// Evidence says what is captured beyond the raw page bytes.
	Evidence SourceEvidence
	// IdentityRules derive an offer's identity from its URL (see Identity);
	// the zero value makes the canonical URL the identity.
	IdentityRules IdentityRules
	// Images says whether listing images are fetched and hashed.
	Images SourceImages
}

// SourceImages is a source's image policy (YAML images:).
type SourceImages struct {
	// Fetch asks for each listing's ImageURL to be fetched and hashed
	// (when the Crawler has an ImageHasher).
	Fetch bool
	// MaxBytes caps one image's body; a larger one is a counted failure.
	MaxBytes int64
}

// SourceEvidence is a source's evidence policy (YAML evidence:).
type SourceEvidence struct {
	// Screenshot asks for a full-page screenshot and MHTML snapshot of
	// each new alert's listing page (headless Chromium, as a capture job).
	Screenshot bool
	// Recheck is a cron spec (validated with the scheduler's parser) on
	// which the source's open alerts are fetched again; "" means never.
	Recheck string
}

// DetailRules read a listing's own page. A listing is fetched when one of
// the fields named here is empty after the results page; only empty fields
// are filled, and title and URL, which identify the listing, never change.
// At most MaxPerRun listing pages are fetched in a run; the rest are emitted
// as they are.
type DetailRules struct {
	Fields    Fields
	MaxPerRun int

	compiled []fieldSels // set by ParseSource; read-only afterwards
}

// Pagination says how to reach the next page of results. With Next set, the
// next page is the link (CSS) or value (JSON path) it selects; otherwise, when
// the search URL has {page}, page i (0-based) is Start + i*Step.
type Pagination struct {
	Next  Selectors
	Start int
	Step  int
}

// Extraction reads listings out of a page: exactly one of CSS and JSON is set.
type Extraction struct {
	CSS  *CSSRules
	JSON *JSONRules
}

// CSSRules read an HTML page: Item selects one element per listing, and the
// field selectors are applied inside it. A selector may end in "@attr" to read
// an attribute ("a@href"); "@attr" alone reads the item element itself.
type CSSRules struct {
	Item   Selectors
	Fields Fields

	compiled *cssMatchers // set by ParseSource; read-only afterwards
}

// JSONRules read JSON: either the whole body, or the value assigned to Var
// (for example g_page_config) in a script. Items is a dotted path to the array
// of listings; field paths are relative to one listing.
type JSONRules struct {
	Var    string
	Items  Selectors
	Fields Fields
}

// Fields lists, per listing field, selectors (CSS) or paths (JSON) tried in
// order; the first that yields a non-empty value wins. Fallbacks let one
// definition read several eras of a marketplace's markup.
type Fields struct {
	Title    Selectors
	Price    Selectors
	Seller   Selectors
	Location Selectors
	URL      Selectors
	Image    Selectors
}

// each calls fn for every configured field, in a stable order, so reports
// read the same way every time.
func (f Fields) each(fn func(name string, sel Selectors)) {
	fn("title", f.Title)
	fn("price", f.Price)
	fn("seller", f.Seller)
	fn("location", f.Location)
	fn("url", f.URL)
	fn("image", f.Image)
}

// Selectors is an ordered list of alternatives. In YAML it may be written as
// one string or as a list.
type Selectors []string
