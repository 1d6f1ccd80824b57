package crawl

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// identity checks the identity block: patterns must compile (Go RE2
// syntax), hosts must be bare host names, and a param must survive
// keep_params.
func (v *validator) identity(s *Source, raw *rawIdentity) {
	if raw == nil {
		return
	}
	r := IdentityRules{Param: strings.TrimSpace(raw.Param), HTTPS: raw.HTTPS}
	for i, p := range raw.Pattern {
		re, err := regexp.Compile(p)
		if err != nil {
			v.fail(fmt.Sprintf("pattern %d %q is not a valid regular expression: %v", i+1, p, err), "identity", "pattern")
			return
		}
		if re.NumSubexp() == 0 {
			v.fail(fmt.Sprintf("pattern %d %q has no group: put the item id in parentheses, e.g. item\\.jd\\.com/(\\d+)\\.html", i+1, p), "identity", "pattern")
			return
		}
		r.Patterns = append(r.Patterns, re)
	}
	for _, k := range raw.KeepParams {
		if strings.TrimSpace(k) == "" || strings.ContainsAny(k, "=&?# ") {
			v.fail(fmt.Sprintf("%q is not a query parameter name", k), "identity", "keep_params")
			return
		}
		r.KeepParams = append(r.KeepParams, k)
	}
	if r.Param != "" && len(r.KeepParams) > 0 && !slices.Contains(r.KeepParams, r.Param) {
		v.fail(fmt.Sprintf("param %q must be one of keep_params %v, or it is dropped before it is read", r.Param, r.KeepParams), "identity", "param")
		return
	}
	if len(raw.Hosts) > 0 {
		r.Hosts = make(map[string]string, len(raw.Hosts))
	}
	for from, to := range raw.Hosts {
		for _, h := range []string{from, to} {
			if h == "" || strings.ContainsAny(h, ":/?#@ ") {
				v.fail(fmt.Sprintf("%q: give host names only, without scheme or port", h), "identity", "hosts")
				return
			}
		}
		r.Hosts[strings.ToLower(from)] = strings.ToLower(to)
	}
	s.IdentityRules = r
}
