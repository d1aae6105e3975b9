// Package magetargets reads the targets magefile.go declares, without
// compiling it, so that mage.go can refuse a mistyped target at once with
// the closest one, where mage would compile everything first and then say
// only that the target is unknown.
package magetargets

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"

	"github.com/acmepay/platform/pkg/suggest"
)

// Read is every target of the magefile at path, as mage names them
// ("deploy:env", "bootstrap:destroyState", "parity").
func Read(path string) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	namespaces := map[string]bool{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.TYPE {
			continue
		}
		for _, s := range g.Specs {
			ts := s.(*ast.TypeSpec)
			if sel, ok := ts.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Namespace" {
				namespaces[ts.Name.Name] = true
			}
		}
	}
	var targets []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || !fn.Name.IsExported() {
			continue
		}
		if fn.Recv == nil {
			targets = append(targets, lowerFirst(fn.Name.Name))
			continue
		}
		var recv string
		switch t := fn.Recv.List[0].Type.(type) {
		case *ast.Ident:
			recv = t.Name
		case *ast.StarExpr:
			if id, ok := t.X.(*ast.Ident); ok {
				recv = id.Name
			}
		}
		if namespaces[recv] {
			targets = append(targets, lowerFirst(recv)+":"+lowerFirst(fn.Name.Name))
		}
	}
	return targets, nil
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

// flagsWithValue are mage's flags that take the next argument as their value.
var flagsWithValue = map[string]bool{"-d": true, "-w": true, "-gocmd": true, "-t": true, "-goos": true, "-goarch": true, "-ldflags": true, "-compile": true}

// Check refuses args whose target (the first argument that is not a flag
// or a flag's value) is none of targets, naming the closest. Mage matches
// targets regardless of case, and so does Check.
func Check(args, targets []string) error {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			if flagsWithValue[a] {
				i++
			}
			continue
		}
		for _, t := range targets {
			if strings.EqualFold(a, t) {
				return nil
			}
		}
		msg := fmt.Sprintf("unknown target %q", a)
		if near := suggest.Nearest(a, targets); near != "" {
			msg += fmt.Sprintf(": did you mean %s?", near)
		}
		return fmt.Errorf("%s (go run mage.go -l lists every target, with its arguments)", msg)
	}
	return nil
}
