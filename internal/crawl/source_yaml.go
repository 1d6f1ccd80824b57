package crawl

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// rawSource mirrors the YAML layout. Durations stay strings here so that
// validation can report them with their line; KnownFields rejects typos.
type rawSource struct {
	ID       string       `yaml:"id"`
	Name     string       `yaml:"name"`
	Platform string       `yaml:"platform"`
	BaseURL  string       `yaml:"base_url"`
	Schedule string       `yaml:"schedule"`
	Search   rawSearch    `yaml:"search"`
	Fetch    rawFetch     `yaml:"fetch"`
	Extract  rawExtract   `yaml:"extract"`
	Detail   *rawDetail   `yaml:"detail"`
	Evidence *rawEvidence `yaml:"evidence"`
	Identity *rawIdentity `yaml:"identity"`
	Images   *rawImages   `yaml:"images"`
}

// rawImages is the optional images block:
//
//	images:
//	  fetch: true          # fetch each listing's image_url and hash it (the
//	                       # image signal); through the source's politeness
//	  max_bytes: 2097152   # per image; default 2 MiB, at most 16 MiB. A larger
//	                       # image is a counted failure, the listing still goes out
type rawImages struct {
	Fetch    bool  `yaml:"fetch"`
	MaxBytes int64 `yaml:"max_bytes"`
}

// rawIdentity is the optional identity block: how an offer's identity is
// read from its URL, so one offer reached through several URL forms raises
// one alert per mark.
//
//	identity:
//	  pattern: 'item\.jd\.com/(\d+)\.html'  # Go regexps (one or a list) tried on
//	                          # the canonical URL without its scheme; the first
//	                          # group (or the group named id) is the item id and
//	                          # the identity is "platform:id"
//	  param: id               # else: the query parameter holding the item id
//	  keep_params: [id, skuId] # parameters that tell offers apart; all others are
//	                          # dropped from the canonical URL (default: only
//	                          # tracking parameters such as utm_*, spm, pvid)
//	  hosts: {m.jd.com: item.jd.com}  # host variants and the host they stand for
//	  https: true             # http and https are the same page
//
// Without a pattern or param match the canonical URL is the identity.
type rawIdentity struct {
	Pattern    Selectors         `yaml:"pattern"`
	Param      string            `yaml:"param"`
	KeepParams []string          `yaml:"keep_params"`
	Hosts      map[string]string `yaml:"hosts"`
	HTTPS      bool              `yaml:"https"`
}

// rawEvidence is the optional evidence block:
//
//	evidence:
//	  screenshot: true        # also capture a full-page screenshot (PNG) and an
//	                          # MHTML snapshot of each new alert's listing page with
//	                          # headless Chromium (a capture job; needs chromium).
//	                          # Default false: the raw page bytes are kept anyway.
//	  recheck: "0 */6 * * *"  # cron spec (5 or 6 fields, descriptors such as
//	                          # @daily, CRON_TZ=Asia/Shanghai prefix) on which open
//	                          # and confirmed alerts of the source are fetched again:
//	                          # 404/410 or 已下架-style text records the listing as
//	                          # removed, changed title/price/seller/image as a new
//	                          # version. Empty: no rechecks.
//
// Unknown keys are refused, and so is a recheck spec the scheduler's cron
// parser does not accept.
type rawEvidence struct {
	Screenshot bool   `yaml:"screenshot"`
	Recheck    string `yaml:"recheck"`
}

type rawDetail struct {
	MaxPerRun int       `yaml:"max_per_run"`
	Fields    rawFields `yaml:"fields"`
}

type rawSearch struct {
	URL           string        `yaml:"url"`
	QueryEncoding string        `yaml:"query_encoding"`
	Pagination    rawPagination `yaml:"pagination"`
	MaxPages      int           `yaml:"max_pages"`
	QueriesPerRun int           `yaml:"queries_per_run"`
}

type rawPagination struct {
	Next Selectors `yaml:"next"`
	Page *rawPage  `yaml:"page"`
}

type rawPage struct {
	Start *int `yaml:"start"`
	Step  *int `yaml:"step"`
}

type rawFetch struct {
	AllowedDomains []string          `yaml:"allowed_domains"`
	Parallelism    int               `yaml:"parallelism"`
	Delay          string            `yaml:"delay"`
	RandomDelay    string            `yaml:"random_delay"`
	UserAgent      string            `yaml:"user_agent"`
	Timeout        string            `yaml:"timeout"`
	MaxBodyBytes   int64             `yaml:"max_body_bytes"`
	RespectRobots  *bool             `yaml:"respect_robots"`
	HeadersFromEnv map[string]string `yaml:"headers_from_env"`
	Render         string            `yaml:"render"`
	Retries        *int              `yaml:"retries"`
	RetryBaseDelay string            `yaml:"retry_base_delay"`
	MaxRetryWait   string            `yaml:"max_retry_wait"`
}

type rawExtract struct {
	CSS  *rawCSS  `yaml:"css"`
	JSON *rawJSON `yaml:"json"`
}

type rawCSS struct {
	Item   Selectors `yaml:"item"`
	Fields rawFields `yaml:"fields"`
}

type rawJSON struct {
	Var    string    `yaml:"var"`
	Items  Selectors `yaml:"items"`
	Fields rawFields `yaml:"fields"`
}

type rawFields struct {
	Title    Selectors `yaml:"title"`
	Price    Selectors `yaml:"price"`
	Seller   Selectors `yaml:"seller"`
	Location Selectors `yaml:"location"`
	URL      Selectors `yaml:"url"`
	Image    Selectors `yaml:"image"`
}

func (f rawFields) fields() Fields {
	return Fields(f)
}

// UnmarshalYAML accepts one selector or a list of fallbacks.
func (s *Selectors) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Value == "" {
			*s = nil
			return nil
		}
		*s = Selectors{n.Value}
		return nil
	case yaml.SequenceNode:
		out := make(Selectors, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: a selector must be a string", c.Line)
			}
			out = append(out, c.Value)
		}
		*s = out
		return nil
	}
	return fmt.Errorf("line %d: selectors must be a string or a list of strings", n.Line)
}

// lineOf returns the line of the value at a dotted key path in a YAML
// document, or the nearest ancestor's line when the key is absent, so every
// validation error can point somewhere useful.
func lineOf(root *yaml.Node, path ...string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, key := range path {
		if n.Kind != yaml.MappingNode {
			return line
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				line = n.Content[i].Line
				n = n.Content[i+1]
				found = true
				break
			}
		}
		if !found {
			return line
		}
	}
	return line
}
