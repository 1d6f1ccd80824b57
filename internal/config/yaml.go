package config

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/markwatch/markwatch/internal/yamlcheck"
)

// decoder overlays one YAML file onto a Config, strictly, recording where
// every value came from.
type decoder struct {
	file    string
	ps      *problems
	origins map[string]string
}

func (d *decoder) at(n *yaml.Node) string { return d.atLine(n.Line) }

func (d *decoder) atLine(line int) string { return fmt.Sprintf("%s:%d", d.file, line) }

// overlay decodes data onto c. A field absent from data keeps its value, so
// files only need to state what they change.
func (d *decoder) overlay(c *Config, data []byte) {
	root, err := yamlcheck.Document(data)
	var syntax *yamlcheck.SyntaxError
	var extra *yamlcheck.ExtraDocumentError
	switch {
	case err == nil:
	case errors.Is(err, yamlcheck.ErrNoDocument):
		return // an empty file changes nothing
	case errors.As(err, &syntax) && syntax.Line > 0:
		// yaml.v3 sometimes names the line where the enclosing block
		// starts, hence "near".
		d.ps.add(d.atLine(syntax.Line), "", "invalid YAML near here: %s", syntax.Msg)
		return
	case errors.As(err, &extra):
		d.ps.add(d.atLine(extra.Line), "", "a second YAML document starts here; the configuration is one document")
		return
	default:
		d.ps.add(d.file, "", "invalid YAML: %v", err)
		return
	}
	d.value(root, reflect.ValueOf(c).Elem(), "")
}

// value decodes n into v, whose dotted path is path.
func (d *decoder) value(n *yaml.Node, v reflect.Value, path string) {
	n = yamlcheck.Deref(n)
	switch {
	case v.Kind() == reflect.Struct:
		d.mapping(n, v, path)
		return
	case v.Kind() == reflect.Slice:
		d.list(n, v, path)
		return
	}
	if n.Kind != yaml.ScalarNode {
		d.ps.add(d.at(n), path, "must be a single value, not %s", yamlcheck.Shape(n))
		return
	}
	d.origins[path] = d.at(n)
	if err := setScalar(v, n.Value, n.Tag); err != nil {
		d.ps.add(d.at(n), path, "%v", err)
	}
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // "log:" with nothing under it changes nothing
	}
	if n.Kind != yaml.MappingNode {
		d.ps.add(d.at(n), path, "must be a mapping of fields, not %s", yamlcheck.Shape(n))
		return
	}
	if strings.HasSuffix(path, "]") {
		d.origins[path] = d.at(n) // a list item, for fields it lacks
	}
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := yamlcheck.Deref(n.Content[i]), n.Content[i+1]
		name := joinPath(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			d.ps.add(d.at(k), name, "given twice (first at line %d); keep one", first)
			continue
		}
		seen[k.Value] = k.Line
		fv, ok := fieldByName(v, k.Value)
		if !ok {
			known := fieldNames(v.Type())
			if s := yamlcheck.Closest(k.Value, known); s != "" {
				d.ps.add(d.at(k), name, "unknown field; did you mean %q?", joinPath(path, s))
			} else {
				d.ps.add(d.at(k), name, "unknown field; known fields here are %s", strings.Join(known, ", "))
			}
			continue
		}
		d.value(val, fv, name)
	}
}

// list replaces a slice: a list in an overlay is the whole list, not an
// addition, so an operator can remove entries.
func (d *decoder) list(n *yaml.Node, v reflect.Value, path string) {
	d.origins[path] = d.at(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" || n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		v.Set(reflect.Zero(v.Type()))
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.ps.add(d.at(n), path, "must be a list (items starting with \"- \"), not %s", yamlcheck.Shape(n))
		return
	}
	out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.value(item, out.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(out)
}

// setScalar parses text into v by v's type. tag is the YAML tag, or "" for
// environment values, which have none.
func setScalar(v reflect.Value, text, tag string) error {
	if v.Type() == durationType {
		if tag != "" && tag != "!!str" {
			return fmt.Errorf("%q is not a duration; write a Go duration with a unit like 10s or 1m30s", text)
		}
		dur, err := time.ParseDuration(text)
		if err != nil {
			return fmt.Errorf("%q is not a duration; write a Go duration with a unit like 10s or 1m30s", text)
		}
		v.SetInt(int64(dur))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		if tag == "!!null" {
			text = ""
		}
		v.SetString(text)
	case reflect.Bool:
		b, err := strconv.ParseBool(text)
		if (tag != "" && tag != "!!bool") || err != nil {
			return fmt.Errorf("%q is not a boolean; write true or false", text)
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		i, err := strconv.ParseInt(text, 10, 64)
		if (tag != "" && tag != "!!int") || err != nil {
			return fmt.Errorf("%q is not a whole number", text)
		}
		v.SetInt(i)
	case reflect.Float64:
		f, err := strconv.ParseFloat(text, 64)
		if (tag != "" && tag != "!!int" && tag != "!!float") || err != nil {
			return fmt.Errorf("%q is not a number", text)
		}
		v.SetFloat(f)
	default:
		// Only reachable if Config gains a field of a new type.
		return fmt.Errorf("markwatch cannot read fields of type %s; this is a bug", v.Type())
	}
	return nil
}
