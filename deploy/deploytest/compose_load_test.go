package deploytest

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// composeFile is the part of deploy/compose.yaml the checks read.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Image           string                `yaml:"image"`
	Build           any                   `yaml:"build"`
	Command         words                 `yaml:"command"`
	Profiles        []string              `yaml:"profiles"`
	Environment     map[string]string     `yaml:"environment"`
	Ports           []string              `yaml:"ports"`
	DependsOn       map[string]dependency `yaml:"depends_on"`
	Restart         string                `yaml:"restart"`
	StopGracePeriod string                `yaml:"stop_grace_period"`
	Healthcheck     *struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
	Volumes []string `yaml:"volumes"`
}

type dependency struct {
	Condition string `yaml:"condition"`
}

// words is a command in either of Compose's forms: a list, or a string
// split on spaces.
type words []string

func (w *words) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*w = strings.Fields(n.Value)
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return err
	}
	*w = list
	return nil
}

// composeBaseEnv is all an embedded installation's env file holds
// (markwatch.env.example): Compose interpolates every service whatever the
// profile, so the whole file must interpolate with it alone, or the
// distributed services would break `docker compose up` for existing users.
func composeBaseEnv() map[string]string {
	return map[string]string{"MEILI_MASTER_KEY": "test-master-key-0123456789"}
}

var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?+])?([^}]*)\}|\$\$|\$([A-Za-z_][A-Za-z0-9_]*)`)

// interpolate expands ${VAR}, ${VAR:-default}, ${VAR-default},
// ${VAR:?message}, ${VAR?message}, ${VAR:+alt}, $VAR and $$ as Compose
// does; a required variable that env lacks is an error.
func interpolate(s string, env map[string]string) (string, error) {
	var err error
	out := varRef.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		sub := varRef.FindStringSubmatch(m)
		if sub[4] != "" {
			return env[sub[4]]
		}
		name, op, arg := sub[1], sub[2], sub[3]
		v, set := env[name]
		empty := !set || (strings.HasPrefix(op, ":") && v == "")
		switch strings.TrimPrefix(op, ":") {
		case "-":
			if empty {
				return arg
			}
		case "?":
			if empty {
				err = fmt.Errorf("required variable %s is missing a value: %s", name, arg)
			}
		case "+":
			if empty {
				return ""
			}
			return arg
		}
		return v
	})
	return out, err
}

// secretName matches variables whose defaults would be secrets.
var secretName = regexp.MustCompile(`PASSWORD|SECRET|KEY|TOKEN`)

// checkSecretDefaults refuses a default for a secret that does not say it
// is for local development only: a real secret in the file would be
// everyone's.
func checkSecretDefaults(ps *problems, where, s string) {
	for _, sub := range varRef.FindAllStringSubmatch(s, -1) {
		if secretName.MatchString(sub[1]) && strings.TrimPrefix(sub[2], ":") == "-" && !strings.Contains(sub[3], "local-dev-only") {
			ps.add("%s: ${%s} defaults to %q; a secret's default must be marked local-dev-only, or set it in the env file", where, sub[1], sub[3])
		}
	}
}

// expanded is a service with its variables interpolated.
type expanded struct {
	composeService
	env []string // NAME=value, for config
}

// expand interpolates a service's command, environment, image and ports,
// reporting what does not interpolate with the base env and secret
// defaults that are not marked.
func expand(ps *problems, name string, s composeService) expanded {
	where := "compose service " + name
	x := func(field, v string) string {
		checkSecretDefaults(ps, where+" "+field, v)
		out, err := interpolate(v, composeBaseEnv())
		if err != nil {
			ps.add("%s %s: %v (with only the embedded env file's variables: a profile does not keep Compose from reading a service)", where, field, err)
		}
		return out
	}
	e := expanded{composeService: s}
	e.Image = x("image", s.Image)
	e.Command = make(words, len(s.Command))
	for i, w := range s.Command {
		e.Command[i] = x("command", w)
	}
	e.Environment = map[string]string{}
	for _, k := range sortedKeys(s.Environment) {
		v := x(k, s.Environment[k])
		e.Environment[k] = v
		e.env = append(e.env, k+"="+v)
	}
	e.Ports = make([]string, len(s.Ports))
	for i, p := range s.Ports {
		e.Ports[i] = x("ports", p)
	}
	return e
}

// isMarkwatch reports whether a service runs the markwatch image.
func (s composeService) isMarkwatch() bool {
	return s.Build != nil || s.Image == "markwatch" || strings.HasPrefix(s.Image, "markwatch:")
}

func (s composeService) in(profile string) bool {
	for _, p := range s.Profiles {
		if p == profile {
			return true
		}
	}
	return false
}

// namedMount is the named volume mounted at or above path, or "".
func (s composeService) namedMount(path string) string {
	for _, v := range s.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) < 2 || strings.ContainsAny(parts[0], "/.~$") {
			continue
		}
		if target := parts[1]; path == target || strings.HasPrefix(path, strings.TrimSuffix(target, "/")+"/") {
			return parts[0]
		}
	}
	return ""
}
