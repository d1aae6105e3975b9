package parity

import (
	"regexp"
	"strings"
)

// sanction is one difference docs/environments.md allows.
type sanction struct {
	// Resource matches the normalised URN; Path the setting ("" = the
	// resource exists only in some environments).
	Resource *regexp.Regexp
	Path     *regexp.Regexp
	Why      string
}

func s(resource, path, why string) sanction {
	var p *regexp.Regexp
	if path != "" {
		p = regexp.MustCompile("^(" + path + ")$")
	}
	return sanction{Resource: regexp.MustCompile(resource), Path: p, Why: why}
}

// sanctioned lists the differences docs/environments.md allows, and nothing else.
var sanctioned = []sanction{
	s(`aws:ec2/(natGateway:NatGateway|eip:Eip)::vpc-nat-2$`, "", "NAT gateways: 1 shared in dev and staging, one per AZ in prod"),
	s(`aws:ec2/route:Route::vpc-private-2-default$`, `natGatewayId`, "NAT gateways: the second AZ routes to its own NAT in prod"),
	s(`aws:ec2/flowLog:FlowLog::vpc-flow-log$|aws:cloudwatch/logGroup:LogGroup::vpc-flow-logs$|aws:iam/(role:Role|rolePolicy:RolePolicy)::vpc-flow-logs$`, "", "VPC flow logs: off in dev, on in staging and prod"),
	s(`aws:appautoscaling/(target:Target|policy:Policy)::transactions-`, "", "DynamoDB capacity mode: on-demand in dev, provisioned with autoscaling in staging and prod"),
	s(`aws:dynamodb/table:Table::transactions$`, `billingMode|readCapacity|writeCapacity|globalSecondaryIndexes\[0\]\.(readCapacity|writeCapacity)`, "DynamoDB capacity mode and read/write capacity"),
	s(`aws:dynamodb/table:Table::transactions$`, `pointInTimeRecovery\.enabled`, "DynamoDB point-in-time recovery: prod only"),
	s(`aws:lambda/function:Function::`, `memorySize`, "Lambda memory: 512 / 1024 / 2048 MB"),
	s(`aws:lambda/function:Function::`, `reservedConcurrentExecutions`, "Lambda reserved concurrency: 5 / 20 / 200"),
	s(`aws:cloudwatch/logGroup:LogGroup::`, `retentionInDays`, "log retention: 30 / 90 / 365 days"),
	s(`aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2::audit-logs$`, `rules\[0\]\.(expiration\.days|noncurrentVersionExpiration\.noncurrentDays)`, "S3 audit-log expiration: 30 / 90 / 365 days"),
	s(`aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2::audit-logs$`, `rule\.defaultRetention\.days`, "audit records are locked for as long as they are kept: 30 / 90 / 365 days"),
	s(`aws:cloudwatch/metricAlarm:MetricAlarm::`, `threshold|alarmDescription`, "alarm thresholds: Errors 10 / 5 / 1, DynamoDB throttles 50 / 10 / 1"),
	s(`aws:cloudwatch/dashboard:Dashboard::`, `dashboardBody\.widgets\[\d+\]\.properties\.annotations\.horizontal\[0\]\.value`, "the dashboard marks each alarm's threshold"),
	s(`aws:sns/topicSubscription:TopicSubscription::alarms-email-\d+$`, "", "alarm e-mail subscribers come from each stack's payments:alarmEmails"),
	s(`aws:sns/topicSubscription:TopicSubscription::alarms-email-\d+$`, `endpoint`, "each environment's alarms reach its own subscribers (payments:alarmEmails)"),
	// pipeline.breakGlassPrincipals in pkg/profile/environments.yaml: prod
	// has a break-glass role, and its bucket, key and table keep everyone
	// else from destroying their data.
	s(`aws:dynamodb/resourcePolicy:ResourcePolicy::transactions$`, "", "prod's table: only its break-glass role destroys it"),
	s(`aws:s3/bucketPolicy:BucketPolicy::audit-logs$`, `policy\.Statement\[1\]\..+`, "prod's audit bucket: only its break-glass role weakens the trail"),
	s(`aws:kms/key:Key::environment-key$`, `bypassPolicyLockoutSafetyCheck|policy\.Statement\[3\]\..+`, "prod's key: only its break-glass role disables or deletes it"),
	s(`.`, `tags\.(CostCenter|DataClassification)`, "cost centre and data classification tags per environment"),
}

func sanctionFor(d Difference) string {
	for _, sc := range sanctioned {
		if !sc.Resource.MatchString(d.Resource) {
			continue
		}
		if sc.Path == nil && d.Path == "" {
			return sc.Why
		}
		if sc.Path != nil && sc.Path.MatchString(strings.TrimSpace(d.Path)) {
			return sc.Why
		}
	}
	return ""
}
