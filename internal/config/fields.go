package config

import (
	"reflect"
	"strings"
	"time"
)

// The decoder, the environment overrides and the log encoder all walk Config
// by reflection over its yaml tags, so a field added to Config is read from
// YAML and the environment and logged with no further code.

var durationType = reflect.TypeFor[time.Duration]()

// tagName is a struct field's name in YAML, or "" for fields not configured
// from outside (unexported, or tagged "-").
func tagName(sf reflect.StructField) string {
	if !sf.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// fieldNames lists the YAML names of a struct type's fields, for suggestions.
func fieldNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		if n := tagName(t.Field(i)); n != "" {
			names = append(names, n)
		}
	}
	return names
}

// fieldByName finds the struct field with the given YAML name.
func fieldByName(v reflect.Value, name string) (reflect.Value, bool) {
	for i := range v.NumField() {
		if tagName(v.Type().Field(i)) == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// envName is the environment variable that overrides a field.
func envName(path string) string {
	return "MARKWATCH_" + strings.ToUpper(strings.ReplaceAll(path, ".", "_"))
}
