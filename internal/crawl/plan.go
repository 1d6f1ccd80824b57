package crawl

import (
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// variantsPerMark bounds the look-alike spellings planned per mark: the
// tables list up to a dozen alternatives per character, most never used.
const variantsPerMark = 6

// PlannedQuery is one search with the reason it was planned, for
// `markwatch crawl --plan`.
type PlannedQuery struct {
	Query  string `json:"query"`
	MarkID string `json:"mark_id"`
	Why    string `json:"why"` // name, form, goods, variant
}

// Plan lists the searches for one run of a source. Searches come from two
// pools, each in a fixed order and each read as a window that moves on with
// every run and wraps around:
//   - names and forms of every mark, which find the most look-alikes, get
//     half the budget, so each comes round every few runs;
//   - the name with each goods or product word, and look-alike spellings
//     of the name (one character swapped for a shape- or sound-alike), get
//     the rest.
//
// The same marks, budget and runIndex always give the same plan.
func Plan(marks []domain.Mark, budget, runIndex int) []PlannedQuery {
	primary, secondary := candidates(marks)
	if budget <= 0 || len(primary)+len(secondary) == 0 {
		return nil
	}
	if budget >= len(primary)+len(secondary) {
		return append(primary, secondary...)
	}
	nPrimary := min((budget+1)/2, len(primary))
	nSecondary := min(budget-nPrimary, len(secondary))
	nPrimary = min(budget-nSecondary, len(primary)) // give back what secondary cannot use
	return append(window(primary, nPrimary, runIndex), window(secondary, nSecondary, runIndex)...)
}

// window returns n entries starting at run·n, wrapping around.
func window(all []PlannedQuery, n, run int) []PlannedQuery {
	if n == 0 || len(all) == 0 {
		return nil
	}
	start := (run % len(all)) * n % len(all)
	if start < 0 {
		start += len(all)
	}
	out := make([]PlannedQuery, 0, n)
	for i := range n {
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
func candidates(marks []domain.Mark) (primary, secondary []PlannedQuery) {
	seen := map[string]bool{}
	add := func(pool *[]PlannedQuery, q, markID, why string) {
		q = strings.Join(strings.Fields(q), " ")
		key := strings.ReplaceAll(q, " ", "")
		if q == "" || seen[key] {
			return
		}
		seen[key] = true
		*pool = append(*pool, PlannedQuery{Query: q, MarkID: markID, Why: why})
	}
	for _, m := range marks {
		add(&primary, m.Name, m.ID, "name")
	}
	for _, m := range marks {
		for _, f := range m.Forms {
			// A Latin form alone (GWM, Lucky) finds mostly other goods.
			if !isASCII(f) {
				add(&primary, f, m.ID, "form")
			}
		}
	}
	// Goods words and variants in turns, mark by mark, so neither kind
	// waits for the other to be exhausted. A goods word the name already
	// contains adds nothing (迁西板栗 + 板栗).
	vars := make([][]string, len(marks))
	for i, m := range marks {
		vars[i] = variants(m.Name, variantsPerMark)
	}
	for depth := 0; ; depth++ {
		added := false
		for i, m := range marks {
			if words := goodsWords(m); depth < len(words) {
				added = true
				if !strings.Contains(m.Name, words[depth]) {
					add(&secondary, m.Name+" "+words[depth], m.ID, "goods")
				}
			}
			if depth < len(vars[i]) {
				added = true
				add(&secondary, vars[i][depth], m.ID, "variant")
			}
		}
		if !added {
			break
		}
	}
	return primary, secondary
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
