package observabilitylayer

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/stacktest"
)

// This layer's rows of the environment table (docs/environments.md),
// written out (the 5-minute sums at which alarms fire); what every layer
// expects is stacktest.Environments.
type expected struct {
	stacktest.Environment
	errors, throttles float64
	emails            []string
}

var environments = []expected{
	{stacktest.Env("dev"), 10, 50, []string{"payments-dev-alarms@example.com"}},
	{stacktest.Env("staging"), 5, 10, []string{"payments-staging-alarms@example.com"}},
	{stacktest.Env("prod"), 1, 1, []string{"payments-oncall@example.com"}},
}

func upstream(env string) map[string]map[string]any {
	return map[string]map[string]any{
		"organization/network/" + env: stacktest.NetworkOutputs(env, "1"),
		"organization/data/" + env: {
			"tableName": "transactions-" + env + "-" + fixture.DevSuffix, "tableArn": "arn:aws:dynamodb:us-east-1:1:table/transactions-" + env + "-" + fixture.DevSuffix,
			"tableMerchantIndexName": "merchantId-createdAt-index",
			"auditBucketName":        "audit-logs-" + env + "-" + fixture.DevSuffix, "auditBucketArn": "arn:aws:s3:::audit-logs-" + env + "-" + fixture.DevSuffix,
			"auditPrefix": "audit/",
		},
		"organization/compute/" + env: {
			"functions": []any{map[string]any{
				"name": "payment-processor-" + env + "-" + fixture.DevSuffix, "arn": "arn:aws:lambda:us-east-1:1:function:payment-processor-" + env + "-" + fixture.DevSuffix,
				"logGroupName": "/aws/lambda/payment-processor-" + env + "-" + fixture.DevSuffix, "timeoutSeconds": 10,
			}},
		},
	}
}

func run(t *testing.T, env string, overrides map[string]string) (*stacktest.Result, error) {
	t.Helper()
	return stacktest.Run(Program, stacktest.Options{
		Project: "observability", Stack: env,
		Config:       stacktest.StackConfig(t, "..", env, overrides),
		StackOutputs: upstream(env),
	})
}

func TestAlarmsPerEnvironment(t *testing.T) {
	for _, want := range environments {
		t.Run(want.Name, func(t *testing.T) {
			res, err := run(t, want.Name, nil)
			require.NoError(t, err)
			fn := "payment-processor-" + want.Name + "-" + fixture.DevSuffix
			table := "transactions-" + want.Name + "-" + fixture.DevSuffix
			type alarm struct {
				namespace, metric, dimension, statistic string
				threshold                               float64
			}
			wantAlarms := map[string]alarm{
				"payment-processor-errors-" + want.Name + "-" + fixture.DevSuffix:    {"AWS/Lambda", "Errors", fn, "Sum", want.errors},
				"payment-processor-throttles-" + want.Name + "-" + fixture.DevSuffix: {"AWS/Lambda", "Throttles", fn, "Sum", 1},
				// 80% of the 10 s timeout, in milliseconds.
				"payment-processor-duration-" + want.Name + "-" + fixture.DevSuffix:   {"AWS/Lambda", "Duration", fn, "Maximum", 8000},
				"transactions-read-throttles-" + want.Name + "-" + fixture.DevSuffix:  {"AWS/DynamoDB", "ReadThrottleEvents", table, "Sum", want.throttles},
				"transactions-write-throttles-" + want.Name + "-" + fixture.DevSuffix: {"AWS/DynamoDB", "WriteThrottleEvents", table, "Sum", want.throttles},
			}
			got := map[string]alarm{}
			topicArn := res.Exports["alarmTopicArn"]
			require.NotEmpty(t, topicArn)
			for _, a := range res.ByType("aws:cloudwatch/metricAlarm:MetricAlarm") {
				p := a.Plain()
				var dim string
				for _, v := range p["dimensions"].(map[string]any) {
					dim = v.(string)
				}
				got[a.Str("name")] = alarm{a.Str("namespace"), a.Str("metricName"), dim, a.Str("statistic"), p["threshold"].(float64)}
				assert.Equal(t, 300.0, p["period"], "5-minute window")
				assert.Equal(t, "GreaterThanOrEqualToThreshold", p["comparisonOperator"], "fires when the sum reaches the threshold")
				assert.Equal(t, "notBreaching", p["treatMissingData"])
				assert.Equal(t, []any{topicArn}, p["alarmActions"])
				assert.Equal(t, []any{topicArn}, p["okActions"])
				assert.Contains(t, a.Str("alarmDescription"), "Check first:")
			}
			assert.Equal(t, wantAlarms, got)
		})
	}
}

