package config

import (
	"reflect"
	"slices"
	"strings"

	"github.com/markwatch/markwatch/internal/yamlcheck"
)

// CheckEnviron reports MARKWATCH_* variables in environ (os.Environ()) that
// set no field. Load cannot see them, as it only asks for the names it
// knows; but a misspelt MARKWATCH_MEILISEARCH_APIKEY would leave the key
// unset without a word. allowed lists variables the caller reads itself
// (e.g. MARKWATCH_CONFIG).
func CheckEnviron(environ []string, allowed ...string) error {
	known := envNames()
	known = append(known, allowed...)
	// Suggestions compare without the shared prefix, which would make every
	// name look close to every other.
	suffixes := make([]string, len(known))
	for i, k := range known {
		suffixes[i] = strings.TrimPrefix(k, "MARKWATCH_")
	}
	ps := &problems{}
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "MARKWATCH_") || slices.Contains(known, name) {
			continue
		}
		if list := listOf(name); list != "" {
			ps.add(name, list, "lists cannot be set from the environment; write the list in the config file")
			continue
		}
		if s := yamlcheck.Closest(strings.TrimPrefix(name, "MARKWATCH_"), suffixes); s != "" {
			ps.add(name, "", "no such setting; did you mean MARKWATCH_%s?", s)
		} else {
			ps.add(name, "", "no such setting; variables are MARKWATCH_ + a field path, e.g. MARKWATCH_HTTP_LISTEN (see config/markwatch.yaml)")
		}
	}
	return ps.err()
}

// envNames lists the variable of every field that can be set from the
// environment.
func envNames() []string {
	paths := scalarPaths()
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = envName(p)
	}
	return names
}

// eachField calls visit with the dotted path of every leaf field of Config
// and whether it is a list: the one walk the variable checks read.
func eachField(visit func(path string, list bool)) {
	var walk func(t reflect.Type, path string)
	walk = func(t reflect.Type, path string) {
		for i := range t.NumField() {
			name := tagName(t.Field(i))
			if name == "" {
				continue
			}
			ft, fpath := t.Field(i).Type, joinPath(path, name)
			if ft.Kind() == reflect.Struct {
				walk(ft, fpath)
				continue
			}
			visit(fpath, ft.Kind() == reflect.Slice)
		}
	}
	walk(reflect.TypeFor[Config](), "")
}

// scalarPaths lists the dotted paths of the fields a variable can set.
func scalarPaths() []string {
	var paths []string
	eachField(func(path string, list bool) {
		if !list {
			paths = append(paths, path)
		}
	})
	return paths
}

// listOf is the list field (notify.webhooks) a variable name falls under,
// or "".
func listOf(env string) string {
	var found string
	eachField(func(path string, list bool) {
		if e := envName(path); list && (env == e || strings.HasPrefix(env, e+"_")) {
			found = path
		}
	})
	return found
}
