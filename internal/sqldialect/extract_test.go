package sqldialect

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// site is one statement found in the store's source.
type site struct {
	pos  string // file:line
	sql  string
	test bool // in a _test.go file
	// dynamic: part of the text is computed at run time (a WHERE built
	// from a filter, a Sprintf argument) and was left out, so PostgreSQL's
	// verdict is on an approximation of the statement.
	dynamic bool
}

// statementStart is what a data statement begins with.
var statementStart = regexp.MustCompile(`(?is)^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|REPLACE)\b`)

// storeStatements reads the store package's Go files and returns every
// string literal, or chain of literals joined with +, that evaluates to a
// text starting with SELECT, INSERT, UPDATE, DELETE, WITH or REPLACE.
// Constants and package-level string variables are resolved; a call of a
// function of the package whose body is one return is inlined (so
// placeholders(n) is "?", strings.Repeat counted once); anything else is
// left out and marks the statement dynamic.
func storeStatements(t *testing.T, dir string) []site {
	t.Helper()
	fset := gotoken.NewFileSet()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("listing %s: %v (%d files)", dir, err, len(paths))
	}
	sort.Strings(paths)
	ev := &evaluator{values: map[string]ast.Expr{}, funcs: map[string]*ast.FuncDecl{}}
	var files []*ast.File
	for _, p := range paths {
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatalf("parsing %s: %v", p, err)
		}
		files = append(files, f)
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				if d.Tok != gotoken.CONST && d.Tok != gotoken.VAR {
					continue
				}
				for _, s := range d.Specs {
					vs := s.(*ast.ValueSpec)
					if len(vs.Values) != len(vs.Names) {
						continue
					}
					for i, n := range vs.Names {
						ev.values[n.Name] = vs.Values[i]
					}
				}
			case *ast.FuncDecl:
				if d.Recv == nil && d.Body != nil {
					ev.funcs[d.Name.Name] = d
				}
			}
		}
	}
	var out []site
	for i, f := range files {
		isTest := strings.HasSuffix(paths[i], "_test.go")
		ast.Inspect(f, func(n ast.Node) bool {
			e, ok := n.(ast.Expr)
			if !ok || !isStringChain(e) {
				return true
			}
			s, dyn := ev.eval(e, 0)
			if statementStart.MatchString(s) {
				p := fset.Position(e.Pos())
				out = append(out, site{
					pos: filepath.Base(p.Filename) + ":" + strconv.Itoa(p.Line), sql: s, test: isTest, dynamic: dyn,
				})
			}
			return false // a chain's parts are not statements of their own
		})
	}
	return out
}

// isStringChain: a string literal, or a + whose leftmost operand is one
// (or an identifier, as in q + " WHERE …").
func isStringChain(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BasicLit:
		return e.Kind == gotoken.STRING
	case *ast.BinaryExpr:
		if e.Op != gotoken.ADD {
			return false
		}
		l := e.X
		for {
			b, ok := l.(*ast.BinaryExpr)
			if !ok || b.Op != gotoken.ADD {
				break
			}
			l = b.X
		}
		switch l := l.(type) {
		case *ast.BasicLit:
			return l.Kind == gotoken.STRING
		case *ast.Ident, *ast.CallExpr:
			return hasLiteral(e)
		}
	}
	return false
}

func hasLiteral(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if l, ok := n.(*ast.BasicLit); ok && l.Kind == gotoken.STRING {
			found = true
		}
		return !found
	})
	return found
}

type evaluator struct {
	values map[string]ast.Expr     // package-level constants and variables
	funcs  map[string]*ast.FuncDecl // package-level functions
}

// eval returns the text e stands for, and whether parts of it were unknown
// (left out).
func (ev *evaluator) eval(e ast.Expr, depth int) (string, bool) {
	if depth > 20 {
		return "", true
	}
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != gotoken.STRING {
			return e.Value, false
		}
		s, err := strconv.Unquote(e.Value)
		if err != nil {
			return "", true
		}
		return s, false
	case *ast.ParenExpr:
		return ev.eval(e.X, depth+1)
	case *ast.BinaryExpr:
		if e.Op != gotoken.ADD {
			return "", true
		}
		l, dl := ev.eval(e.X, depth+1)
		r, dr := ev.eval(e.Y, depth+1)
		return l + r, dl || dr
	case *ast.Ident:
		if v, ok := ev.values[e.Name]; ok {
			return ev.eval(v, depth+1)
		}
		if e.Obj != nil {
			if as, ok := e.Obj.Decl.(*ast.AssignStmt); ok && len(as.Lhs) == len(as.Rhs) {
				for i, l := range as.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == e.Name && isStringish(as.Rhs[i]) {
						return ev.eval(as.Rhs[i], depth+1)
					}
				}
			}
		}
		return "", true
	case *ast.CallExpr:
		return ev.call(e, depth)
	}
	return "", true
}

func isStringish(e ast.Expr) bool {
	switch e.(type) {
	case *ast.BasicLit, *ast.BinaryExpr, *ast.ParenExpr:
		return true
	}
	return false
}

// call evaluates the few calls that build statements: strings.Repeat (once),
// strings.TrimSuffix, fmt.Sprintf (%d as 1, other verbs left out) and the
// package's one-return functions.
func (ev *evaluator) call(e *ast.CallExpr, depth int) (string, bool) {
	if sel, ok := e.Fun.(*ast.SelectorExpr); ok {
		pkg, _ := sel.X.(*ast.Ident)
		if pkg == nil {
			return "", true
		}
		switch pkg.Name + "." + sel.Sel.Name {
		case "strings.Repeat":
			return ev.eval(e.Args[0], depth+1)
		case "strings.TrimSuffix":
			s, d1 := ev.eval(e.Args[0], depth+1)
			suf, d2 := ev.eval(e.Args[1], depth+1)
			return strings.TrimSuffix(s, suf), d1 || d2
		case "fmt.Sprintf":
			f, _ := ev.eval(e.Args[0], depth+1)
			f = strings.ReplaceAll(f, "%d", "1")
			return regexp.MustCompile(`%[a-z]`).ReplaceAllString(f, ""), true
		}
		return "", true
	}
	id, ok := e.Fun.(*ast.Ident)
	if !ok {
		return "", true
	}
	fd := ev.funcs[id.Name]
	if fd == nil || len(fd.Body.List) != 1 {
		return "", true
	}
	ret, ok := fd.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return "", true
	}
	return ev.eval(ret.Results[0], depth+1)
}
