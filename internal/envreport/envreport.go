// Package envreport reports the environments' validated profiles, as
// profile.FromStackFiles reads them from the four layers' stack files: the
// table `mage env:show` prints, docs/environments.md, and `env:apply`, which
// writes environments.yaml's accounts, region and suffix into the stack files.
package envreport

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/acmepay/platform/pkg/profile"
)

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
