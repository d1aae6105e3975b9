// Package envreport renders an environment's validated profile, as read from
// the stack config files of the four layers, for `mage env:show`.
package envreport

import (
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/profile"
)

// Load reads and validates the profile of env from every layer's stack file
// under root, and fails when one is missing or two layers disagree about a
// sanctioned setting.
func Load(root, env string) (profile.Profile, error) {
	e, err := profile.ParseEnvironment(env)
	if err != nil {
		return profile.Profile{}, err
	}
	var first profile.Profile
	firstLayer := ""
	for _, layer := range contract.Layers() {
		path := profile.StackFile(filepath.Join(root, layer), string(e))
		cfg, err := profile.ReadStackFile(path)
		if err != nil {
			return profile.Profile{}, fmt.Errorf("layer %s has no usable stack %s: %w", layer, e, err)
		}
		p, err := profile.Load(string(e), profile.FromMap(cfg))
		if err != nil {
			return profile.Profile{}, fmt.Errorf("%s: %w", path, err)
		}
		if firstLayer == "" {
			first, firstLayer = p, layer
			continue
		}
		if p != first {
			return profile.Profile{}, fmt.Errorf("%s and %s stacks of %s disagree on the environment's settings: keep overrides identical across layers", firstLayer, layer, e)
		}
	}
	return first, nil
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
