package yamlcheck

import (
	"testing"

	"gopkg.in/yaml.v3"
)

func TestShapeAndDeref(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{"mapping", "name: 露露\nkind: trademark\n", "a mapping"},
		{"flow mapping", "{name: 今麦郎}", "a mapping"},
		{"list", "- 老白干\n- 衡水老白干\n", "a list"},
		{"flow list", "[30, 32]", "a list"},
		{"text", "驴肉火烧", "a single value"},
		{"number", "45", "a single value"},
		{"secret is not quoted", "sk-live-0123456789", "a single value"},
		{"null", "~", "empty"},
		{"alias to a list", "places: &p [沧州, 泊头]\norigin: *p\n", "a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tt.doc), &doc); err != nil {
				t.Fatal(err)
			}
			n := doc.Content[0]
			if tt.name == "alias to a list" {
				n = n.Content[3] // the value of origin, an alias
				if n.Kind != yaml.AliasNode {
					t.Fatalf("origin is %v, want an alias", n.Kind)
				}
			}
			if got := Shape(Deref(n)); got != tt.want {
				t.Errorf("Shape = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDerefFollowsChainsAndNil(t *testing.T) {
	if Deref(nil) != nil {
		t.Error("Deref(nil) is not nil")
	}
	target := &yaml.Node{Kind: yaml.ScalarNode, Value: "老字号"}
	a := &yaml.Node{Kind: yaml.AliasNode, Alias: target}
	b := &yaml.Node{Kind: yaml.AliasNode, Alias: a}
	if got := Deref(b); got != target {
		t.Errorf("Deref of an alias of an alias = %v, want the anchored scalar", got)
	}
	if got := Deref(target); got != target {
		t.Error("Deref of a plain node is not the node itself")
	}
}

func TestShapeUnsupported(t *testing.T) {
	if got := Shape(&yaml.Node{Kind: yaml.AliasNode}); got != "an unsupported YAML node" {
		t.Errorf("Shape of an unfollowed alias = %q", got)
	}
}
