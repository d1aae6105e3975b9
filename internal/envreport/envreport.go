// Package envreport renders an environment's validated profile, as read from
// the stack config files of the four layers, for `mage env:show`.
package envreport

import (
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/profile"
)

// Load reads and validates the profile of env from every layer's stack file
// under root. Each file may hold only its own layer's settings and the shared
// ones; the shared ones must agree across the four files; the environment's
// profile is then the defaults with every layer's overrides, validated as a
// whole (the mission's invariants included).
func Load(root, env string) (profile.Profile, error) {
	e, err := profile.ParseEnvironment(env)
	if err != nil {
		return profile.Profile{}, err
	}
	merged := map[string]string{}
	shared := map[string]map[string]string{} // key -> file -> value
	var files []string
	for _, layer := range contract.Layers() {
		path := profile.StackFile(filepath.Join(root, layer), string(e))
		rel := filepath.Join(layer, filepath.Base(path))
		files = append(files, rel)
		cfg, err := profile.ReadStackFile(path)
		if err != nil {
			return profile.Profile{}, fmt.Errorf("layer %s has no usable stack %s: %w", layer, e, err)
		}
		if err := profile.CheckOwnership(layer, rel, cfg); err != nil {
			return profile.Profile{}, err
		}
		// Each file must make a valid stack on its own: it is what a
		// hand-run `pulumi up` in that layer reads.
		if _, err := profile.Load(string(e), profile.FromMap(cfg)); err != nil {
			return profile.Profile{}, fmt.Errorf("%s: %w", rel, err)
		}
		for k, v := range cfg {
			if s, ok := profile.LookupSetting(k); ok && s.Owner == profile.Shared {
				if shared[k] == nil {
					shared[k] = map[string]string{}
				}
				shared[k][rel] = v
				continue
			}
			merged[k] = v
		}
	}
	for _, key := range slices.Sorted(maps.Keys(shared)) {
		if err := agree(key, shared[key], files); err != nil {
			return profile.Profile{}, err
		}
		for _, v := range shared[key] {
			merged[key] = v
		}
	}
	p, err := profile.Load(string(e), profile.FromMap(merged))
	if err != nil {
		return profile.Profile{}, fmt.Errorf("%s: %w", env, err)
	}
	return p, nil
}

// agree checks that a shared setting has one value in every layer's file,
// and otherwise names each file's value and the files to fix (those that
// differ from the most common value).
func agree(key string, values map[string]string, files []string) error {
	count := map[string]int{}
	for _, f := range files {
		v, ok := values[f]
		if !ok {
			v = "(not set)"
		}
		count[v]++
	}
	if len(count) == 1 {
		return nil
	}
	common, best := "", 0
	for v, n := range count {
		if n > best || (n == best && v < common) {
			common, best = v, n
		}
	}
	var each, fix []string
	for _, f := range files {
		v, ok := values[f]
		if !ok {
			v = "(not set)"
		}
		each = append(each, fmt.Sprintf("%s has %q", f, v))
		if v != common {
			fix = append(fix, f)
		}
	}
	return fmt.Errorf("config %s must be the same in every layer's stack file: %s; fix %s",
		key, strings.Join(each, ", "), strings.Join(fix, " and "))
}

// LoadForDeployment is Load of env plus the checks across environments
// (overlapping CIDRs, shared accounts) that a single environment cannot make:
// everything that must hold before any layer of env is planned or deployed.
func LoadForDeployment(root string, env profile.Environment) (profile.Profile, error) {
	var all []profile.Profile
	var target profile.Profile
	for _, e := range profile.Environments() {
		p, err := Load(root, string(e))
		if err != nil {
			return profile.Profile{}, fmt.Errorf("configuration of %s: %w", e, err)
		}
		all = append(all, p)
		if e == env {
			target = p
		}
	}
	if err := profile.ValidateSet(all); err != nil {
		return profile.Profile{}, err
	}
	return target, nil
}

// Write prints the profile as a two-column table.
func Write(w io.Writer, p profile.Profile) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	rows := [][2]string{
		{"environment", string(p.Environment)},
		{"account", p.AccountID},
		{"region", p.Region},
		{"suffix", p.Suffix},
		{"vpc cidr", p.Network.VpcCIDR},
		{"nat gateways", fmt.Sprint(p.Network.NatGateways)},
		{"flow logs", fmt.Sprint(p.Network.FlowLogs)},
		{"lambda", fmt.Sprintf("%s, %d MB, %d s timeout", p.Function.Architecture, p.Function.MemoryMB, p.Function.TimeoutSeconds)},
		{"log retention (days)", fmt.Sprint(p.Function.LogRetentionDays)},
		{"reserved concurrency", fmt.Sprint(p.Function.ReservedConcurrency)},
		{"table capacity", capacity(p.Table)},
		{"point-in-time recovery", fmt.Sprint(p.Table.PointInTimeRecovery)},
		{"audit-log expiration (days)", fmt.Sprint(p.Audit.ExpirationDays)},
		{"errors alarm (5-min sum)", fmt.Sprint(p.Alarms.FunctionErrorsThreshold)},
		{"throttle alarm (5-min sum)", fmt.Sprint(p.Alarms.TableThrottleThreshold)},
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", r[0], r[1])
	}
	return tw.Flush()
}

func capacity(t profile.Table) string {
	if !t.Provisioned() {
		return "on-demand (" + t.CapacityMode + ")"
	}
	return fmt.Sprintf("provisioned %d/%d, autoscaling max %d/%d at %d%%", t.ReadCapacity, t.WriteCapacity, t.MaxReadCapacity, t.MaxWriteCapacity, t.TargetUtilization)
}
