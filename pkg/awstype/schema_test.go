package awstype

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// providerSDK is the pulumi-aws Go SDK's source, as the module this
// repository requires it: the go command's module cache, downloaded if it
// is not there yet.
func providerSDK(t *testing.T) string {
	t.Helper()
	const module = "github.com/pulumi/pulumi-aws/sdk/v6"
	raw, err := exec.Command("go", "mod", "download", "-json", module).Output()
	require.NoError(t, err, "go mod download %s", module)
	var got struct{ Dir, Error string }
	require.NoError(t, json.Unmarshal(raw, &got))
	require.Empty(t, got.Error, module)
	require.NotEmpty(t, got.Dir, module)
	return got.Dir
}

// providerProperties are the properties of a resource type as the SDK
// declares them: the pulumi tags of the struct that registers the token,
// in the file the SDK's generator writes it to
// (go/aws/<module>/<resource>.go).
func providerProperties(t *testing.T, sdk, tok string) map[string]bool {
	t.Helper()
	parts := regexp.MustCompile(`^aws:([a-z0-9]+)/([A-Za-z0-9]+):([A-Za-z0-9]+)$`).FindStringSubmatch(tok)
	require.NotNil(t, parts, tok)
	file := filepath.Join(sdk, "go", "aws", parts[1], parts[2]+".go")
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	require.NoError(t, err, "%s: the SDK's file of the type", tok)
	registers, props := false, map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BasicLit:
			registers = registers || n.Value == strconv.Quote(tok)
		case *ast.TypeSpec:
			if st, ok := n.Type.(*ast.StructType); ok && n.Name.Name == parts[3] {
				for _, field := range st.Fields.List {
					if field.Tag != nil {
						tag, _ := strconv.Unquote(field.Tag.Value)
						if p := reflect.StructTag(tag).Get("pulumi"); p != "" {
							props[p] = true
						}
					}
				}
			}
		}
		return true
	})
	require.True(t, registers, "%s: %s does not register the token", tok, file)
	require.NotEmpty(t, props, "%s: %s declares no struct %s with properties", tok, file, parts[3])
	return props
}

// Every property a registry entry names (its name input, the inputs whose
// change replaces it, the inputs whose change makes a call, its policy
// document, the settings a plan shows and adoption maps, the inputs a call
// reaches another resource by) is a property of the provider's resource,
// as the pulumi-aws SDK declares it. A misspelt one would silently drop a
// call from the stand-in's IAM checks, or a setting from adoption.
func TestEveryPropertyARegistryEntryNamesIsTheProviders(t *testing.T) {
	sdk := providerSDK(t)
	leading := regexp.MustCompile(`^[a-zA-Z]+`)
	checked := 0
	for _, ty := range All() {
		props := providerProperties(t, sdk, ty.Token)
		var named []string
		if ty.IDIsName || ty.NameInput != "" {
			named = append(named, ty.NameKey())
		}
		named = append(named, ty.Immutable...)
		for input := range ty.Calls.UpdateWhen {
			named = append(named, input)
		}
		if ty.Document != nil {
			named = append(named, ty.Document.Input)
		}
		named = append(named, ty.Summary...)
		for _, s := range ty.Settings {
			named = append(named, leading.FindString(strings.Trim(s.Path.String(), "^(")))
		}
		for _, op := range [][]Call{ty.Calls.Create, ty.Calls.Read, ty.Calls.Update, ty.Calls.Delete} {
			for _, c := range op {
				if c.On.Input != "" && c.On.Input != Objects {
					named = append(named, c.On.Input)
				}
			}
		}
		for _, path := range named {
			first := leading.FindString(path)
			assert.True(t, props[first], "%s names %q, which the provider's resource does not have", ty.Token, path)
			checked++
		}
	}
	assert.Greater(t, checked, 80)
	t.Logf("%d property names checked against the provider SDK", checked)
}
