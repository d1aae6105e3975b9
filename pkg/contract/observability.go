package contract

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// ObservabilityExports is what the observability program exports. No layer
// reads them; operators and the manifest do.
type ObservabilityExports struct {
	AlarmTopicArn pulumi.StringInput
	DashboardName string
	AlarmNames    []string
}

// Export publishes the observability outputs.
func (e ObservabilityExports) Export(ctx *pulumi.Context) {
	ctx.Export(KeyAlarmTopicArn, e.AlarmTopicArn)
	ctx.Export(KeyDashboardName, pulumi.String(e.DashboardName))
	ctx.Export(KeyAlarmNames, pulumi.ToStringArray(e.AlarmNames))
}
