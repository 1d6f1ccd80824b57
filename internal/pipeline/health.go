package pipeline

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// RunHistory gives the runs a new run's selector health is held against.
// The store's RecentHealthyRuns: succeeded, not degraded, health recorded,
// newest first.
type RunHistory interface {
	RecentHealthyRuns(ctx context.Context, sourceID string, n int) ([]domain.CrawlRun, error)
}

// Thresholds of the degradation rule (see judgeHealth).
const (
	// healthHistory is how many recent healthy runs are the yardstick: a
	// few, so one odd day does not move it and a real change of the
	// marketplace's stock becomes the norm within the hour.
	healthHistory = 5
	// dropFactor: listings per page below this share of the recent median
	// is a drop. Half: result counts vary by query and day, but a layout
	// change takes most or all of them.
	dropFactor = 0.5
	// A field is "usually filled" when at least wasFilled of the recent
	// runs' listings had it, and "empty now" when under nowFilled of this
	// run's do (empty but for a few stragglers read another way).
	wasFilled = 0.8
	nowFilled = 0.2
)

// judgeHealth returns why run h is degraded against the source's recent
// healthy runs, naming the selectors that stopped matching; none when it is
// not. The rule:
//
//   - any page read by auto-detection (its item selectors found nothing
//     there) flags the run, history or not: the definition has gone stale
//     even though the listings are still being found;
//   - with at least one recent run: listings per page below half the recent
//     median (this covers pages fetched but no listings at all);
//   - with at least one recent run: a field filled in ≥ 80% of the recent
//     runs' listings and in < 20% of this run's.
//
// Selectors "stopped matching" when they matched nothing on any page of this
// run but did match in every recent run (all of this run's unmatched ones
// when there is no history): a fallback selector for another era of the site
// that never matches is not news.
func judgeHealth(h *domain.RunHealth, recent []domain.CrawlRun) []string {
	if h == nil || h.Pages == 0 {
		return nil
	}
	var usual []*domain.RunHealth
	for _, r := range recent {
		if r.Health != nil && r.Health.Pages > 0 {
			usual = append(usual, r.Health)
		}
	}
	stopped := stoppedMatching(h, usual)
	named := map[string]bool{}
	var reasons []string

	if h.PagesAuto > 0 {
		items := withPrefix(stopped, "item: ", "items: ")
		if len(items) == 0 {
			items = withPrefix(h.Unmatched, "item: ", "items: ")
		}
		for _, s := range items {
			named[s] = true
		}
		r := fmt.Sprintf("%d of %d pages read by auto-detection", h.PagesAuto, h.Pages)
		if len(items) > 0 {
			r = fmt.Sprintf("item selector %s matched nothing: %s", quoteSelectors(items), r)
		} else {
			r += ": the item selectors found no listing with a title and URL"
		}
		if len(h.AutoItems) > 0 {
			r += " (listings found as " + strings.Join(h.AutoItems, ", ") + ")"
		}
		reasons = append(reasons, r)
	}

	if len(usual) > 0 {
		perPage := make([]float64, len(usual))
		for i, u := range usual {
			perPage[i] = u.ListingsPerPage
		}
		if med := median(perPage); med > 0 && h.ListingsPerPage < dropFactor*med {
			r := fmt.Sprintf("listings per page fell to %.1f from a recent median of %.1f", h.ListingsPerPage, med)
			if h.PagesEmpty > 0 {
				r += fmt.Sprintf(" (%d of %d pages fetched gave no listings)", h.PagesEmpty, h.Pages)
			}
			reasons = append(reasons, r)
		}

		if h.Listings > 0 {
			for _, f := range domain.HealthFields() {
				was, n := 0, 0
				for _, u := range usual {
					was += u.Listings - u.EmptyFields[f]
					n += u.Listings
				}
				if n == 0 || float64(was) < wasFilled*float64(n) {
					continue
				}
				now := h.Listings - h.EmptyFields[f]
				if float64(now) >= nowFilled*float64(h.Listings) {
					continue
				}
				r := fmt.Sprintf("field %s empty in %d of %d listings (filled in %.0f%% of recent runs' listings)",
					f, h.EmptyFields[f], h.Listings, 100*float64(was)/float64(n))
				if sels := withPrefix(stopped, f+": "); len(sels) > 0 {
					for _, s := range sels {
						named[s] = true
					}
					r += ": selector " + quoteSelectors(sels) + " stopped matching"
				}
				reasons = append(reasons, r)
			}
		}
	}

	if len(reasons) == 0 {
		return nil
	}
	var rest []string
	for _, s := range stopped {
		if !named[s] {
			rest = append(rest, s)
		}
	}
	if len(rest) > 0 {
		reasons = append(reasons, "also stopped matching: "+quoteSelectors(rest))
	}
	return reasons
}

// stoppedMatching returns this run's unmatched selectors that matched in
// every recent run; all of them when there is no recent run.
func stoppedMatching(h *domain.RunHealth, usual []*domain.RunHealth) []string {
	var out []string
	for _, s := range h.Unmatched {
		before := false
		for _, u := range usual {
			if slices.Contains(u.Unmatched, s) {
				before = true
				break
			}
		}
		if !before {
			out = append(out, s)
		}
	}
	return out
}

// withPrefix returns the "field: selector" entries of the given fields.
func withPrefix(sels []string, prefixes ...string) []string {
	var out []string
	for _, s := range sels {
		for _, p := range prefixes {
			if strings.HasPrefix(s, p) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// quoteSelectors shows "field: selector" entries as their selectors, quoted.
func quoteSelectors(sels []string) string {
	q := make([]string, len(sels))
	for i, s := range sels {
		_, sel, ok := strings.Cut(s, ": ")
		if !ok {
			sel = s
		}
		q[i] = fmt.Sprintf("%q", sel)
	}
	return strings.Join(q, ", ")
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
