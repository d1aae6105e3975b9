// Package adopt turns accepted hand changes into code. It reads a drift
// report and sorts each drifted property: a property that a setting produces
// (function memory, log retention, an alarm threshold, a capacity) is
// adoptable, and adopting it writes the live value as that setting's
// override, for the drifted environment alone when the setting may differ per
// environment, for all three when it must be the same everywhere; every other
// property (tags, rules, routes, IAM documents, deleted resources) comes from
// code and can only be reverted by a deployment. Adoption changes files only
// and goes through the same validation and compliance rules as any override:
// the stack files are written, every touched environment is re-planned, and
// any refusal puts every file back.
package adopt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/acmepay/platform/internal/cost"
	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/profile"
)

// Finding is one drifted property and what adoption makes of it.
type Finding struct {
	Environment string `json:"environment,omitempty"`
	Layer       string `json:"layer"`
	Type        string `json:"type"`
	Name        string `json:"name"`
	Path        string `json:"path,omitempty"`
	Recorded    any    `json:"recorded,omitempty"`
	Live        any    `json:"live,omitempty"`
	// Setting is the qualified key that produces the property, when it is
	// adoptable.
	Setting string `json:"setting,omitempty"`
	// Reason says why a property can only be reverted.
	Reason string `json:"reason,omitempty"`
}

// Change is one override adoption writes.
type Change struct {
	Environment string `json:"environment"`
	File        string `json:"file"`
	Setting     string `json:"setting"`
	Old         string `json:"old"`
	New         string `json:"new"`
	Why         string `json:"why"`
}

// Refusal is a setting adoption leaves alone, and why: the drift gives it
// two values, so no one value can be the code's.
type Refusal struct {
	Setting string `json:"setting"`
	Reason  string `json:"reason"`
}

// Result is what an adoption did.
type Result struct {
	// Night is the merged report the adoption read.
	Night   Night     `json:"night"`
	Changes []Change  `json:"changes"`
	Refused []Refusal `json:"refused"`
	// RevertOnly is every drifted property that only a deployment puts back.
	RevertOnly []Finding `json:"revertOnly"`
	// Manifests are the planned manifests and costs regenerated.
	Manifests []string `json:"manifests"`
	// CostDiff is the markdown table of what the adopted values do to the
	// touched environments' monthly cost.
	CostDiff string `json:"costDiff,omitempty"`
}

// revertReason says why a property that no setting produces can only be
// reverted.
func revertReason(d drift.Resource, path string) string {
	switch {
	case d.Kind == drift.Deleted:
		return "the resource was deleted; only a deployment recreates it"
	case strings.HasPrefix(path, "tags"):
		return "tags are set by the tagging transformation in code (pkg/tagging)"
	case strings.HasPrefix(d.Type, "aws:ec2/securityGroup") || strings.HasPrefix(d.Type, "aws:ec2/defaultSecurityGroup"):
		return "security-group rules are code (pkg/component)"
	case strings.HasPrefix(d.Type, "aws:ec2/route"):
		return "routes are code (pkg/component)"
	case strings.HasPrefix(d.Type, "aws:iam/") || strings.HasPrefix(d.Type, "aws:kms/") || strings.HasSuffix(path, "olicy"):
		return "IAM and key policies are code (pkg/workload, pkg/component)"
	}
	return fmt.Sprintf("%s of %s is set in code, not by a setting", path, d.Type)
}

// settingOf is the setting that produces a property ("payments:<key>"),
// from its type's entry (Settings, the first that matches), or "" when no
// setting does: the properties settings produce, and nothing else.
func settingOf(typ, name, path string) string {
	t, _ := awstype.Of(typ)
	for _, s := range t.Settings {
		if s.Name.MatchString(name) && s.Path.MatchString(path) {
			return profile.Namespace + ":" + s.Key
		}
	}
	return ""
}

// Classify sorts every drifted property of a report.
func Classify(report drift.Report) (adoptable, revertOnly []Finding) {
	for _, d := range report.Drifted {
		props := d.Properties
		if d.Kind == drift.Deleted || len(props) == 0 {
			props = []drift.Property{{}}
		}
		for _, p := range props {
			f := Finding{Environment: report.Environment, Layer: d.Layer, Type: d.Type, Name: d.Name, Path: p.Path, Recorded: p.Recorded, Live: p.Live}
			if d.Kind != drift.Deleted {
				f.Setting = settingOf(d.Type, d.Name, p.Path)
			}
			if f.Setting == "" {
				f.Reason = revertReason(d, p.Path)
				revertOnly = append(revertOnly, f)
				continue
			}
			adoptable = append(adoptable, f)
		}
	}
	return adoptable, revertOnly
}

