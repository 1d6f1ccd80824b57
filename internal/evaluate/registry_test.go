package evaluate

import (
	"fmt"
	"os"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/markwatch/markwatch/internal/domain"
)

// loadRegistry parses the evaluation registry for tests; the daemon uses the
// strict loader in internal/registry.
func loadRegistry(t testing.TB, path string) []domain.Mark {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading registry: %v", err)
	}
	var doc struct {
		Version int `yaml:"version"`
		Marks   []struct {
			ID                string   `yaml:"id"`
			Name              string   `yaml:"name"`
			Kind              string   `yaml:"kind"`
			Owner             string   `yaml:"owner"`
			WellKnown         bool     `yaml:"well_known"`
			Classes           []int    `yaml:"classes"`
			Goods             []string `yaml:"goods"`
			Product           []string `yaml:"product"`
			Forms             []string `yaml:"forms"`
			Generic           []string `yaml:"generic"`
			Exclude           []string `yaml:"exclude"`
			AuthorizedSellers []string `yaml:"authorized_sellers"`
			Origin            struct {
				Places          []string `yaml:"places"`
				SellerLocations []string `yaml:"seller_locations"`
			} `yaml:"origin"`
		} `yaml:"marks"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("parsing registry: %v", err)
	}
	var out []domain.Mark
	for _, m := range doc.Marks {
		out = append(out, domain.Mark{
			ID: m.ID, Name: m.Name, Kind: domain.MarkKind(m.Kind), Owner: m.Owner, WellKnown: m.WellKnown,
			Classes: m.Classes, Goods: m.Goods, Product: m.Product, Forms: m.Forms, Generic: m.Generic,
			Exclude: m.Exclude, AuthorizedSellers: m.AuthorizedSellers,
			Origin: domain.Origin{Places: m.Origin.Places, SellerLocations: m.Origin.SellerLocations},
		})
	}
	if len(out) == 0 {
		panic(fmt.Sprintf("no marks in %s", path))
	}
	return out
}
