package app

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/markwatch/markwatch/"

// importRules are the architecture's edges that must not exist: domain at
// the ground, access and match pure, the source lifecycle over its own
// store interface, the HTTP surfaces declaring the store methods they use
// instead of importing the store, and only main above app.
var importRules = []struct {
	pkg     string   // internal/… package, or "*" for every package
	allowed []string // internal packages it may import; nil means any but forbidden
	forbid  []string
}{
	{pkg: "internal/domain", allowed: []string{}},
	{pkg: "internal/access", allowed: []string{"internal/domain"}},
	{pkg: "internal/subscribe", allowed: []string{"internal/domain"}},
	{pkg: "internal/match", allowed: []string{"internal/domain"}},
	{pkg: "internal/storeurl", allowed: []string{}},
	{pkg: "internal/httpapi", forbid: []string{"internal/store", "internal/index", "internal/app", "internal/web"}},
	{pkg: "internal/web", forbid: []string{"internal/store", "internal/index", "internal/app", "internal/httpapi"}},
	// The source lifecycle keeps its state through its own Store interface
	// and drives the scheduler; it knows nothing of how runs crawl or of
	// the surfaces that show it.
	{pkg: "internal/sources", allowed: []string{"internal/domain", "internal/schedule"}},
	{pkg: "internal/store", forbid: []string{"internal/access", "internal/httpapi", "internal/web", "internal/notify", "internal/index", "internal/app"}},
	{pkg: "*", forbid: []string{"internal/app"}},
}

// TestImportRules reads every non-test Go file under internal/ and checks
// its internal imports against importRules, so a shortcut across layers
// fails the build's tests rather than a later reader.
func TestImportRules(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			dep, ok := strings.CutPrefix(p, module)
			if !ok || !strings.HasPrefix(dep, "internal/") {
				continue
			}
			for _, r := range importRules {
				if r.pkg != "*" && pkg != r.pkg && !strings.HasPrefix(pkg, r.pkg+"/") {
					continue
				}
				if strings.HasPrefix(pkg, "internal/app") && r.pkg == "*" {
					continue
				}
				if r.allowed != nil && !underAny(dep, r.allowed) && !strings.HasPrefix(dep, r.pkg) {
					t.Errorf("%s imports %s; %s may import only %v", path, dep, r.pkg, r.allowed)
				}
				if underAny(dep, r.forbid) {
					t.Errorf("%s imports %s, which %s must not", path, dep, r.pkg)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func underAny(dep string, list []string) bool {
	for _, l := range list {
		if dep == l || strings.HasPrefix(dep, l+"/") {
			return true
		}
	}
	return false
}