// Options configure an adoption.
type Options struct {
	Root string
	// Reports are the drift reports of one night, one per environment.
	Reports []drift.Report
	// Dirty lists which of the given paths (relative to Root) have
	// uncommitted changes.
	Dirty func(paths []string) ([]string, error)
	// Plan re-plans an environment from the files under Root, writes its
	// planned manifest and cost report, and returns the cost; it fails on
	// a compliance violation.
	Plan func(ctx context.Context, root, env string) (cost.Report, error)
	Out  io.Writer
}

// ErrRefused wraps every reason an adoption changes nothing.
var ErrRefused = errors.New("adoption refused")

func refuse(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrRefused, fmt.Sprintf(format, args...))
}

// Run adopts the adoptable drift of a night's reports: each setting once,
// in the environments it belongs to, and every touched environment
// re-planned once. A setting the reports give two values is refused and
// listed; the rest is adopted.
func Run(ctx context.Context, o Options) (Result, error) {
	night, err := Merge(o.Reports)
	if err != nil {
		return Result{}, err
	}
	reports, _ := CheckReports(o.Reports)
	current := map[profile.Environment]profile.Profile{}
	for _, e := range profile.Environments() {
		p, err := profile.FromStackFiles(o.Root, string(e))
		if err != nil {
			return Result{}, refuse("the stack files do not load as they are: %v", err)
		}
		current[e] = p
	}
	res := Result{Night: night, Changes: []Change{}, Refused: []Refusal{}, RevertOnly: []Finding{}, Manifests: []string{}}
	var adoptable []Finding
	for _, r := range reports {
		env := profile.Environment(r.Environment)
		if r.Account != current[env].AccountID {
			return Result{}, refuse("the drift report of %s was taken in account %q, but %s is account %s", env, r.Account, env, current[env].AccountID)
		}
		if err := checkFresh(o.Root, r); err != nil {
			return Result{}, err
		}
		a, revertOnly := Classify(r)
		adoptable = append(adoptable, a...)
		res.RevertOnly = append(res.RevertOnly, revertOnly...)
	}
	res.Changes, res.Refused = changes(current, adoptable)
	if len(res.Changes) == 0 {
		return res, nil
	}
	res.Manifests, res.CostDiff, err = write(ctx, o, res.Changes)
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// changes turns the adoptable findings into setting changes: in the
// drifted environment, or in all three where the setting is the same
// everywhere. A setting the findings give two values (in one environment,
// or, for a same-everywhere setting, in two) is refused, naming them.
func changes(current map[profile.Environment]profile.Profile, adoptable []Finding) ([]Change, []Refusal) {
	bySetting := map[string][]Finding{}
	var refused []Refusal
	for _, f := range adoptable {
		if _, err := settingValue(f); err != nil {
			refused = append(refused, Refusal{Setting: f.Setting, Reason: fmt.Sprintf("%s: %s %s %s: %v", f.Environment, f.Type, f.Name, f.Path, err)})
			continue
		}
		bySetting[f.Setting] = append(bySetting[f.Setting], f)
	}
	out := []Change{}
	for _, key := range slices.Sorted(maps.Keys(bySetting)) {
		s, _ := profile.LookupSetting(key)
		// The value each environment's drift gives the setting.
		value := map[profile.Environment]string{}
		first := map[profile.Environment]Finding{}
		var conflict string
		for _, f := range bySetting[key] {
			env := profile.Environment(f.Environment)
			v, _ := settingValue(f)
			prev, seen := first[env]
			switch {
			case !seen:
				value[env], first[env] = v, f
			case value[env] != v && conflict == "":
				conflict = fmt.Sprintf("in %s it would take two values: %s from %s %s, %s from %s %s", env, value[env], prev.Name, prev.Path, v, f.Name, f.Path)
			}
		}
		envs := slices.Sorted(maps.Keys(value))
		slices.SortFunc(envs, func(a, b profile.Environment) int { return order(a) - order(b) })
		if conflict == "" && s.Varies == profile.SameEverywhere {
			for _, e := range envs[1:] {
				if value[e] != value[envs[0]] {
					conflict = fmt.Sprintf("it must be the same in every environment, but %s drifted to %s (%s %s) and %s to %s (%s %s); "+
						"decide which value the code takes and set it in every environment's stack file, or let the next deployments put the code's value back",
						envs[0], value[envs[0]], first[envs[0]].Name, first[envs[0]].Path, e, value[e], first[e].Name, first[e].Path)
					break
				}
			}
		}
		if conflict != "" {
			refused = append(refused, Refusal{Setting: key, Reason: conflict})
			continue
		}
		names := make([]string, len(envs))
		for i, e := range envs {
			names[i] = string(e)
		}
		f := first[envs[0]]
		why := fmt.Sprintf("%s %s %s was changed by hand in %s", f.Type, f.Name, f.Path, strings.Join(names, " and "))
		type target struct {
			env profile.Environment
			v   string
		}
		var targets []target
		if s.Varies == profile.SameEverywhere {
			why += "; the setting is the same everywhere, so every environment gets it"
			for _, e := range profile.Environments() {
				targets = append(targets, target{e, value[envs[0]]})
			}
		} else {
			for _, e := range envs {
				targets = append(targets, target{e, value[e]})
			}
		}
		for _, t := range targets {
			if old := s.Get(current[t.env]); old != t.v {
				out = append(out, Change{
					Environment: string(t.env), File: filepath.Join(s.Owner, "Pulumi."+string(t.env)+".yaml"),
					Setting: key, Old: old, New: t.v, Why: why,
				})
			}
		}
	}
	return out, refused
}

// order is an environment's place in promotion order.
func order(e profile.Environment) int { return slices.Index(profile.Environments(), e) }

// write applies the changes to the stack files of a clean working tree,
// then validates and re-plans every touched environment once; on any
// failure it puts every file back. It returns the regenerated manifests and
// costs, and the cost diff.
func write(ctx context.Context, o Options, changes []Change) ([]string, string, error) {
	touched := map[string]bool{}
	var paths []string
	for _, c := range changes {
		touched[c.Environment] = true
		paths = append(paths, c.File)
	}
	var envs []string
	for _, e := range profile.Environments() {
		if touched[string(e)] {
			envs = append(envs, string(e))
		}
	}
	for _, e := range envs {
		paths = append(paths, filepath.FromSlash(manifest.PlannedPath(e)), filepath.Join(cost.Dir, e+".json"))
	}
	if o.Dirty != nil {
		dirty, err := o.Dirty(paths)
		if err != nil {
			return nil, "", refuse("checking the working tree: %v", err)
		}
		if len(dirty) > 0 {
			return nil, "", refuse("uncommitted changes in %s: commit or stash them first", strings.Join(dirty, ", "))
		}
	}
	backup := map[string][]byte{}
	for _, p := range paths {
		if raw, err := os.ReadFile(filepath.Join(o.Root, p)); err == nil {
			backup[p] = raw
		}
	}
	fail := func(err error) ([]string, string, error) {
		for p, raw := range backup {
			_ = os.WriteFile(filepath.Join(o.Root, p), raw, 0o644)
		}
		return nil, "", err
	}
	var before, after []cost.Report
	for _, e := range envs {
		old := cost.Report{Environment: e}
		if raw, ok := backup[filepath.Join(cost.Dir, e+".json")]; ok {
			r, err := cost.Read(raw)
			if err != nil {
				return fail(refuse("reading %s: %v", filepath.Join(cost.Dir, e+".json"), err))
			}
			old = r
		}
		before = append(before, old)
	}
	for _, c := range changes {
		if err := profile.SetStackValue(filepath.Join(o.Root, c.File), c.Setting, c.New); err != nil {
			return fail(err)
		}
	}
	for _, e := range envs {
		if _, err := profile.ForDeployment(o.Root, profile.Environment(e)); err != nil {
			return fail(refuse("%v", err))
		}
	}
	var manifests []string
	for _, e := range envs {
		c, err := o.Plan(ctx, o.Root, e)
		if err != nil {
			return fail(refuse("the plan of %s fails with the adopted values: %v", e, err))
		}
		after = append(after, c)
		manifests = append(manifests, filepath.FromSlash(manifest.PlannedPath(e)), filepath.Join(cost.Dir, e+".json"))
	}
	return manifests, cost.Diff(before, after), nil
}

// checkFresh refuses a report naming resources the environment's code no
// longer has (its planned manifest is the code's current resource list).
func checkFresh(root string, report drift.Report) error {
	m, err := manifest.ReadPlanned(root, report.Environment)
	if err != nil {
		return refuse("reading %s: %v", manifest.PlannedPath(report.Environment), err)
	}
	known := map[string]bool{}
	for _, l := range m.Layers {
		for _, r := range l.Resources {
			known[r.URN] = true
		}
	}
	for _, d := range report.Drifted {
		if !known[d.URN] {
			return refuse("the drift report is stale: %s is not in the environment's code any more; run drift:env %s again", d.URN, report.Environment)
		}
	}
	return nil
}

// settingValue is the live value of a finding as setting text.
func settingValue(f Finding) (string, error) {
	switch v := f.Live.(type) {
	case float64:
		if v != math.Trunc(v) {
			return "", fmt.Errorf("live value %v is not a whole number", v)
		}
		return fmt.Sprint(int64(v)), nil
	case bool:
		return fmt.Sprint(v), nil
	case string:
		return v, nil
	case nil:
		return "", fmt.Errorf("the property was removed")
	}
	return "", fmt.Errorf("live value %v cannot be a setting", f.Live)
}
