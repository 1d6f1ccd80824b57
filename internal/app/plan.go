package app

import "github.com/markwatch/markwatch/internal/domain"

// queryBudget is how many searches one run of a source makes.
const queryBudget = 24

// planQueries picks this run's searches: each mark's name and forms, rotating
// through the registry across runs so every mark is searched in turn.
func planQueries(marks []domain.Mark, budget, run int) []string {
	var all []string
	seen := map[string]bool{}
	for _, m := range marks {
		for _, q := range append([]string{m.Name}, m.Forms...) {
			if !seen[q] {
				seen[q] = true
				all = append(all, q)
			}
		}
	}
	if len(all) <= budget {
		return all
	}
	out := make([]string, 0, budget)
	start := (run * budget) % len(all)
	for i := 0; i < budget; i++ {
		out = append(out, all[(start+i)%len(all)])
	}
	return out
}
