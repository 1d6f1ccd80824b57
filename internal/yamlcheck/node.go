package yamlcheck

import "gopkg.in/yaml.v3"

// Deref follows YAML aliases (*name) to the anchored node, so an operator may
// share a value between places with anchors.
func Deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// Shape names a node's shape for "must be X, not Y" messages. It never
// quotes a value: a secret or a webhook URL with its token, put where a
// section was expected, must not end up in an error and then in a log.
// A reader whose values are not secret may quote scalars itself.
func Shape(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "empty"
		}
		return "a single value"
	}
	return "an unsupported YAML node"
}
