package app

import (
	"fmt"
	"os/user"
	"sort"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/yamlcheck"
)

// marksByOwner groups the registry's mark ids by their rights holder: an
// owner user sees the marks of its owner string, and nothing else.
func marksByOwner(marks []domain.Mark) map[string][]string {
	out := make(map[string][]string)
	for _, m := range marks {
		if m.Owner != "" {
			out[m.Owner] = append(out[m.Owner], m.ID)
		}
	}
	return out
}

// checkUserFields refuses role and binding combinations that would give a
// user a scope nobody meant: an owner without a registry owner (it would
// see nothing, silently), an owner string the registry does not know (a
// typo), or a binding on a role that ignores it.
func checkUserFields(u domain.User, marks []domain.Mark) error {
	if !u.Role.Valid() {
		return domain.Errorf(domain.EINVALID, "role %q is not known; use one of %s", u.Role, rolesText())
	}
	switch u.Role {
	case domain.RoleOwner:
		if strings.TrimSpace(u.Owner) == "" {
			return domain.Errorf(domain.EINVALID, "an owner user needs --owner with the rights holder's name as the registry writes it, e.g. --owner %q", exampleOwner(marks))
		}
		owners := marksByOwner(marks)
		if _, ok := owners[u.Owner]; !ok {
			names := make([]string, 0, len(owners))
			for o := range owners {
				names = append(names, o)
			}
			sort.Strings(names)
			hint := ""
			if s := closestOwner(u.Owner, names); s != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", s)
			}
			return domain.Errorf(domain.EINVALID, "no mark in the registry has owner %q%s; the owners are: %s", u.Owner, hint, strings.Join(names, ", "))
		}
	default:
		if u.Owner != "" {
			return domain.Errorf(domain.EINVALID, "--owner binds owner users only; role %s sees by its role", u.Role)
		}
	}
	if u.Jurisdiction != "" && u.Role != domain.RoleSupervisor {
		return domain.Errorf(domain.EINVALID, "--jurisdiction limits supervisors only; role %s is not limited by area", u.Role)
	}
	return nil
}

func rolesText() string {
	s := make([]string, len(domain.Roles))
	for i, r := range domain.Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

func exampleOwner(marks []domain.Mark) string {
	for _, m := range marks {
		if m.Owner != "" {
			return m.Owner
		}
	}
	return "河北养元智汇饮品股份有限公司"
}

// cliActor is who the audit log says made a change from the command line:
// whoever has the data directory is an administrator of this installation.
func cliActor(env Env) domain.Actor {
	name := "cli"
	if v, ok := env.Getenv("USER"); ok && v != "" {
		name = "cli:" + v
	} else if u, err := user.Current(); err == nil && u.Username != "" {
		name = "cli:" + u.Username
	}
	return domain.Actor{Name: name, Role: domain.RoleAdmin, Via: "cli"}
}

// closestOwner suggests the registry owner meant: one whose full name holds
// what was typed (people type the short form, 河北养元智汇饮品 for
// 河北养元智汇饮品股份有限公司), else the nearest by edit distance.
func closestOwner(typed string, owners []string) string {
	var holding []string
	for _, o := range owners {
		if strings.Contains(o, typed) {
			holding = append(holding, o)
		}
	}
	if len(holding) == 1 {
		return holding[0]
	}
	return yamlcheck.Closest(typed, owners)
}
