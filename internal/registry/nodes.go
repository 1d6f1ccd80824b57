package registry

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/markwatch/markwatch/internal/yamlcheck"
)

// These helpers read typed values out of yaml.Nodes, reporting problems with
// the node's line instead of failing, so one pass finds everything wrong.

// describe names a node's shape for "must be X, not Y" messages. Unlike
// yamlcheck.Shape it quotes scalars: a registry holds public names of marks
// and places, and seeing the value tells the operator which entry is wrong.
func describe(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return fmt.Sprintf("%q", n.Value)
	}
	return yamlcheck.Shape(n)
}

// field is one key of a mapping with its value.
type field struct {
	key  string
	line int
	val  *yaml.Node
}

// fields lists a mapping's keys in order, reporting repeated keys (YAML would
// keep only the last, silently dropping the first).
func fields(ps *problems, n *yaml.Node, mark, prefix string) []field {
	out := make([]field, 0, len(n.Content)/2)
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := yamlcheck.Deref(n.Content[i]), yamlcheck.Deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			ps.add(k.Line, mark, prefix, "keys must be plain field names, not %s", describe(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			ps.add(k.Line, mark, prefix+k.Value, "given twice (first at line %d); keep one", first)
			continue
		}
		seen[k.Value] = k.Line
		out = append(out, field{key: k.Value, line: k.Line, val: v})
	}
	return out
}

// text reads a non-empty scalar without surrounding spaces; the matcher
// compares strings exactly, so stray spaces would make an entry never match.
func text(ps *problems, n *yaml.Node, mark, name string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		ps.add(n.Line, mark, name, "must be a text value, not %s", describe(n))
		return "", false
	}
	if n.Tag == "!!null" || n.Value == "" {
		ps.add(n.Line, mark, name, "must not be empty; remove it or give a value")
		return "", false
	}
	if strings.TrimSpace(n.Value) != n.Value {
		ps.add(n.Line, mark, name, "%q has leading or trailing spaces; remove them", n.Value)
		return "", false
	}
	return n.Value, true
}

// textList reads a list of texts, rejecting empty entries and repeats.
func textList(ps *problems, n *yaml.Node, mark, name string) []string {
	if n.Kind != yaml.SequenceNode {
		ps.add(n.Line, mark, name, "must be a list like [a, b], not %s", describe(n))
		return nil
	}
	if len(n.Content) == 0 {
		return nil
	}
	out := make([]string, 0, len(n.Content))
	seen := make(map[string]int, len(n.Content))
	for i, item := range n.Content {
		item = yamlcheck.Deref(item)
		s, ok := text(ps, item, mark, fmt.Sprintf("%s[%d]", name, i))
		if !ok {
			continue
		}
		if first, dup := seen[s]; dup {
			ps.add(item.Line, mark, fmt.Sprintf("%s[%d]", name, i), "%q is listed twice (first at line %d); keep one", s, first)
			continue
		}
		seen[s] = item.Line
		out = append(out, s)
	}
	return out
}

// boolean reads true or false; YAML 1.2 has no yes/no booleans, and a quoted
// "true" is text, both of which an operator should hear about.
func boolean(ps *problems, n *yaml.Node, mark, name string) bool {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		ps.add(n.Line, mark, name, "must be true or false, not %s", describe(n))
		return false
	}
	b, err := strconv.ParseBool(n.Value)
	if err != nil {
		ps.add(n.Line, mark, name, "must be true or false, not %q", n.Value)
	}
	return b
}

// niceClasses reads Nice classification numbers, which run from 1 to 45.
func niceClasses(ps *problems, n *yaml.Node, mark, name string) []int {
	if n.Kind != yaml.SequenceNode {
		ps.add(n.Line, mark, name, "must be a list of Nice class numbers like [30, 32], not %s", describe(n))
		return nil
	}
	if len(n.Content) == 0 {
		return nil
	}
	out := make([]int, 0, len(n.Content))
	for i, item := range n.Content {
		item = yamlcheck.Deref(item)
		elem := fmt.Sprintf("%s[%d]", name, i)
		c, err := strconv.Atoi(item.Value)
		if item.Kind != yaml.ScalarNode || item.Tag != "!!int" || err != nil {
			ps.add(item.Line, mark, elem, "must be a Nice class number from 1 to 45, not %s", describe(item))
			continue
		}
		if c < 1 || c > 45 {
			ps.add(item.Line, mark, elem, "Nice classes run from 1 to 45, not %d", c)
			continue
		}
		out = append(out, c)
	}
	return out
}

// unknownField reports a key the format does not have, with a suggestion.
func unknownField(ps *problems, f field, mark, name string, known []string) {
	if s := yamlcheck.Closest(f.key, known); s != "" {
		ps.add(f.line, mark, name, "unknown field; did you mean %q?", s)
		return
	}
	ps.add(f.line, mark, name, "unknown field; known fields are %s", strings.Join(known, ", "))
}
