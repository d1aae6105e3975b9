package reference

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/acmepay/platform/internal/deploy/automation"
)

// DocPath is the generated reference page.
const DocPath = "docs/reference.md"

//go:embed reference.md.tmpl
var pageTemplate string

var page = template.Must(template.New("reference").Funcs(template.FuncMap{"join": strings.Join}).Parse(pageTemplate))

// Version is one tool or library the platform pins.
type Version struct{ What, Version, Where string }

var (
	goLine      = regexp.MustCompile(`(?m)^go (\S+)`)
	requireLine = regexp.MustCompile(`(?m)^\s*(github\.com/\S+) (v\S+)`)
	usesLine    = regexp.MustCompile(`uses: (\S+)@[0-9a-f]{40} # (\S+)`)
)

// Versions reads the pinned versions from their sources under root.
func Versions(root string) ([]Version, error) {
	read := func(rel string) (string, error) {
		b, err := os.ReadFile(filepath.Join(root, rel))
		return string(b), err
	}
	work, err := read("go.work")
	if err != nil {
		return nil, err
	}
	mod, err := read("go.mod")
	if err != nil {
		return nil, err
	}
	out := []Version{{"Go", goLine.FindStringSubmatch(work)[1] + " or later", "`go.work`"}}
	libs := map[string]string{}
	for _, m := range requireLine.FindAllStringSubmatch(mod, -1) {
		libs[m[1]] = m[2]
	}
	for _, lib := range []struct{ what, path string }{
		{"Pulumi Go SDK", "github.com/pulumi/pulumi/sdk/v3"},
		{"Pulumi engine (offline plan, engine tests)", "github.com/pulumi/pulumi/pkg/v3"},
		{"Pulumi AWS provider SDK", "github.com/pulumi/pulumi-aws/sdk/v6"},
		{"mage", "github.com/magefile/mage"},
	} {
		v, ok := libs[lib.path]
		if !ok {
			return nil, fmt.Errorf("go.mod requires no %s", lib.path)
		}
		out = append(out, Version{lib.what, v, "`go.mod`"})
	}
	out = append(out, Version{"Pulumi CLI", fmt.Sprintf("v%d.%d.%d or later", automation.MinimumCLI[0], automation.MinimumCLI[1], automation.MinimumCLI[2]), "`internal/deploy/automation` (MinimumCLI)"})
	actions := map[string]string{}
	entries, err := os.ReadDir(filepath.Join(root, ".github", "workflows"))
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		text, err := read(filepath.Join(".github", "workflows", e.Name()))
		if err != nil {
			return nil, err
		}
		for _, m := range usesLine.FindAllStringSubmatch(text, -1) {
			actions[m[1]] = m[2]
		}
	}
	names := make([]string, 0, len(actions))
	for n := range actions {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out = append(out, Version{"GitHub action `" + n + "`", actions[n], "`.github/workflows` (pinned to its commit)"})
	}
	return out, nil
}

// Markdown renders the reference page.
func Markdown(root string) ([]byte, error) {
	outputs, err := Outputs(root)
	if err != nil {
		return nil, err
	}
	versions, err := Versions(root)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = page.Execute(&b, struct {
		Outputs  []Output
		Versions []Version
	}{outputs, versions})
	return b.Bytes(), err
}
