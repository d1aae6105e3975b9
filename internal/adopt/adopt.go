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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/pkg/profile"
)

// Finding is one drifted property and what adoption makes of it.
type Finding struct {
	Layer    string `json:"layer"`
	Type     string `json:"type"`
	Name     string `json:"name"`
	Path     string `json:"path,omitempty"`
	Recorded any    `json:"recorded,omitempty"`
	Live     any    `json:"live,omitempty"`
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

// Result is what an adoption did.
type Result struct {
	Environment string    `json:"environment"`
	Changes     []Change  `json:"changes"`
	RevertOnly  []Finding `json:"revertOnly"`
	// Manifests are the planned manifests regenerated.
	Manifests []string `json:"manifests"`
}

// rule maps a drifted property to the setting that produces it.
type rule struct {
	typ     string
	name    *regexp.Regexp // logical name
	path    *regexp.Regexp
	setting string
}

func r(typ, name, path, setting string) rule {
	return rule{typ: typ, name: regexp.MustCompile("^(" + name + ")$"), path: regexp.MustCompile("^(" + path + ")$"), setting: setting}
}

// rules are the properties that settings produce, and nothing else.
var rules = []rule{
	r("aws:lambda/function:Function", ".*", "memorySize", profile.KeyFunctionMemoryMB),
	r("aws:lambda/function:Function", ".*", "timeout", profile.KeyFunctionTimeout),
	r("aws:lambda/function:Function", ".*", "reservedConcurrentExecutions", profile.KeyReservedConcurrency),
	r("aws:cloudwatch/logGroup:LogGroup", "vpc-flow-logs", "retentionInDays", profile.KeyFlowLogRetentionDays),
	r("aws:cloudwatch/logGroup:LogGroup", ".*", "retentionInDays", profile.KeyLogRetentionDays),
	r("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "audit-logs",
		`rules\[0\]\.(expiration\.days|noncurrentVersionExpiration\.noncurrentDays)`, profile.KeyAuditExpirationDays),
	r("aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2", "audit-logs", `rule\.defaultRetention\.days`, profile.KeyAuditExpirationDays),
	r("aws:cloudwatch/metricAlarm:MetricAlarm", ".*-errors", "threshold", profile.KeyFunctionErrorsAlarm),
	r("aws:cloudwatch/metricAlarm:MetricAlarm", "transactions-(read|write)-throttles", "threshold", profile.KeyTableThrottleAlarm),
	r("aws:appautoscaling/target:Target", "transactions-(table|index)-read", "minCapacity", profile.KeyTableReadCapacity),
	r("aws:appautoscaling/target:Target", "transactions-(table|index)-write", "minCapacity", profile.KeyTableWriteCapacity),
	r("aws:appautoscaling/target:Target", "transactions-(table|index)-read", "maxCapacity", profile.KeyTableMaxReadCapacity),
	r("aws:appautoscaling/target:Target", "transactions-(table|index)-write", "maxCapacity", profile.KeyTableMaxWriteCapacity),
	r("aws:appautoscaling/policy:Policy", "transactions-.*", `targetTrackingScalingPolicyConfiguration\.targetValue`, profile.KeyTableTargetUtilization),
	r("aws:dynamodb/table:Table", "transactions", `pointInTimeRecovery\.enabled`, profile.KeyPointInTimeRecovery),
	r("aws:dynamodb/table:Table", "transactions", "billingMode", profile.KeyTableCapacityMode),
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

// Classify sorts every drifted property of a report.
func Classify(report drift.Report) (adoptable, revertOnly []Finding) {
	for _, d := range report.Drifted {
		props := d.Properties
		if d.Kind == drift.Deleted || len(props) == 0 {
			props = []drift.Property{{}}
		}
		for _, p := range props {
			f := Finding{Layer: d.Layer, Type: d.Type, Name: d.Name, Path: p.Path, Recorded: p.Recorded, Live: p.Live}
			if d.Kind != drift.Deleted {
				for _, ru := range rules {
					if ru.typ == d.Type && ru.name.MatchString(d.Name) && ru.path.MatchString(p.Path) {
						f.Setting = profile.Namespace + ":" + ru.setting
						break
					}
				}
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
	Root   string
	Report drift.Report
	// Dirty lists which of the given paths (relative to Root) have
	// uncommitted changes.
	Dirty func(paths []string) ([]string, error)
	// Plan re-plans an environment from the files under Root and writes its
	// planned manifest; it fails on a compliance violation.
	Plan func(ctx context.Context, root, env string) error
	Out  io.Writer
}

// ErrRefused wraps every reason an adoption changes nothing.
var ErrRefused = errors.New("adoption refused")

func refuse(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrRefused, fmt.Sprintf(format, args...))
}

// Run adopts the adoptable drift of a report.
func Run(ctx context.Context, o Options) (Result, error) {
	env, err := profile.ParseEnvironment(o.Report.Environment)
	if err != nil {
		return Result{}, refuse("drift report: %v", err)
	}
	current := map[profile.Environment]profile.Profile{}
	for _, e := range profile.Environments() {
		p, err := profile.FromStackFiles(o.Root, string(e))
		if err != nil {
			return Result{}, refuse("the stack files do not load as they are: %v", err)
		}
		current[e] = p
	}
	if o.Report.Account != current[env].AccountID {
		return Result{}, refuse("the drift report was taken in account %q, but %s is account %s", o.Report.Account, env, current[env].AccountID)
	}
	if err := checkFresh(o.Root, o.Report); err != nil {
		return Result{}, err
	}
	adoptable, revertOnly := Classify(o.Report)
	res := Result{Environment: string(env), RevertOnly: revertOnly}
	res.Changes, err = changes(env, current, adoptable)
	if err != nil {
		return Result{}, err
	}
	if len(res.Changes) == 0 {
		return res, nil
	}
	res.Manifests, err = write(ctx, o, res.Changes)
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// changes turns the adoptable findings into setting changes: in the
// drifted environment, or in all three where the setting is the same
// everywhere. Two findings giving one setting two values are refused.
func changes(env profile.Environment, current map[profile.Environment]profile.Profile, adoptable []Finding) ([]Change, error) {
	values := map[string]Finding{} // setting -> the finding that sets it
	for _, f := range adoptable {
		v, err := settingValue(f)
		if err != nil {
			return nil, refuse("%s %s %s: %v", f.Type, f.Name, f.Path, err)
		}
		if prev, ok := values[f.Setting]; ok {
			if pv, _ := settingValue(prev); pv != v {
				return nil, refuse("%s would take two values: %s from %s %s, %s from %s %s", f.Setting, pv, prev.Name, prev.Path, v, f.Name, f.Path)
			}
			continue
		}
		values[f.Setting] = f
	}
	var out []Change
	for _, key := range slices.Sorted(maps.Keys(values)) {
		f := values[key]
		s, _ := profile.LookupSetting(key)
		v, _ := settingValue(f)
		targets := []profile.Environment{env}
		why := fmt.Sprintf("%s %s %s was changed by hand in %s", f.Type, f.Name, f.Path, env)
		if s.Varies == profile.SameEverywhere {
			targets = profile.Environments()
			why += "; the setting is the same everywhere, so every environment gets it"
		}
		for _, t := range targets {
			if old := s.Get(current[t]); old != v {
				out = append(out, Change{
					Environment: string(t), File: filepath.Join(s.Owner, "Pulumi."+string(t)+".yaml"),
					Setting: key, Old: old, New: v, Why: why,
				})
			}
		}
	}
	return out, nil
}

// write applies the changes to the stack files of a clean working tree,
// then validates and re-plans every touched environment; on any failure it
// puts every file back. It returns the regenerated manifests and costs.
func write(ctx context.Context, o Options, changes []Change) ([]string, error) {
	touched := map[string]bool{}
	var paths []string
	for _, c := range changes {
		touched[c.Environment] = true
		paths = append(paths, c.File)
	}
	envs := slices.Sorted(maps.Keys(touched))
	for _, e := range envs {
		paths = append(paths, filepath.Join("manifests", "planned", e+".json"), filepath.Join("costs", e+".json"))
	}
	if o.Dirty != nil {
		dirty, err := o.Dirty(paths)
		if err != nil {
			return nil, refuse("checking the working tree: %v", err)
		}
		if len(dirty) > 0 {
			return nil, refuse("uncommitted changes in %s: commit or stash them first", strings.Join(dirty, ", "))
		}
	}
	backup := map[string][]byte{}
	for _, p := range paths {
		if raw, err := os.ReadFile(filepath.Join(o.Root, p)); err == nil {
			backup[p] = raw
		}
	}
	fail := func(err error) ([]string, error) {
		for p, raw := range backup {
			_ = os.WriteFile(filepath.Join(o.Root, p), raw, 0o644)
		}
		return nil, err
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
		if err := o.Plan(ctx, o.Root, e); err != nil {
			return fail(refuse("the plan of %s fails with the adopted values: %v", e, err))
		}
		manifests = append(manifests, filepath.Join("manifests", "planned", e+".json"), filepath.Join("costs", e+".json"))
	}
	return manifests, nil
}

// checkFresh refuses a report naming resources the environment's code no
// longer has (its planned manifest is the code's current resource list).
func checkFresh(root string, report drift.Report) error {
	path := filepath.Join(root, "manifests", "planned", report.Environment+".json")
	raw, err := os.ReadFile(path)
	if err != nil {
		return refuse("reading %s: %v", path, err)
	}
	var m manifest.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return refuse("reading %s: %v", path, err)
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

// WriteText prints the summary: per environment, each setting old -> new and
// why, then the revert-only list.
func (r Result) WriteText(w io.Writer) {
	if len(r.Changes) == 0 {
		fmt.Fprintf(w, "nothing to adopt from %s's drift\n", r.Environment)
	}
	for _, c := range r.Changes {
		fmt.Fprintf(w, "%-8s %-40s %s -> %s  (%s)\n         %s\n", c.Environment, c.Setting, c.Old, c.New, c.File, c.Why)
	}
	if len(r.RevertOnly) > 0 {
		fmt.Fprintf(w, "\nrevert-only (deploy %s, or run drift:revert %s, to put them back):\n", r.Environment, r.Environment)
		for _, f := range r.RevertOnly {
			fmt.Fprintf(w, "  %s %s %s: %s\n", f.Type, f.Name, f.Path, f.Reason)
		}
	}
	for _, m := range r.Manifests {
		fmt.Fprintf(w, "regenerated %s\n", m)
	}
}

// WriteJSON writes the summary as drift/<env>.adopt.json under dir.
func (r Result) WriteJSON(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, r.Environment+".adopt.json")
	return path, os.WriteFile(path, append(b, '\n'), 0o644)
}

// LoadReport reads drift/<env>.json under root, the last drift check's
// report, or runs check when there is none.
func LoadReport(root, env string, check func() (drift.Report, error)) (drift.Report, error) {
	path := filepath.Join(root, "drift", env+".json")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return check()
	}
	return drift.ReadJSON(path)
}

// GitDirty lists which of the paths (relative to root) have uncommitted
// changes in root's git working tree.
func GitDirty(root string) func(paths []string) ([]string, error) {
	return func(paths []string) ([]string, error) {
		args := append([]string{"status", "--porcelain", "--"}, paths...)
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("git status: %w", err)
		}
		var dirty []string
		for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
			if len(line) > 3 {
				dirty = append(dirty, strings.TrimSpace(line[3:]))
			}
		}
		return dirty, nil
	}
}
