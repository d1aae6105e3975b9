package envreport

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/template"

	"github.com/acmepay/platform/internal/cost"
	"github.com/acmepay/platform/pkg/profile"
)

// DocPath is where the generated environments page lives.
const DocPath = "docs/environments.md"

//go:embed environments.md.tmpl
var environmentsTemplate string

var environmentsPage = template.Must(template.New("environments").Parse(environmentsTemplate))

type costColumn struct {
	Fixed, Usage, Total, Budget, Lambda string
}

type row struct {
	Label, Key, Layer, Varies string
	Values                    []string
}

// Markdown renders docs/environments.md from the settings table and the
// environments' profiles as the repository's stack files configure them.
func Markdown(root string) ([]byte, error) {
	var profiles []profile.Profile
	for _, env := range profile.Environments() {
		p, err := profile.FromStackFiles(root, string(env))
		if err != nil {
			return nil, err
		}
		profiles = append(profiles, p)
	}
	data := struct {
		Envs, Tiers, Accounts, Regions, Invariants []string
		Rows                                       []row
		Costs                                      []costColumn
		Review                                     *reviewSection
	}{}
	for _, p := range profiles {
		data.Envs = append(data.Envs, string(p.Environment))
		data.Tiers = append(data.Tiers, string(p.Tier))
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
	for _, p := range profiles {
		raw, err := os.ReadFile(filepath.Join(root, cost.Dir, string(p.Environment)+".json"))
		if err != nil {
			return nil, fmt.Errorf("%w: run `go run mage.go plan:env %s`", err, p.Environment)
		}
		r, err := cost.Read(raw)
		if err != nil {
			return nil, err
		}
		c := costColumn{Fixed: usd(r.Fixed), Usage: usd(r.Usage), Total: usd(r.Total), Budget: usd(float64(p.Cost.MonthlyBudgetUSD)),
			Lambda: fmt.Sprintf("%s (%s)", usd(r.Lambda.Arm64USD), usd(r.Lambda.X86USD))}
		if r.FixedMax > r.Fixed {
			c.Fixed += fmt.Sprintf(" (up to %s at the autoscaling maximum)", usd(r.FixedMax))
		}
		data.Costs = append(data.Costs, c)
	}
	for _, inv := range profile.Invariants {
		data.Invariants = append(data.Invariants, inv.Name)
	}
	review, err := reviewDifferences()
	if err != nil {
		return nil, err
	}
	data.Review = review
	var b bytes.Buffer
	if err := environmentsPage.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// reviewSection is what review environments are: the environment they run
// beside, how long they are kept, and the settings in which they differ
// from it (environments.yaml's review block).
type reviewSection struct {
	In    string
	Hours int
	Rows  []row
}

func reviewDifferences() (*reviewSection, error) {
	r, ok := profile.Reviews()
	if !ok {
		return nil, nil
	}
	base, err := profile.Planned(r.In)
	if err != nil {
		return nil, err
	}
	review, err := profile.Planned(profile.LongestReview)
	if err != nil {
		return nil, err
	}
	out := &reviewSection{In: string(r.In), Hours: r.ExpiresAfterHours}
	for _, s := range profile.Settings {
		if s.Get == nil || s.Get(base) == s.Get(review) {
			continue
		}
		out.Rows = append(out.Rows, row{Label: s.Label, Key: s.Qualified(), Values: []string{differs(s.Get(base)), differs(s.Get(review))}})
	}
	return out, nil
}

// differs shows a value that differs between an environment and its review
// environments: as display does, but a zero is none (no NAT gateway).
func differs(v string) string {
	if strings.TrimSpace(v) == "0" {
		return "0 (none)"
	}
	return display(v)
}

func usd(v float64) string { return fmt.Sprintf("$%.2f", v) }

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
