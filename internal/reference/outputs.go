// Package reference generates docs/reference.md, the tables a reader looks
// things up in: every output that crosses a StackReference, and the versions
// the platform is built and tested with, each read from its one source.
package reference

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/acmepay/platform/pkg/contract"
)

// Output is one stack output of a layer, as pkg/contract defines it.
type Output struct {
	Layer, Key, Type string
	// ReadBy lists the layers whose reader (Read<Layer>For<Reader>)
	// decodes it.
	ReadBy []string
}

// Outputs reads the outputs every layer exports, their Go types and the
// layers that read them from pkg/contract's source under root: the key
// constants, the `ctx.Export(Key, e.Field)` calls of each Exports type and
// the `r.decode(Key, ...)` and `r.required(Key, ...)` calls of each
// Read<Layer>For<Reader> function. The table cannot drift from the code
// because it is the code.
func Outputs(root string) ([]Output, error) {
	c, err := readContract(root)
	if err != nil {
		return nil, err
	}
	return c.outputs()
}

// Decoded lists, for each reader function of pkg/contract under root, the
// output keys it decodes.
func Decoded(root string) (map[Reading][]string, error) {
	c, err := readContract(root)
	if err != nil {
		return nil, err
	}
	out := map[Reading][]string{}
	for r, consts := range c.decoded {
		for _, k := range consts {
			out[r] = append(out[r], c.keys[k])
		}
	}
	return out, nil
}

// Calls lists the contract reader functions a layer's program calls
// (contract.Read*, in the non-test Go files under root/<layer>), each with
// where it is called.
func Calls(root, layer string) (map[string][]string, error) {
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(filepath.Join(root, layer), func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "contract" && strings.HasPrefix(sel.Sel.Name, "Read") {
				out[sel.Sel.Name] = append(out[sel.Sel.Name], fset.Position(sel.Pos()).String())
			}
			return true
		})
		return nil
	})
	return out, err
}

// readContract reads pkg/contract's source under root.
func readContract(root string) (contractFacts, error) {
	files, err := parseContract(filepath.Join(root, "pkg", "contract"))
	if err != nil {
		return contractFacts{}, err
	}
	c := contractFacts{keys: map[string]string{}, fieldTypes: map[string]string{}, exported: map[string][]string{}, decoded: map[Reading][]string{}}
	for _, f := range files {
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.GenDecl:
				c.declarations(d)
			case *ast.FuncDecl:
				c.calls(d)
			}
		}
	}
	return c, nil
}

// parseContract parses the non-test Go files of pkg/contract.
func parseContract(dir string) ([]*ast.File, error) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []*ast.File
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// contractFacts is what pkg/contract's source says about its outputs.
type contractFacts struct {
	keys       map[string]string    // constant -> key
	fieldTypes map[string]string    // Exports type.field -> type
	exported   map[string][]string  // Exports type -> constants, in order
	decoded    map[Reading][]string // constants each reader decodes
}

// Reading is one layer reading another's outputs: the function
// Read<Upstream>For<Reader> of pkg/contract.
type Reading struct{ Reader, Upstream string }

// Function is the name of the contract's function for the reading.
func (r Reading) Function() string {
	return "Read" + title(r.Upstream) + "For" + title(r.Reader)
}

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// ReadingOf parses a reader function's name: ReadNetworkForCompute is
// compute reading network.
func ReadingOf(fn string) (Reading, bool) {
	upstream, reader, ok := strings.Cut(strings.TrimPrefix(fn, "Read"), "For")
	if !ok || !strings.HasPrefix(fn, "Read") || upstream == "" || reader == "" {
		return Reading{}, false
	}
	return Reading{Reader: strings.ToLower(reader), Upstream: strings.ToLower(upstream)}, true
}

// declarations reads the Key constants and the fields of the Exports types.
func (c *contractFacts) declarations(d *ast.GenDecl) {
	for _, spec := range d.Specs {
		switch s := spec.(type) {
		case *ast.ValueSpec:
			for i, name := range s.Names {
				if i < len(s.Values) && strings.HasPrefix(name.Name, "Key") {
					if lit, ok := s.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						c.keys[name.Name], _ = strconv.Unquote(lit.Value)
					}
				}
			}
		case *ast.TypeSpec:
			st, ok := s.Type.(*ast.StructType)
			if !ok || !strings.HasSuffix(s.Name.Name, "Exports") {
				continue
			}
			for _, field := range st.Fields.List {
				for _, n := range field.Names {
					c.fieldTypes[s.Name.Name+"."+n.Name] = exprString(field.Type)
				}
			}
		}
	}
}

// calls reads the ctx.Export calls of the Export methods and the decode
// and required calls of the Read functions.
func (c *contractFacts) calls(d *ast.FuncDecl) {
	ast.Inspect(d.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) < 2 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		key, ok := call.Args[0].(*ast.Ident)
		if !ok {
			return true
		}
		switch {
		case sel.Sel.Name == "Export" && d.Recv != nil:
			recv := exprString(d.Recv.List[0].Type)
			c.exported[recv] = append(c.exported[recv], key.Name)
			// The exported value is a field of the receiver, possibly
			// wrapped (pulumi.String(e.Name)).
			ast.Inspect(call.Args[1], func(n ast.Node) bool {
				f, ok := n.(*ast.SelectorExpr)
				if ok && c.fieldTypes[recv+"."+key.Name] == "" {
					c.fieldTypes[recv+"."+key.Name] = c.fieldTypes[recv+"."+f.Sel.Name]
				}
				return c.fieldTypes[recv+"."+key.Name] == ""
			})
		case (sel.Sel.Name == "decode" || sel.Sel.Name == "required") && d.Recv == nil:
			if r, ok := ReadingOf(d.Name.Name); ok {
				c.decoded[r] = append(c.decoded[r], key.Name)
			}
		}
		return true
	})
}

// outputs lists every layer's outputs in deployment order, each with its
// type and the layers that read it.
func (c *contractFacts) outputs() ([]Output, error) {
	var out []Output
	for _, layer := range contract.Layers() {
		typ := strings.ToUpper(layer[:1]) + layer[1:] + "Exports"
		consts, ok := c.exported[typ]
		if !ok {
			return nil, fmt.Errorf("pkg/contract has no %s.Export", typ)
		}
		for _, k := range consts {
			o := Output{Layer: layer, Key: c.keys[k], Type: goType(c.fieldTypes[typ+"."+k])}
			if o.Type == "" {
				o.Type = "list of functions (name, arn, logGroupName, timeoutSeconds)"
			}
			for _, reader := range contract.Layers() {
				if contains(contract.DependsOn(reader), layer) && contains(c.decoded[Reading{Reader: reader, Upstream: layer}], k) {
					o.ReadBy = append(o.ReadBy, reader)
				}
			}
			out = append(out, o)
		}
	}
	order := map[string]int{}
	for i, l := range contract.Layers() {
		order[l] = i
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Layer != out[j].Layer {
			return order[out[i].Layer] < order[out[j].Layer]
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// goType names an output's type for people.
func goType(t string) string {
	switch t {
	case "pulumi.StringInput", "pulumi.StringOutput", "string":
		return "string"
	case "pulumi.StringArrayInput", "[]string":
		return "list of strings"
	}
	return t
}

func exprString(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return exprString(x.X) + "." + x.Sel.Name
	case *ast.StarExpr:
		return exprString(x.X)
	case *ast.ArrayType:
		return "[]" + exprString(x.Elt)
	}
	return ""
}
