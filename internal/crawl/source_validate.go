package crawl

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/andybalholm/cascadia"
	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"

	"github.com/markwatch/markwatch/internal/domain"
)

// validator collects the first error with its line; later checks are skipped
// once one fails, so the operator fixes one thing at a time in file order.
type validator struct {
	name string
	root *yaml.Node
	id   string
	err  error
}

func (v *validator) fail(msg string, path ...string) {
	if v.err != nil {
		return
	}
	v.err = domain.Errorf(domain.EINVALID, "%s:%d: source %q: field %q: %s",
		v.name, lineOf(v.root, path...), v.id, strings.Join(path, "."), msg)
}

func (v *validator) duration(s string, def time.Duration, path ...string) time.Duration {
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		v.fail(fmt.Sprintf("must be a duration like 500ms or 10s, got %q", s), path...)
		return def
	}
	return d
}

func (v *validator) source(raw rawSource) Source {
	s := Source{
		ID: raw.ID, Name: raw.Name, Platform: raw.Platform, File: v.name,
		BaseURL: raw.BaseURL, SearchURL: raw.Search.URL, Schedule: raw.Schedule,
		MaxPages: raw.Search.MaxPages, AllowedDomains: raw.Fetch.AllowedDomains,
		Parallelism: raw.Fetch.Parallelism, UserAgent: raw.Fetch.UserAgent,
		MaxBodyBytes: raw.Fetch.MaxBodyBytes, HeadersFromEnv: raw.Fetch.HeadersFromEnv,
		Render: raw.Fetch.Render, RespectRobots: true, Retries: DefaultRetries,
	}
	if !idPattern.MatchString(s.ID) {
		v.fail("is required: lower-case letters, digits, - and _", "id")
	}
	if s.Name == "" {
		s.Name = s.ID
	}
	if s.Platform == "" {
		s.Platform = s.ID
	}
	v.searchURL(&s, raw.Search)
	v.fetch(&s, raw.Fetch)
	v.extraction(&s, raw.Extract)
	v.detail(&s, raw.Detail)
	v.evidence(&s, raw.Evidence)
	v.identity(&s, raw.Identity)
	v.images(&s, raw.Images)
	return s
}

// Bounds of images.max_bytes. A marketplace thumbnail is tens of KB; 16
// MiB is already a poster, and one run may fetch thousands.
const (
	DefaultImageMaxBytes = 2 << 20
	MaxImageMaxBytes     = 16 << 20
	minImageMaxBytes     = 1024
)

func (v *validator) images(s *Source, raw *rawImages) {
	s.Images = SourceImages{MaxBytes: DefaultImageMaxBytes}
	if raw == nil {
		return
	}
	s.Images.Fetch = raw.Fetch
	switch {
	case raw.MaxBytes == 0:
	case raw.MaxBytes < minImageMaxBytes || raw.MaxBytes > MaxImageMaxBytes:
		v.fail(fmt.Sprintf("must be between %d and %d bytes (16 MiB), got %d", minImageMaxBytes, MaxImageMaxBytes, raw.MaxBytes), "images", "max_bytes")
	default:
		s.Images.MaxBytes = raw.MaxBytes
	}
}

// cronParser accepts what the scheduler accepts: 5 or 6 fields (seconds
// optional), descriptors (@daily, @every 6h) and a CRON_TZ= prefix.
// Read-only: a parser has no state.
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// checkCron parses spec, refusing what makes robfig/cron panic: a
// CRON_TZ= (or TZ=) prefix with no schedule after it (found by fuzzing).
func checkCron(spec string) (err error) {
	for _, p := range []string{"CRON_TZ=", "TZ="} {
		if strings.HasPrefix(spec, p) && !strings.Contains(strings.TrimSpace(spec), " ") {
			return fmt.Errorf("%s names a time zone but no schedule follows it", p)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("not a cron spec: %v", r)
		}
	}()
	_, err = cronParser.Parse(spec)
	return err
}

func (v *validator) evidence(s *Source, raw *rawEvidence) {
	if raw == nil {
		return
	}
	s.Evidence = SourceEvidence{Screenshot: raw.Screenshot, Recheck: strings.TrimSpace(raw.Recheck)}
	if s.Evidence.Recheck == "" {
		return
	}
	if err := checkCron(s.Evidence.Recheck); err != nil {
		v.fail(fmt.Sprintf("must be a cron spec like \"0 */6 * * *\" or @daily, got %q: %v", raw.Recheck, err), "evidence", "recheck")
	}
}

// DefaultDetailMaxPerRun bounds listing-page fetches per run: each costs a
// request, and politeness delays apply to them too.
const DefaultDetailMaxPerRun = 50

