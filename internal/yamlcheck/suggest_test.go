package yamlcheck

import "testing"

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "kind", 4},
		{"kind", "", 4},
		{"kind", "kind", 0},
		{"kidn", "kind", 2},             // a swap is two edits
		{"classe", "classes", 1},        // one left out
		{"well_knwon", "well_known", 2}, // swap
		{"listen", "listne", 2},
		{"product", "goods", 5},
		// Bytes, not characters: 老 and 字 are three bytes each in UTF-8 and
		// differ in every byte.
		{"老字号", "老号", 3},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := editDistance(tt.b, tt.a); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d (not symmetric)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	markFields := []string{"id", "name", "kind", "owner", "well_known", "classes", "goods", "product", "origin", "forms", "generic", "exclude", "authorized_sellers"}
	envSuffixes := []string{"HTTP_LISTEN", "MEILISEARCH_URL", "MEILISEARCH_API_KEY", "LOG_LEVEL"}
	tests := []struct {
		name  string
		got   string
		known []string
		want  string
	}{
		{"typo in a mark field", "clases", markFields, "classes"},
		{"swapped letters", "nmae", markFields, "name"},
		{"plural for singular", "form", markFields, "forms"},
		{"long name with a slip", "authorised_sellers", markFields, "authorized_sellers"},
		{"environment variable missing an underscore", "MEILISEARCH_APIKEY", envSuffixes, "MEILISEARCH_API_KEY"},
		{"exact name is its own suggestion", "owner", markFields, "owner"},
		{"nothing near enough", "商标", markFields, ""},
		{"unrelated word", "trademark_office", markFields, ""},
		{"no known names", "kind", nil, ""},
		// "kidn" is two edits from both "id" and "kind"; the first listed wins.
		{"ties go to the first listed", "kidn", markFields, "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Closest(tt.got, tt.known); got != tt.want {
				t.Errorf("Closest(%q) = %q, want %q", tt.got, got, tt.want)
			}
		})
	}
}
