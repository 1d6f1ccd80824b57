package config

import "reflect"

// applyEnv overrides every scalar field whose MARKWATCH_* variable is set.
// Lists (notify.webhooks) come only from files: a list in one variable
// would need a syntax of its own.
func applyEnv(ps *problems, c *Config, getenv func(string) (string, bool)) {
	if getenv == nil {
		return
	}
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		for i := range v.NumField() {
			name := tagName(v.Type().Field(i))
			if name == "" {
				continue
			}
			fv, fpath := v.Field(i), joinPath(path, name)
			switch {
			case fv.Kind() == reflect.Struct:
				walk(fv, fpath)
			case fv.Kind() == reflect.Slice:
			default:
				env := envName(fpath)
				text, ok := getenv(env)
				if !ok {
					continue
				}
				c.origins[fpath] = env
				if err := setScalar(fv, text, ""); err != nil {
					ps.add(env, fpath, "%v", err)
				}
			}
		}
	}
	walk(reflect.ValueOf(c).Elem(), "")
}
