package crawl

import (
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// PlannedQuery is one search with the reason it was planned, for
// `markwatch crawl --plan`.
type PlannedQuery struct {
	Query  string `json:"query"`
	MarkID string `json:"mark_id"`
	Why    string `json:"why"` // name, form, goods
}

// Plan lists the searches for one run of a source: budget queries taken from
// a fixed ordering of every useful search, starting where the previous run
// (runIndex-1) stopped and wrapping around. The ordering is by tier — every
// mark's name, then its other forms, then the name with each goods or
// product word — so the names, which find the most look-alikes, come round
// most often, and every mark is reached within a few runs. The same inputs
// always give the same plan.
func Plan(marks []domain.Mark, budget, runIndex int) []PlannedQuery {
	all := candidates(marks)
	if budget <= 0 || len(all) == 0 {
		return nil
	}
	if budget >= len(all) {
		return all
	}
	start := (runIndex % len(all)) * budget % len(all)
	if start < 0 {
		start += len(all)
	}
	out := make([]PlannedQuery, 0, budget)
	for i := range budget {
		out = append(out, all[(start+i)%len(all)])
	}
	return out
}

// PlanQueries is Plan's queries alone.
func PlanQueries(marks []domain.Mark, budget, runIndex int) []string {
	plan := Plan(marks, budget, runIndex)
	out := make([]string, len(plan))
	for i, p := range plan {
		out[i] = p.Query
	}
	return out
}

// candidates orders every search worth making, without duplicates (two
// marks can share a form, and 长城 葡萄酒 is also the mark 长城葡萄酒).
func candidates(marks []domain.Mark) []PlannedQuery {
	var out []PlannedQuery
	seen := map[string]bool{}
	add := func(q, markID, why string) {
		q = strings.Join(strings.Fields(q), " ")
		key := strings.ReplaceAll(q, " ", "")
		if q == "" || seen[key] {
			return
		}
		seen[key] = true
		out = append(out, PlannedQuery{Query: q, MarkID: markID, Why: why})
	}
	for _, m := range marks {
		add(m.Name, m.ID, "name")
	}
	for _, m := range marks {
		for _, f := range m.Forms {
			// A Latin form alone (GWM, Lucky) finds mostly other goods; it
			// is searched with the goods words below instead.
			if isASCII(f) {
				continue
			}
			add(f, m.ID, "form")
		}
	}
	// Goods words in registry order: the first ones are the typical goods.
	// A word the name already contains adds nothing (迁西板栗 + 板栗).
	for depth := 0; ; depth++ {
		added := false
		for _, m := range marks {
			words := goodsWords(m)
			if depth >= len(words) {
				continue
			}
			added = true
			w := words[depth]
			if strings.Contains(m.Name, w) {
				continue
			}
			add(m.Name+" "+w, m.ID, "goods")
		}
		if !added {
			break
		}
	}
	return out
}

func goodsWords(m domain.Mark) []string {
	if m.Kind == domain.KindGI {
		return m.Product
	}
	return m.Goods
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