func (v *validator) detail(s *Source, raw *rawDetail) {
	if raw == nil {
		return
	}
	d := &DetailRules{Fields: raw.Fields.fields(), MaxPerRun: raw.MaxPerRun}
	if d.MaxPerRun == 0 {
		d.MaxPerRun = DefaultDetailMaxPerRun
	}
	if d.MaxPerRun < 0 {
		v.fail("must be positive", "detail", "max_per_run")
	}
	if len(d.Fields.Title) > 0 || len(d.Fields.URL) > 0 {
		v.fail("title and url identify a listing and come from the results page; give only price, seller, location or image", "detail", "fields")
	}
	n := 0
	for _, sels := range []Selectors{d.Fields.Price, d.Fields.Seller, d.Fields.Location, d.Fields.Image} {
		n += len(sels)
	}
	if n == 0 {
		v.fail("is required: selectors for the fields to fill from the listing's page", "detail", "fields")
	}
	if v.err != nil {
		return
	}
	compiled, err := compileFields(d.Fields)
	if err != nil {
		v.fail(err.Error(), "detail", "fields")
		return
	}
	d.compiled = compiled
	s.Detail = d
}

func (v *validator) searchURL(s *Source, raw rawSearch) {
	switch strings.ToLower(raw.QueryEncoding) {
	case "", "utf-8", "utf8":
		s.QueryEncoding = EncodingUTF8
	case "gbk", "gb2312", "gb18030":
		s.QueryEncoding = EncodingGBK
	default:
		v.fail(fmt.Sprintf("must be utf-8 or gbk, got %q", raw.QueryEncoding), "search", "query_encoding")
	}
	if s.SearchURL == "" {
		v.fail("is required: a URL template with {query}, e.g. https://search.example.com/s?q={query}&page={page}", "search", "url")
		return
	}
	if !strings.Contains(s.SearchURL, "{query}") {
		v.fail("must contain {query}", "search", "url")
	}
	if strings.Contains(s.SearchURL, "{base}") && s.BaseURL == "" {
		v.fail("uses {base} but base_url is not set", "search", "url")
	}
	if s.BaseURL != "" {
		if u, err := url.Parse(s.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.fail(fmt.Sprintf("must be an absolute http(s) URL, got %q", s.BaseURL), "base_url")
		}
	}
	if _, err := s.PageURL("test", 0); err != nil {
		v.fail(err.Error(), "search", "url")
	}
	s.MaxPages = raw.MaxPages
	if s.MaxPages == 0 {
		s.MaxPages = DefaultMaxPages
	}
	if s.MaxPages < 1 || s.MaxPages > 1000 {
		v.fail("must be between 1 and 1000", "search", "max_pages")
	}
	s.QueriesPerRun = raw.QueriesPerRun
	if s.QueriesPerRun == 0 {
		s.QueriesPerRun = DefaultQueriesPerRun
	}
	if s.QueriesPerRun < 1 || s.QueriesPerRun > 10000 {
		v.fail("must be between 1 and 10000", "search", "queries_per_run")
	}
	p := raw.Pagination
	s.Pagination = Pagination{Next: p.Next, Start: 1, Step: 1}
	hasPage := strings.Contains(s.SearchURL, "{page}")
	if len(p.Next) > 0 && p.Page != nil {
		v.fail("set either next (a link to follow) or page (a URL parameter), not both", "search", "pagination")
	}
	if p.Page != nil {
		if !hasPage {
			v.fail("page pagination needs {page} in search.url", "search", "pagination", "page")
		}
		if p.Page.Start != nil {
			s.Pagination.Start = *p.Page.Start
		}
		if p.Page.Step != nil {
			s.Pagination.Step = *p.Page.Step
		}
		if s.Pagination.Step < 1 {
			v.fail("must be at least 1", "search", "pagination", "page", "step")
		}
	}
}

