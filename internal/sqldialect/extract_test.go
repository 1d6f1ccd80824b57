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

// statementStart is what a data statement begins with. The store writes
// keywords in capitals, which keeps words like "update" in test names out.
var statementStart = regexp.MustCompile(`^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|REPLACE)\s`)

// maxVariants bounds the texts one chain expands to.
const maxVariants = 16

// variant is one text a chain of literals can take.
type variant struct {
	s   string
	dyn bool // a part of it was unknown and left out
}

// storeStatements reads the store package's Go files and returns every
// string literal, or chain of literals joined with +, that evaluates to a
// text starting with SELECT, INSERT, UPDATE, DELETE, WITH or REPLACE.
// Constants, package-level variables and local assignments are resolved;
// a call of a one-return function of the package is inlined (so
// placeholders(n) is "?", strings.Repeat counted once); a parameter that
// a function completes into a statement (updateNotifications' prefix,
// readOutbox's tail) takes each text its callers pass, and those texts
// are not statements of their own; fmt.Sprintf's %d is 1. Anything else is
// left out and marks the statement dynamic.
func storeStatements(t testing.TB, dir string) []site {
	t.Helper()
	fset := gotoken.NewFileSet()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("listing %s: %v (%d files)", dir, err, len(paths))
	}
	sort.Strings(paths)
	ev := &evaluator{values: map[string]ast.Expr{}, funcs: map[string]*ast.FuncDecl{}, fragments: map[string]map[int]string{}}
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
				if d.Body == nil {
					continue
				}
				if d.Recv == nil {
					ev.funcs[d.Name.Name] = d
				}
				if fr := fragmentParams(d); len(fr) > 0 {
					ev.fragments[d.Name.Name] = fr
				}
			}
		}
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok {
				if fr := ev.fragments[calleeName(c)]; fr != nil {
					for i := range c.Args {
						if _, ok := fr[i]; ok {
							ev.callers = append(ev.callers, callArg{calleeName(c), i, c.Args[i]})
						}
					}
				}
			}
			return true
		})
	}
	var out []site
	for i, f := range files {
		isTest := strings.HasSuffix(paths[i], "_test.go")
		for _, d := range f.Decls {
			var fn *ast.FuncDecl
			if fd, ok := d.(*ast.FuncDecl); ok {
				fn = fd
			}
			var visit func(n ast.Node) bool
			visit = func(n ast.Node) bool {
				var e ast.Expr
				switch n := n.(type) {
				case *ast.CallExpr:
					if fr := ev.fragments[calleeName(n)]; fr != nil {
						for i, a := range n.Args {
							if _, ok := fr[i]; !ok {
								ast.Inspect(a, visit)
							}
						}
						return false
					}
					if calleeName(n) != "Sprintf" || len(n.Args) == 0 || !isStringChain(n.Args[0]) {
						return true
					}
					e = n
				case ast.Expr:
					if !isStringChain(n) {
						return true
					}
					e = n
				default:
					return true
				}
				for _, v := range ev.eval(e, fn, 0) {
					if !statementStart.MatchString(v.s) {
						continue
					}
					p := fset.Position(e.Pos())
					out = append(out, site{
						pos: filepath.Base(p.Filename) + ":" + strconv.Itoa(p.Line), sql: tidy(v), test: isTest, dynamic: v.dyn,
					})
				}
				return false // a chain's parts are not statements of their own
			}
			ast.Inspect(d, visit)
		}
	}
	return out
}

// tidy mends what leaving out a dynamic part breaks: a WHERE with no
// condition, a dangling AND, an empty IN list.
func tidy(v variant) string {
	if !v.dyn {
		return v.s
	}
	s := v.s
	for _, fix := range []struct{ re, to string }{
		{`(?i)\bWHERE\s+(AND|OR)\b`, "WHERE"},
		{`(?i)\(\s*(AND|OR)\b`, "("},
		{`(?i)\b(AND|OR)\s*(\)|ORDER\b|LIMIT\b|GROUP\b|$)`, "$2"},
		{`(?i)\s+WHERE\s*(\)|ORDER\b|LIMIT\b|GROUP\b|$)`, " $1"},
		{`(?i)\bIN\s*\(\s*\)`, "IN (NULL)"},
	} {
		s = regexp.MustCompile(fix.re).ReplaceAllString(s, fix.to)
	}
	return s
}

// callArg is what a caller passes for a fragment parameter.
type callArg struct {
	fn  string
	idx int
	arg ast.Expr
}

