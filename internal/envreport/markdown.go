package envreport

import (
	"bytes"
	_ "embed"
	"strings"
	"text/template"

	"github.com/acmepay/platform/pkg/profile"
)

// DocPath is where the generated environments page lives.
const DocPath = "docs/environments.md"

//go:embed environments.md.tmpl
var environmentsTemplate string

var environmentsPage = template.Must(template.New("environments").Parse(environmentsTemplate))

type row struct {
	Label, Key, Layer, Varies string
	Values                    []string
}

// Markdown renders docs/environments.md from the settings table and the
// environments' profiles as the repository's stack files configure them.
func Markdown(root string) ([]byte, error) {
	var profiles []profile.Profile
	for _, env := range profile.Environments() {
		p, err := Load(root, string(env))
		if err != nil {
			return nil, err
		}
		profiles = append(profiles, p)
	}
	data := struct {
		Envs, Accounts, Regions, Invariants []string
		Rows                                []row
	}{}
	for _, p := range profiles {
		data.Envs = append(data.Envs, string(p.Environment))
		data.Accounts = append(data.Accounts, p.AccountID)
		data.Regions = append(data.Regions, p.Region)
	}
	for _, s := range profile.Settings {
		if s.Get == nil {
			continue
		}
		r := row{Label: s.Label, Key: s.Qualified(), Layer: s.Owner, Varies: s.Varies}
		for _, p := range profiles {
			r.Values = append(r.Values, display(s.Get(p)))
		}
		data.Rows = append(data.Rows, r)
	}
	for _, inv := range profile.Invariants {
		data.Invariants = append(data.Invariants, inv.Name)
	}
	var b bytes.Buffer
	if err := environmentsPage.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// display shows a setting's value for people: booleans as on/off, zero
// capacities (on-demand) as n/a.
func display(v string) string {
	switch strings.TrimSpace(v) {
	case "true":
		return "on"
	case "false":
		return "off"
	case "0":
		return "n/a"
	}
	return v
}