func (v *validator) fetch(s *Source, raw rawFetch) {
	if s.Parallelism == 0 {
		s.Parallelism = DefaultParallelism
	}
	if s.Parallelism < 1 || s.Parallelism > 64 {
		v.fail("must be between 1 and 64", "fetch", "parallelism")
	}
	s.Delay = v.duration(raw.Delay, DefaultDelay, "fetch", "delay")
	s.RandomDelay = v.duration(raw.RandomDelay, 0, "fetch", "random_delay")
	s.Timeout = v.duration(raw.Timeout, DefaultTimeout, "fetch", "timeout")
	if s.Timeout == 0 {
		v.fail("must be positive: a request without a timeout can hang a run", "fetch", "timeout")
	}
	s.RetryBaseDelay = v.duration(raw.RetryBaseDelay, DefaultRetryBaseDelay, "fetch", "retry_base_delay")
	s.MaxRetryWait = v.duration(raw.MaxRetryWait, DefaultMaxRetryWait, "fetch", "max_retry_wait")
	if raw.Retries != nil {
		s.Retries = *raw.Retries
	}
	if s.Retries < 0 || s.Retries > 10 {
		v.fail("must be between 0 and 10", "fetch", "retries")
	}
	if raw.RespectRobots != nil {
		s.RespectRobots = *raw.RespectRobots
	}
	if s.UserAgent == "" {
		s.UserAgent = DefaultUserAgent
	}
	if s.MaxBodyBytes == 0 {
		s.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if s.MaxBodyBytes < 1024 {
		v.fail("must be at least 1024", "fetch", "max_body_bytes")
	}
	for _, d := range s.AllowedDomains {
		if d == "" || strings.ContainsAny(d, ":/ ") {
			v.fail(fmt.Sprintf("%q: give host names only, without scheme or port", d), "fetch", "allowed_domains")
		}
	}
	for h, env := range s.HeadersFromEnv {
		if !headerPattern.MatchString(h) {
			v.fail(fmt.Sprintf("%q is not a valid header name", h), "fetch", "headers_from_env")
		}
		if !envPattern.MatchString(env) {
			v.fail(fmt.Sprintf("header %s: give the name of an environment variable, not the value (got %q)", h, env), "fetch", "headers_from_env")
		}
	}
	switch s.Render {
	case "":
		s.Render = RenderNone
	case RenderNone, RenderChromium:
	default:
		v.fail(fmt.Sprintf("must be none or chromium, got %q", s.Render), "fetch", "render")
	}
}

func (v *validator) extraction(s *Source, raw rawExtract) {
	switch {
	case raw.CSS != nil && raw.JSON != nil:
		v.fail("set either css or json, not both", "extract")
	case raw.CSS != nil:
		c := &CSSRules{Item: raw.CSS.Item, Fields: raw.CSS.Fields.fields()}
		if len(c.Item) == 0 {
			v.fail("is required: the selector of one listing", "extract", "css", "item")
		}
		for _, sel := range c.Item {
			if _, err := cascadia.Compile(sel); err != nil {
				v.fail(fmt.Sprintf("%q is not a valid CSS selector: %v", sel, err), "extract", "css", "item")
			}
		}
		v.fields(c.Fields, true, "css")
		for _, sel := range s.Pagination.Next {
			if css, _ := splitAttr(sel); css != "" {
				if _, err := cascadia.Compile(css); err != nil {
					v.fail(fmt.Sprintf("%q is not a valid CSS selector: %v", sel, err), "search", "pagination", "next")
				}
			}
		}
		if v.err == nil {
			m, err := compileCSS(c, s.Pagination.Next)
			if err != nil {
				v.fail(err.Error(), "extract", "css")
			}
			c.compiled = m
		}
		s.Extract.CSS = c
	case raw.JSON != nil:
		j := &JSONRules{Var: raw.JSON.Var, Items: raw.JSON.Items, Fields: raw.JSON.Fields.fields()}
		if j.Var != "" && !envPattern.MatchString(strings.ReplaceAll(j.Var, ".", "_")) {
			v.fail(fmt.Sprintf("%q is not a JavaScript variable name", j.Var), "extract", "json", "var")
		}
		if len(j.Items) == 0 {
			v.fail("is required: the dotted path to the array of listings, e.g. mods.itemlist.data.auctions", "extract", "json", "items")
		}
		v.fields(j.Fields, false, "json")
		s.Extract.JSON = j
	default:
		v.fail("is required: css (HTML pages) or json (a JSON API or JSON embedded in a page)", "extract")
	}
}

func (v *validator) fields(f Fields, css bool, kind string) {
	if len(f.Title) == 0 {
		v.fail("is required", "extract", kind, "fields", "title")
	}
	if len(f.URL) == 0 {
		v.fail("is required: a listing is identified by its URL", "extract", kind, "fields", "url")
	}
	if !css {
		return
	}
	f.each(func(name string, sels Selectors) {
		for i, sel := range sels {
			cssPart, _ := splitAttr(sel)
			if cssPart == "" {
				continue
			}
			if _, err := cascadia.Compile(cssPart); err != nil {
				v.fail(fmt.Sprintf("selector %d %q is not valid CSS: %v", i+1, sel, err), "extract", "css", "fields", name)
			}
		}
	})
}
