package awstype

import (
	"fmt"
	"strings"

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

// logGroupPrice: ingestion (a flow log's is vended-log ingestion) and
// storage for as long as the group keeps its logs.
func logGroupPrice(r Priced) []Charge {
	u := r.Usage()
	gb, ingest := u.FunctionLogGBPerMonth, "logs-ingestion-gb"
	if strings.HasPrefix(r.PhysicalName(), "/aws/vpc/flow-logs/") {
		gb, ingest = u.FlowLogGBPerMonth, "logs-vended-ingestion-gb"
	}
	retention := number(r.Get("retentionInDays"))
	return []Charge{
		perUse("ingestion", ingest, gb),
		perUse(fmt.Sprintf("storage (%.0f days kept)", retention), "logs-storage-gb-month", gb*retention/30),
	}
}

func init() {
	registerCeiling(20, Ceiling{Unnamed: []string{"logs:DescribeLogGroups"}})
	registerCeiling(70, Ceiling{Named: []string{"cloudwatch:*", "logs:*", "sns:*"},
		Resources: func(s iampolicy.Scope, own string) []string {
			return []string{s.LogGroup("/aws/" + own), s.LogGroup("/aws/"+own) + ":*", s.Topic(own), s.Alarm(own), s.Dashboard(own)}
		}})
	registerGrants(70, observabilityGrants)
	register(observabilityCalls,
		Type{Token: LogGroup, IDIsName: true, Holds: "the logs in it",
			ARN:     func(s iampolicy.Scope, r Named) string { return s.LogGroup(r.Name) },
			Summary: []string{"retentionInDays"}, Find: &Finder{TagFilter: "logs:log-group", ID: AfterColon},
			Price: logGroupPrice,
			Settings: []Setting{
				setting("vpc-flow-logs", "retentionInDays", profile.KeyFlowLogRetentionDays),
				setting(".*", "retentionInDays", profile.KeyLogRetentionDays),
			},
		},
		Type{Token: MetricAlarm, IDIsName: true, ARN: func(s iampolicy.Scope, r Named) string { return s.Alarm(r.Name) },
			Summary: []string{"metricName", "statistic", "threshold"}, Find: &Finder{TagFilter: "cloudwatch:alarm", ID: AfterColon},
			Price: monthly("alarm", "cloudwatch-alarm-month"),
			Settings: []Setting{
				setting(".*-errors", "threshold", profile.KeyFunctionErrorsAlarm),
				setting("transactions-(read|write)-throttles", "threshold", profile.KeyTableThrottleAlarm),
			},
		},
		// Dashboards are global: their ARN has no region.
		Type{Token: Dashboard, Untaggable: true, NameInput: "dashboardName", IDIsName: true,
			ARN:   func(s iampolicy.Scope, r Named) string { return s.Dashboard(r.Name) },
			Price: monthly("dashboard", "cloudwatch-dashboard-month")},
		Type{Token: Topic, ARN: func(s iampolicy.Scope, r Named) string { return s.Topic(r.Name) },
			Document: &Document{"policy", validity.TopicPolicy},
			Summary:  []string{"kmsMasterKeyId"}, Find: &Finder{TagFilter: "sns", ID: WholeARN}, IDIsARN: true,
			Price: func(r Priced) []Charge {
				return []Charge{perUse("e-mail notifications", "sns-email-notification", r.Usage().AlarmNotificationsPerMonth)}
			}},
		Type{Token: TopicSubscription, Untaggable: true, Immutable: []string{"topic", "protocol", "endpoint"},
			NoCharge: "priced as notifications on the topic"},
		// No layer creates one; the stand-in validates its document as AWS
		// would.
		Type{Token: TopicPolicy, Untaggable: true, Document: &Document{"policy", validity.TopicPolicy}, OutsideTheLayers: true,
			NoCharge: "SNS topic policies have no charge"},
	)
}

// observabilityCalls are the API calls the provider makes for each operation on
// this file's types, as IAM authorizes them (see Operations).
var observabilityCalls = map[string]Operations{
	LogGroup: {
		Create: join(calls(self, "logs:CreateLogGroup", "logs:TagResource", "logs:PutRetentionPolicy", "logs:ListTagsForResource"), calls(star, "logs:DescribeLogGroups")),
		Read:   join(calls(star, "logs:DescribeLogGroups"), calls(self, "logs:ListTagsForResource")),
		// Each setting is written only when it changed (resourceGroupUpdate),
		// then the group is read again. The layers always set a retention
		// and a key, so the calls that remove them (DeleteRetentionPolicy,
		// DisassociateKmsKey) are never made, and not granted.
		Update: join(calls(star, "logs:DescribeLogGroups"), calls(self, "logs:ListTagsForResource")),
		UpdateWhen: map[string][]Call{
			"retentionInDays": calls(self, "logs:PutRetentionPolicy"),
			"kmsKeyId":        calls(self, "logs:AssociateKmsKey"),
			"tags":            calls(self, "logs:TagResource", "logs:UntagResource"),
		},
		Delete: calls(self, "logs:DeleteLogGroup"),
	},
	MetricAlarm: {
		Create: calls(self, "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
		Read:   calls(self, "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
		Update: calls(self, "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource"),
		Delete: calls(self, "cloudwatch:DeleteAlarms"),
	},
	Dashboard: {
		Create: calls(self, "cloudwatch:PutDashboard", "cloudwatch:GetDashboard"), Read: calls(self, "cloudwatch:GetDashboard"),
		Update: calls(self, "cloudwatch:PutDashboard"), Delete: calls(self, "cloudwatch:DeleteDashboards"),
	},
	Topic: {
		Create: calls(self, "sns:CreateTopic", "sns:TagResource", "sns:SetTopicAttributes", "sns:GetTopicAttributes", "sns:ListTagsForResource"),
		Read:   calls(self, "sns:GetTopicAttributes", "sns:ListTagsForResource"),
		Update: calls(self, "sns:SetTopicAttributes", "sns:TagResource", "sns:UntagResource"),
		Delete: calls(self, "sns:DeleteTopic"),
	},
	TopicSubscription: {
		Create: calls(ref("topic"), "sns:Subscribe", "sns:GetSubscriptionAttributes"), Read: calls(ref("topic"), "sns:GetSubscriptionAttributes"),
		Update: calls(ref("topic"), "sns:SetSubscriptionAttributes"), Delete: calls(ref("topic"), "sns:Unsubscribe"),
	},
}

// observabilityGrants are the deployer's grants on the log groups, alarms,
// dashboard and alarm topic.
func observabilityGrants(g Grantee) []iampolicy.Statement {
	s, named, inRegion := g.Workload.Scope, g.Named, g.InRegion()
	return []iampolicy.Statement{
		{
			Sid: "LogGroups", Effect: "Allow",
			Resource: []string{
				named("logs", "log-group:/aws/lambda/*-%s-%s"), named("logs", "log-group:/aws/lambda/*-%s-%s") + ":*",
				named("logs", "log-group:/aws/vpc/flow-logs/vpc-%s-%s"), named("logs", "log-group:/aws/vpc/flow-logs/vpc-%s-%s") + ":*",
			},
			Action: []string{
				"logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:ListTagsForResource",
				"logs:PutRetentionPolicy", "logs:TagResource", "logs:UntagResource",
			},
		},
		{Sid: "ListLogGroups", Effect: "Allow", Action: []string{"logs:DescribeLogGroups"}, Resource: []string{"*"}, Condition: inRegion},
		{
			Sid: "Alarms", Effect: "Allow",
			Resource: []string{named("cloudwatch", "alarm:*-%s-%s"), s.Dashboard(fmt.Sprintf("payments-%s-%s", g.Env, g.Suffix))},
			Action: []string{
				"cloudwatch:DeleteAlarms", "cloudwatch:DeleteDashboards", "cloudwatch:DescribeAlarms", "cloudwatch:GetDashboard",
				"cloudwatch:ListTagsForResource", "cloudwatch:PutDashboard", "cloudwatch:PutMetricAlarm",
				"cloudwatch:TagResource", "cloudwatch:UntagResource",
			},
		},
		{
			Sid: "AlarmTopic", Effect: "Allow", Resource: []string{named("sns", "alarms-%s-%s")},
			Action: []string{
				"sns:CreateTopic", "sns:DeleteTopic", "sns:GetSubscriptionAttributes", "sns:GetTopicAttributes",
				"sns:ListTagsForResource", "sns:SetSubscriptionAttributes", "sns:SetTopicAttributes", "sns:Subscribe",
				"sns:TagResource", "sns:Unsubscribe", "sns:UntagResource",
			},
		},
	}
}
