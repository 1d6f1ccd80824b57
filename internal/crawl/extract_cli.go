package crawl

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// extractedListing is one line of RunExtract's output.
type extractedListing struct {
	Page     string  `json:"page"`
	Title    string  `json:"title"`
	Price    float64 `json:"price,omitempty"`
	Seller   string  `json:"seller,omitempty"`
	Location string  `json:"location,omitempty"`
	URL      string  `json:"url"`
	ImageURL string  `json:"image_url,omitempty"`
}

// extractedPage is the report line RunExtract writes after a page's listings.
type extractedPage struct {
	Page     string        `json:"page"`
	Listings int           `json:"listings"`
	NextURL  string        `json:"next_url,omitempty"`
	Report   ExtractReport `json:"report"`
	Error    string        `json:"error,omitempty"`
}

// RunExtract reads saved pages and writes, as JSON lines, each listing src
// extracts (title, price, seller, location, url) and then one report line per
// page ({"page":…, "listings":n, "report":{"unmatched_selectors":…}}), so an
// operator can write a definition against saved pages. Links are resolved
// against baseURL, the page's original address, when given; otherwise
// relative links stay relative. A page that cannot be read or parsed gets a
// report line with its error; the others are still processed, and the
// errors are returned together at the end.
func RunExtract(w io.Writer, src Source, pages []string, baseURL string) error {
	return runExtract(w, pages, func(body []byte) (Page, error) { return Extract(src, baseURL, body, "") })
}

// RunExtractAuto is RunExtract with no source definition: every page is read
// by auto-detection (ExtractAuto), and its report line names the group read
// (report.auto_item).
func RunExtractAuto(w io.Writer, pages []string, baseURL string) error {
	return runExtract(w, pages, func(body []byte) (Page, error) { return ExtractAuto(baseURL, body, "") })
}

// RunSuggest writes the source definition Suggest proposes from a saved
// page (see Suggest): the YAML, which `markwatch extract --source` reads
// back to the listings `--auto` prints.
func RunSuggest(w io.Writer, page, baseURL string) error {
	body, err := os.ReadFile(page)
	if err != nil {
		return fmt.Errorf("reading page: %w", err)
	}
	s, err := Suggest(baseURL, body, "")
	if err != nil {
		return fmt.Errorf("suggesting a definition from %s: %w", page, err)
	}
	_, err = w.Write(s.YAML)
	return err
}

func runExtract(w io.Writer, pages []string, extract func([]byte) (Page, error)) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	var errs []error
	for _, path := range pages {
		rep, err := extractFile(enc, path, extract)
		if err != nil {
			errs = append(errs, err)
			rep.Error = err.Error()
		}
		if werr := enc.Encode(rep); werr != nil {
			return fmt.Errorf("writing report for %s: %w", path, werr)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("extracting %d of %d pages failed: %w", len(errs), len(pages), errors.Join(errs...))
	}
	return nil
}

func extractFile(enc *json.Encoder, path string, extract func([]byte) (Page, error)) (extractedPage, error) {
	rep := extractedPage{Page: path}
	body, err := os.ReadFile(path)
	if err != nil {
		return rep, fmt.Errorf("reading page: %w", err)
	}
	page, err := extract(body)
	if err != nil {
		return rep, fmt.Errorf("extracting %s: %w", path, err)
	}
	for _, l := range page.Listings {
		line := extractedListing{Page: path, Title: l.Title, Price: l.Price, Seller: l.Seller,
			Location: l.Location, URL: l.URL, ImageURL: l.ImageURL}
		if err := enc.Encode(line); err != nil {
			return rep, fmt.Errorf("writing listing: %w", err)
		}
	}
	rep.Listings, rep.NextURL, rep.Report = len(page.Listings), page.NextURL, page.Report
	return rep, nil
}