func TestTopicAndSubscriptions(t *testing.T) {
	for _, want := range environments {
		t.Run(want.Name, func(t *testing.T) {
			res, err := run(t, want.Name, nil)
			require.NoError(t, err)
			topic := res.MustOne(t, "aws:sns/topic:Topic", "alarms")
			assert.Equal(t, "alarms-"+want.Name+"-"+fixture.DevSuffix, topic.Str("name"))
			assert.Equal(t, stacktest.KeyArn(want.Name, "1"), topic.Str("kmsMasterKeyId"),
				"under the environment's key, whose policy lets CloudWatch publish (an AWS-managed key would not)")
			var emails []string
			for _, s := range res.ByType("aws:sns/topicSubscription:TopicSubscription") {
				assert.Equal(t, "email", s.Str("protocol"))
				emails = append(emails, s.Str("endpoint"))
			}
			assert.Equal(t, want.emails, emails)
		})
	}
}

func TestDashboard(t *testing.T) {
	res, err := run(t, "staging", nil)
	require.NoError(t, err)
	dash := res.MustOne(t, "aws:cloudwatch/dashboard:Dashboard", "alarms")
	assert.Equal(t, "payments-staging-"+fixture.StagingSuffix, dash.Str("dashboardName"))
	var body struct {
		Widgets []struct {
			Properties struct {
				Metrics [][]any `json:"metrics"`
				Region  string  `json:"region"`
			} `json:"properties"`
		} `json:"widgets"`
	}
	require.NoError(t, json.Unmarshal([]byte(dash.Str("dashboardBody")), &body))
	var metrics []string
	for _, w := range body.Widgets {
		assert.Equal(t, "us-east-1", w.Properties.Region)
		for _, m := range w.Properties.Metrics {
			metrics = append(metrics, m[1].(string))
		}
	}
	assert.ElementsMatch(t, []string{"Errors", "Throttles", "Duration", "ReadThrottleEvents", "WriteThrottleEvents"}, metrics)
}

func TestBadAlarmEmailFailsBeforeAnyResource(t *testing.T) {
	res, err := run(t, "dev", map[string]string{"payments:alarmEmails": `["oncall"]`})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `payments:alarmEmails = "oncall"`)
	stacktest.AssertRefusedBeforeAnyResource(t, res, err, "")
}

func TestMissingComputeStackIsReported(t *testing.T) {
	outputs := upstream("dev")
	delete(outputs, "organization/compute/dev")
	_, err := stacktest.Run(Program, stacktest.Options{Project: "observability", Stack: "dev",
		Config: stacktest.StackConfig(t, "..", "dev", nil), StackOutputs: outputs})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `stack organization/compute/dev has no output "functions"`)
}

func TestNamesTagsAndDestroyability(t *testing.T) {
	for _, want := range environments {
		t.Run(want.Name, func(t *testing.T) {
			res, err := run(t, want.Name, nil)
			require.NoError(t, err)
			stacktest.AssertConventions(t, res, stacktest.Conventions{
				Env: want.Name, Suffix: fixture.DevSuffix,
				Tags: map[string]string{
					"Environment": want.Name, "CostCenter": want.CostCenter, "DataClassification": want.DataClassification,
					"Project": "payments-platform", "Layer": "observability", "ManagedBy": "pulumi",
				},
			})
		})
	}
}

// An environment whose alarms would reach nobody is refused before any
// resource, naming the environment and where to set a subscriber.
func TestAnEnvironmentWithoutAlarmSubscribersIsRefused(t *testing.T) {
	res, err := run(t, "staging", map[string]string{"payments:alarmEmails": `[]`})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "config payments:alarmEmails is empty for staging: every environment's alarms need at least one subscriber")
	stacktest.AssertRefusedBeforeAnyResource(t, res, err, "")
}
