package policy

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/acmepay/platform/internal/manifest"
)

// Outcomes of a rule on a resource.
const (
	Pass   = "pass"
	Fail   = "fail"
	Waived = "waived"
)

// WaiversFile is the one reviewed file of waivers, relative to the root.
const WaiversFile = "compliance/waivers.yaml"

// Waiver exempts a rule in some environments, for a recorded reason.
type Waiver struct {
	Rule         string   `yaml:"rule"`
	Environments []string `yaml:"environments"`
	Reason       string   `yaml:"reason"`
	ApprovedBy   string   `yaml:"approvedBy"`
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
		case len(w.Environments) == 0:
			return nil, fmt.Errorf("policy: %s: names no environment", where)
		case strings.TrimSpace(w.Reason) == "":
			return nil, fmt.Errorf("policy: %s: has no reason", where)
		case strings.TrimSpace(w.ApprovedBy) == "":
			return nil, fmt.Errorf("policy: %s: has no approver", where)
		}
		for _, env := range w.Environments {
			if !slices.Contains([]string{"dev", "staging", "prod"}, env) {
				return nil, fmt.Errorf("policy: %s: unknown environment %q", where, env)
			}
		}
	}
	return doc.Waivers, nil
}

// Evaluate runs every rule on every resource of the manifest.
func Evaluate(m manifest.Manifest, waivers []Waiver) manifest.PolicyReport {
	env := newEnv(m)
	var report manifest.PolicyReport
	for _, rule := range Rules() {
		var waiver *Waiver
		for i, w := range waivers {
			if w.Rule == rule.ID && slices.Contains(w.Environments, m.Environment) {
				waiver = &waivers[i]
			}
		}
		for _, r := range env.resources {
			if !rule.Applies(r) {
				continue
			}
			res := manifest.PolicyResult{Rule: rule.ID, Resource: r.URN, Outcome: Pass}
			if msg := rule.Check(r, env); msg != "" {
				res.Outcome, res.Message = Fail, msg+"; fix: "+rule.Fix
				if waiver != nil {
					res.Outcome, res.Waiver = Waived, waiver.Reason
				}
			}
			report.Results = append(report.Results, res)
		}
	}
	sort.SliceStable(report.Results, func(i, j int) bool {
		a, b := report.Results[i], report.Results[j]
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Resource < b.Resource
	})
	for _, r := range report.Results {
		switch r.Outcome {
		case Pass:
			report.Summary.Passed++
		case Waived:
			report.Summary.Waived++
		case Fail:
			report.Summary.Failed++
		}
	}
	return report
}

// Violations returns an error listing every unwaived failure (rule, resource
// and fix), or nil.
func Violations(r manifest.PolicyReport) error {
	var lines []string
	for _, res := range r.Results {
		if res.Outcome == Fail {
			lines = append(lines, fmt.Sprintf("  %s on %s: %s", res.Rule, res.Resource, res.Message))
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return fmt.Errorf("%d policy violation(s):\n%s", len(lines), strings.Join(lines, "\n"))
}

// WriteText prints the summary and every failed or waived result.
func WriteText(w io.Writer, env string, r manifest.PolicyReport) {
	fmt.Fprintf(w, "policy %s: %d passed, %d waived, %d failed\n", env, r.Summary.Passed, r.Summary.Waived, r.Summary.Failed)
	for _, res := range r.Results {
		switch res.Outcome {
		case Waived:
			fmt.Fprintf(w, "  waived  %-28s %s\n          reason: %s\n", res.Rule, res.Resource, res.Waiver)
		case Fail:
			fmt.Fprintf(w, "  FAILED  %-28s %s\n          %s\n", res.Rule, res.Resource, res.Message)
		}
	}
}

// Apply evaluates the manifest with the waivers under root and attaches the
// report to it.
func Apply(root string, m *manifest.Manifest) error {
	waivers, err := LoadWaivers(filepath.Join(root, WaiversFile))
	if err != nil {
		return err
	}
	report := Evaluate(*m, waivers)
	m.Policy = &report
	return nil
}
