package store

import (
	"context"
	"fmt"

	"github.com/markwatch/markwatch/internal/domain"
)

// The columns CountAlertFacets counts by, and the score bands as the hit
// index names them (index.ScoreBands): the top band takes 1 in.
const alertScoreBand = `CASE WHEN score >= 0.9 THEN '90-100' WHEN score >= 0.8 THEN '80-90' WHEN score >= 0.7 THEN '70-80' ELSE '0-70' END`

var alertFacetColumns = []struct{ facet, expr string }{
	{"mark", "mark_id"}, {"source", "source_id"}, {"score", alertScoreBand}, {"location", "location"},
}

// CountAlertFacets counts the alerts f selects by mark, source, score band
// and seller location (the API takes provinces from it), one GROUP BY each
// under the whole filter and the scope, as the hit index counts its facets.
func (db *DB) CountAlertFacets(ctx context.Context, f domain.AlertFilter) (map[string]map[string]int, error) {
	q, err := buildAlertQuery(f, true)
	if err != nil {
		return nil, fmt.Errorf("counting alerts by facet: %w", err)
	}
	out := make(map[string]map[string]int, len(alertFacetColumns))
	for _, c := range alertFacetColumns {
		rows, err := db.sql.QueryContext(ctx, "SELECT "+c.expr+", count(*) FROM alerts"+q.where+" GROUP BY 1", q.args...)
		if err != nil {
			return nil, fmt.Errorf("counting alerts by %s: %w", c.facet, err)
		}
		n := map[string]int{}
		for rows.Next() {
			var v string
			var k int
			if err := rows.Scan(&v, &k); err != nil {
				rows.Close()
				return nil, fmt.Errorf("counting alerts by %s: %w", c.facet, err)
			}
			n[v] += k
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("counting alerts by %s: %w", c.facet, err)
		}
		out[c.facet] = n
	}
	return out, nil
}
