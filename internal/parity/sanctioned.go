package parity

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/acmepay/platform/pkg/profile"
)

// sanction is one difference docs/environments.md allows.
type sanction struct {
	// Resource matches the normalised URN; Path the setting ("" = the
	// resource exists only in some environments).
	Resource *regexp.Regexp
	Path     *regexp.Regexp
	// Why says which setting makes the difference, with each compared
	// environment's value of it (their manifests' settings), so the
	// reason never names an environment or a value of its own.
	Why func(envs []profile.Profile) string
}

func s(resource, path string, why func([]profile.Profile) string) sanction {
	var p *regexp.Regexp
	if path != "" {
		p = regexp.MustCompile("^(" + path + ")$")
	}
	return sanction{Resource: regexp.MustCompile(resource), Path: p, Why: why}
}

// fixed is a reason that holds whatever the environments' values.
func fixed(why string) func([]profile.Profile) string {
	return func([]profile.Profile) string { return why }
}

// each is "<what>: dev 512, staging 1024, prod 2048<unit>": the setting's
// value in each compared environment, in their order.
func each(what, unit string, value func(profile.Profile) any) func([]profile.Profile) string {
	return func(envs []profile.Profile) string {
		parts := make([]string, 0, len(envs))
		for _, p := range envs {
			parts = append(parts, fmt.Sprintf("%s %v", p.Environment, value(p)))
		}
		return what + ": " + strings.Join(parts, ", ") + unit
	}
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func capacityMode(p profile.Profile) any {
	if p.Table.Provisioned() {
		return "provisioned with autoscaling"
	}
	return "on-demand"
}

// sanctioned lists the differences docs/environments.md allows, and nothing else.
var sanctioned = []sanction{
	s(`aws:ec2/(natGateway:NatGateway|eip:Eip)::vpc-nat-2$`, "", each("NAT gateways (network.natGateways; 2 is one per AZ)", "", func(p profile.Profile) any { return p.Network.NatGateways })),
	s(`aws:ec2/route:Route::vpc-private-2-default$`, `natGatewayId`, fixed("NAT gateways: with one per AZ, the second AZ routes to its own")),
	s(`aws:ec2/flowLog:FlowLog::vpc-flow-log$|aws:cloudwatch/logGroup:LogGroup::vpc-flow-logs$|aws:iam/(role:Role|rolePolicy:RolePolicy)::vpc-flow-logs$`, "", each("VPC flow logs (network.flowLogs)", "", func(p profile.Profile) any { return onOff(p.Network.FlowLogs) })),
	s(`aws:appautoscaling/(target:Target|policy:Policy)::transactions-`, "", each("DynamoDB capacity mode (table.capacityMode)", "", capacityMode)),
	s(`aws:dynamodb/table:Table::transactions$`, `billingMode|readCapacity|writeCapacity|globalSecondaryIndexes\[0\]\.(readCapacity|writeCapacity)`, fixed("DynamoDB capacity mode and read/write capacity")),
	s(`aws:dynamodb/table:Table::transactions$`, `pointInTimeRecovery\.enabled`, each("DynamoDB point-in-time recovery (production tier only)", "", func(p profile.Profile) any { return onOff(p.Table.PointInTimeRecovery) })),
	s(`aws:lambda/function:Function::`, `memorySize`, each("Lambda memory (function.memoryMb)", " MB", func(p profile.Profile) any { return p.Function.MemoryMB })),
	s(`aws:lambda/function:Function::`, `reservedConcurrentExecutions`, each("Lambda reserved concurrency (function.reservedConcurrency)", "", func(p profile.Profile) any { return p.Function.ReservedConcurrency })),
	s(`aws:cloudwatch/logGroup:LogGroup::`, `retentionInDays`, each("log retention (function.logRetentionDays)", " days", func(p profile.Profile) any { return p.Function.LogRetentionDays })),
	s(`aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2::audit-logs$`, `rules\[0\]\.(expiration\.days|noncurrentVersionExpiration\.noncurrentDays)`, each("S3 audit-log expiration (audit.expirationDays)", " days", func(p profile.Profile) any { return p.Audit.ExpirationDays })),
	s(`aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2::audit-logs$`, `rule\.defaultRetention\.days`, each("audit records are locked for as long as they are kept (audit.expirationDays)", " days", func(p profile.Profile) any { return p.Audit.ExpirationDays })),
	s(`aws:cloudwatch/metricAlarm:MetricAlarm::`, `threshold|alarmDescription`, each("alarm thresholds (alarms.functionErrorsThreshold / alarms.tableThrottleThreshold)", "", func(p profile.Profile) any {
		return fmt.Sprintf("%d/%d", p.Alarms.FunctionErrorsThreshold, p.Alarms.TableThrottleThreshold)
	})),
	s(`aws:cloudwatch/dashboard:Dashboard::`, `dashboardBody\.widgets\[\d+\]\.properties\.annotations\.horizontal\[0\]\.value`, fixed("the dashboard marks each alarm's threshold")),
	s(`aws:sns/topicSubscription:TopicSubscription::alarms-email-\d+$`, "", fixed("alarm e-mail subscribers come from each stack's payments:alarmEmails")),
	s(`aws:sns/topicSubscription:TopicSubscription::alarms-email-\d+$`, `endpoint`, fixed("each environment's alarms reach its own subscribers (payments:alarmEmails)")),
	// pipeline.breakGlassPrincipals in pkg/profile/environments.yaml: a
	// production environment has a break-glass role, and its bucket, key
	// and table keep everyone else from destroying their data.
	s(`aws:dynamodb/resourcePolicy:ResourcePolicy::transactions$`, "", fixed("a production environment's table: only its break-glass role destroys it")),
	s(`aws:s3/bucketPolicy:BucketPolicy::audit-logs$`, `policy\.Statement\[1\]\..+`, fixed("a production environment's audit bucket: only its break-glass role weakens the trail")),
	s(`aws:kms/key:Key::environment-key$`, `bypassPolicyLockoutSafetyCheck|policy\.Statement\[3\]\..+`, fixed("a production environment's key: only its break-glass role disables or deletes it")),
	s(`.`, `tags\.(CostCenter|DataClassification)`, fixed("cost centre and data classification tags per environment")),
}

func sanctionFor(d Difference, envs []profile.Profile) string {
	for _, sc := range sanctioned {
		if !sc.Resource.MatchString(d.Resource) {
			continue
		}
		if sc.Path == nil && d.Path == "" {
			return sc.Why(envs)
		}
		if sc.Path != nil && sc.Path.MatchString(strings.TrimSpace(d.Path)) {
			return sc.Why(envs)
		}
	}
	return ""
}