func calleeName(c *ast.CallExpr) string {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

// fragmentParams are the parameters of fd (by position) that its body
// joins with + into a longer text.
func fragmentParams(fd *ast.FuncDecl) map[int]string {
	pos := map[string]int{}
	i := 0
	for _, f := range fd.Type.Params.List {
		for _, n := range f.Names {
			if id, ok := f.Type.(*ast.Ident); ok && id.Name == "string" {
				pos[n.Name] = i
			}
			i++
		}
		if len(f.Names) == 0 {
			i++
		}
	}
	out := map[int]string{}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		b, ok := n.(*ast.BinaryExpr)
		if !ok || b.Op != gotoken.ADD {
			return true
		}
		for _, side := range []ast.Expr{b.X, b.Y} {
			if id, ok := side.(*ast.Ident); ok {
				if p, ok := pos[id.Name]; ok && hasLiteral(b) {
					out[p] = id.Name
				}
			}
		}
		return true
	})
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
	values    map[string]ast.Expr       // package-level constants and variables
	funcs     map[string]*ast.FuncDecl  // package-level functions
	fragments map[string]map[int]string // function or method name → its fragment parameters
	callers   []callArg
}

var unknown = []variant{{dyn: true}}

// eval returns the texts e can stand for inside fn (nil at package level).
func (ev *evaluator) eval(e ast.Expr, fn *ast.FuncDecl, depth int) []variant {
	if depth > 20 {
		return unknown
	}
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != gotoken.STRING {
			return []variant{{s: e.Value}}
		}
		s, err := strconv.Unquote(e.Value)
		if err != nil {
			return unknown
		}
		return []variant{{s: s}}
	case *ast.ParenExpr:
		return ev.eval(e.X, fn, depth+1)
	case *ast.BinaryExpr:
		if e.Op != gotoken.ADD {
			return unknown
		}
		var out []variant
		for _, l := range ev.eval(e.X, fn, depth+1) {
			for _, r := range ev.eval(e.Y, fn, depth+1) {
				if len(out) < maxVariants {
					out = append(out, variant{l.s + r.s, l.dyn || r.dyn})
				}
			}
		}
		return out
	case *ast.Ident:
		return ev.ident(e, fn, depth)
	case *ast.CallExpr:
		return ev.call(e, fn, depth)
	}
	return unknown
}

func (ev *evaluator) ident(e *ast.Ident, fn *ast.FuncDecl, depth int) []variant {
	if e.Obj != nil {
		switch d := e.Obj.Decl.(type) {
		case *ast.AssignStmt:
			if len(d.Lhs) == len(d.Rhs) {
				for i, l := range d.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == e.Name && isStringish(d.Rhs[i]) {
						return ev.eval(d.Rhs[i], fn, depth+1)
					}
				}
			}
			return unknown
		case *ast.Field:
			if fn == nil {
				return unknown
			}
			var out []variant
			for _, c := range ev.callers {
				if c.fn == fn.Name.Name && ev.fragments[c.fn][c.idx] == e.Name {
					out = append(out, ev.eval(c.arg, nil, depth+1)...)
				}
			}
			if len(out) == 0 || len(out) > maxVariants {
				return unknown
			}
			return out
		}
	}
	if v, ok := ev.values[e.Name]; ok {
		return ev.eval(v, nil, depth+1)
	}
	return unknown
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
func (ev *evaluator) call(e *ast.CallExpr, fn *ast.FuncDecl, depth int) []variant {
	if sel, ok := e.Fun.(*ast.SelectorExpr); ok {
		pkg, _ := sel.X.(*ast.Ident)
		if pkg == nil {
			return unknown
		}
		switch pkg.Name + "." + sel.Sel.Name {
		case "strings.Repeat":
			return ev.eval(e.Args[0], fn, depth+1)
		case "strings.TrimSuffix":
			var out []variant
			suf := ev.eval(e.Args[1], fn, depth+1)[0]
			for _, v := range ev.eval(e.Args[0], fn, depth+1) {
				out = append(out, variant{strings.TrimSuffix(v.s, suf.s), v.dyn || suf.dyn})
			}
			return out
		case "fmt.Sprintf":
			var out []variant
			for _, v := range ev.eval(e.Args[0], fn, depth+1) {
				s := strings.ReplaceAll(v.s, "%d", "1")
				out = append(out, variant{regexp.MustCompile(`%[a-z]`).ReplaceAllString(s, ""), v.dyn || strings.Contains(s, "%")})
			}
			return out
		}
		return unknown
	}
	id, ok := e.Fun.(*ast.Ident)
	if !ok {
		return unknown
	}
	fd := ev.funcs[id.Name]
	if fd == nil || len(fd.Body.List) != 1 {
		return unknown
	}
	ret, ok := fd.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return unknown
	}
	return ev.eval(ret.Results[0], nil, depth+1)
}
