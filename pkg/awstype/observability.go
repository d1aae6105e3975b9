package awstype

import (
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/iampolicy/validity"
	"github.com/acmepay/platform/pkg/profile"
)

// The logs, alarms, dashboard and notifications.
const (
	LogGroup          = "aws:cloudwatch/logGroup:LogGroup"
	MetricAlarm       = "aws:cloudwatch/metricAlarm:MetricAlarm"
	Dashboard         = "aws:cloudwatch/dashboard:Dashboard"
	Topic             = "aws:sns/topic:Topic"
	TopicSubscription = "aws:sns/topicSubscription:TopicSubscription"
	TopicPolicy       = "aws:sns/topicPolicy:TopicPolicy"
)

func init() {
	register(
		Type{Token: LogGroup, IDIsName: true, Holds: "the logs in it",
			ARN:     func(s iampolicy.Scope, r Named) string { return s.LogGroup(r.Name) },
			Summary: []string{"retentionInDays"}, Find: &Finder{TagFilter: "logs:log-group", ID: AfterColon},
			Settings: []Setting{
				setting("vpc-flow-logs", "retentionInDays", profile.KeyFlowLogRetentionDays),
				setting(".*", "retentionInDays", profile.KeyLogRetentionDays),
			},
		},
		Type{Token: MetricAlarm, IDIsName: true, ARN: func(s iampolicy.Scope, r Named) string { return s.Alarm(r.Name) },
			Summary: []string{"metricName", "statistic", "threshold"}, Find: &Finder{TagFilter: "cloudwatch:alarm", ID: AfterColon},
			Settings: []Setting{
				setting(".*-errors", "threshold", profile.KeyFunctionErrorsAlarm),
				setting("transactions-(read|write)-throttles", "threshold", profile.KeyTableThrottleAlarm),
			},
		},
		// Dashboards are global: their ARN has no region.
		Type{Token: Dashboard, Untaggable: true, NameInput: "dashboardName", IDIsName: true,
			ARN: func(s iampolicy.Scope, r Named) string { return s.Dashboard(r.Name) }},
		Type{Token: Topic, ARN: func(s iampolicy.Scope, r Named) string { return s.Topic(r.Name) },
			Document: &Document{"policy", validity.TopicPolicy},
			Summary:  []string{"kmsMasterKeyId"}, Find: &Finder{TagFilter: "sns", ID: WholeARN}},
		Type{Token: TopicSubscription, Untaggable: true, Immutable: []string{"topic", "protocol", "endpoint"},
			NoCharge: "priced as notifications on the topic"},
		// No layer creates one; the stand-in validates its document as AWS
		// would.
		Type{Token: TopicPolicy, Untaggable: true, Document: &Document{"policy", validity.TopicPolicy},
			NoCharge: "SNS topic policies have no charge"},
	)
}
