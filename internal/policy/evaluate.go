package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/internal/policy/report"
	"github.com/acmepay/platform/pkg/profile"
)

// WaiversFile is the one reviewed file of waivers, relative to the root.
const WaiversFile = "compliance/waivers.yaml"

// Waiver exempts a rule in some environments, for a recorded reason: those
// it names, and every environment of the tiers it names (review
// environments are of the development tier).
type Waiver struct {
	Rule         string   `yaml:"rule"`
	Environments []string `yaml:"environments"`
	Tiers        []string `yaml:"tiers"`
	Reason       string   `yaml:"reason"`
	ApprovedBy   string   `yaml:"approvedBy"`
}

// appliesTo reports whether the waiver covers an environment of a tier.
func (w Waiver) appliesTo(env profile.Environment, tier profile.Tier) bool {
	return slices.Contains(w.Environments, string(profile.EntryOf(env))) || slices.Contains(w.Tiers, string(tier))
}

// Where is what the waiver covers, for a reader: its environments, then
// every environment of its tiers.
func (w Waiver) Where() string {
	where := slices.Clone(w.Environments)
	for _, t := range w.Tiers {
		where = append(where, "every "+t+" environment")
	}
	return strings.Join(where, ", ")
}

// LoadWaivers reads and checks the waivers file: every waiver names a known
// rule, at least one known environment, a reason and an approver.
func LoadWaivers(path string) ([]Waiver, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	var doc struct {
		Waivers []Waiver `yaml:"waivers"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("policy: %s: %w", path, err)
	}
	known := map[string]bool{}
	for _, r := range Rules() {
		known[r.ID] = true
	}
	for i, w := range doc.Waivers {
		where := fmt.Sprintf("%s waiver %d (%s)", path, i+1, w.Rule)
		switch {
		case !known[w.Rule]:
			return nil, fmt.Errorf("policy: %s: unknown rule", where)
		case len(w.Environments) == 0 && len(w.Tiers) == 0:
			return nil, fmt.Errorf("policy: %s: names no environment or tier", where)
		case strings.TrimSpace(w.Reason) == "":
			return nil, fmt.Errorf("policy: %s: has no reason", where)
		case strings.TrimSpace(w.ApprovedBy) == "":
			return nil, fmt.Errorf("policy: %s: has no approver", where)
		}
		for _, env := range w.Environments {
			if _, err := profile.ParseEntry(env); err != nil {
				return nil, fmt.Errorf("policy: %s: %w", where, err)
			}
		}
		for _, tier := range w.Tiers {
			if !slices.Contains(profile.Tiers(), profile.Tier(tier)) {
				return nil, fmt.Errorf("policy: %s: tier %q: allowed %s, %s or %s", where, tier, profile.Development, profile.PreProduction, profile.Production)
			}
		}
	}
	return doc.Waivers, nil
}

// Evaluate runs every rule on every resource of the manifest.
func Evaluate(m manifest.Manifest, waivers []Waiver) report.Report {
	env := newEnv(m)
	var results []report.Result
	for _, rule := range Rules() {
		var waiver *Waiver
		for i, w := range waivers {
			if w.Rule == rule.ID && w.appliesTo(profile.Environment(m.Environment), m.Settings.Tier) {
				waiver = &waivers[i]
			}
		}
		for _, r := range env.resources {
			if !rule.Applies(r) {
				continue
			}
			res := report.Result{Rule: rule.ID, Resource: r.URN, Outcome: report.Pass}
			if msg := rule.Check(r, env); msg != "" {
				res.Outcome, res.Message = report.Fail, msg+"; fix: "+rule.Fix
				if waiver != nil {
					res.Outcome, res.Waiver = report.Waived, waiver.Reason
				}
			}
			results = append(results, res)
		}
	}
	sort.SliceStable(results, func(i, j int) bool {
		a, b := results[i], results[j]
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Resource < b.Resource
	})
	var out report.Report
	for _, r := range results {
		out.Add(r)
	}
	return out
}

// Check evaluates a manifest with the waivers under root.
func Check(root string, m manifest.Manifest) (report.Report, error) {
	waivers, err := LoadWaivers(filepath.Join(root, WaiversFile))
	if err != nil {
		return report.Report{}, err
	}
	return Evaluate(m, waivers), nil
}
