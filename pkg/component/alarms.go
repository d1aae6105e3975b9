package component

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/profile"
)

// AlarmPeriodSeconds is the window every alarm sums over.
const AlarmPeriodSeconds = 300

// DurationAlarmFraction is how close to its timeout a function may run
// before the Duration alarm fires.
const DurationAlarmFraction = 0.8

// AlarmsArgs configures Alarms.
type AlarmsArgs struct {
	Names       naming.Namer
	Region      string
	Thresholds  profile.Alarms
	Functions   []contract.Function
	TableName   string
	AlarmEmails []string
	// TopicKeyArn encrypts the alarm topic. It must be a customer-managed
	// key whose policy lets cloudwatch.amazonaws.com use it: CloudWatch cannot
	// publish to a topic under the AWS-managed SNS key.
	TopicKeyArn string
}

// FailedPaymentsQuery is the CloudWatch Logs Insights query that lists a
// function's failed payments: every one writes this log line, with the step
// that failed and the error.
const FailedPaymentsQuery = `fields @timestamp, transactionId, merchantId, step, error | filter msg = "payment failed" | sort @timestamp desc`

// Alarms is the environment's alarm topic, the alarms on its functions and
// table, and its dashboard.
type Alarms struct {
	pulumi.ResourceState

	TopicArn      pulumi.StringOutput
	DashboardName string
	AlarmNames    []string
}

// AlarmSpec is one alarm, as pure data: testable without Pulumi and the
// single source of both the alarm and its dashboard widget.
type AlarmSpec struct {
	Logical     string
	Name        string
	Namespace   string
	Metric      string
	Dimensions  map[string]string
	Statistic   string
	Threshold   float64
	Description string
}

// Specs lists every alarm of an environment.
func (a AlarmsArgs) Specs() ([]AlarmSpec, error) {
	var specs []AlarmSpec
	var errs error
	name := func(kind string) string {
		n, err := a.Names.Name(naming.Alarm, kind)
		if err != nil && errs == nil {
			errs = err
		}
		return n
	}
	for _, fn := range a.Functions {
		if fn.TimeoutSeconds < 1 {
			return nil, fmt.Errorf("function %s: timeout %d s: need a positive timeout for the duration alarm", fn.Name, fn.TimeoutSeconds)
		}
		dims := map[string]string{"FunctionName": fn.Name}
		// Alarms are named after the function's resource type, so the names
		// read the same in every environment.
		kind, ok := a.Names.ResourceType(fn.Name)
		if !ok {
			return nil, fmt.Errorf("function %s: not a name of environment %s-%s", fn.Name, a.Names.Env(), a.Names.Suffix())
		}
		specs = append(specs,
			AlarmSpec{
				Logical: kind + "-errors", Name: name(kind + "-errors"), Namespace: "AWS/Lambda", Metric: "Errors",
				Dimensions: dims, Statistic: "Sum", Threshold: float64(a.Thresholds.FunctionErrorsThreshold),
				Description: fmt.Sprintf("%s failed %d or more invocations in 5 minutes: every payment that could not be recorded or audited is a function error, and the caller retries it. "+
					"Check first: Logs Insights on %s: %s", fn.Name, a.Thresholds.FunctionErrorsThreshold, fn.LogGroupName, FailedPaymentsQuery),
			},
			AlarmSpec{
				Logical: kind + "-throttles", Name: name(kind + "-throttles"), Namespace: "AWS/Lambda", Metric: "Throttles",
				Dimensions: dims, Statistic: "Sum", Threshold: 1,
				Description: fmt.Sprintf("%s was throttled: it reached its reserved concurrency (the environment's cap) or the account's limit. Check first: ConcurrentExecutions against the function's reserved concurrency, and which caller's traffic rose.", fn.Name),
			},
			AlarmSpec{
				Logical: kind + "-duration", Name: name(kind + "-duration"), Namespace: "AWS/Lambda", Metric: "Duration",
				Dimensions: dims, Statistic: "Maximum", Threshold: float64(fn.TimeoutSeconds) * 1000 * DurationAlarmFraction,
				Description: fmt.Sprintf("%s ran above %.0f%% of its %d s timeout. Check first: DynamoDB and S3 latency in the X-Ray traces.", fn.Name, DurationAlarmFraction*100, fn.TimeoutSeconds),
			},
		)
	}
	for _, ev := range []struct{ kind, metric string }{{"read", "ReadThrottleEvents"}, {"write", "WriteThrottleEvents"}} {
		specs = append(specs, AlarmSpec{
			Logical: "transactions-" + ev.kind + "-throttles", Name: name("transactions-" + ev.kind + "-throttles"),
			Namespace: "AWS/DynamoDB", Metric: ev.metric, Dimensions: map[string]string{"TableName": a.TableName},
			Statistic: "Sum", Threshold: float64(a.Thresholds.TableThrottleThreshold),
			Description: fmt.Sprintf("%s throttled %d or more %s requests in 5 minutes. Check first: consumed capacity against the autoscaling maximum, and hot partition keys.", a.TableName, a.Thresholds.TableThrottleThreshold, ev.kind),
		})
	}
	return specs, errs
}

// DashboardBody renders the dashboard: one row of widgets per function and
// one for the table.
func DashboardBody(region string, specs []AlarmSpec) string {
	type widget struct {
		Type       string         `json:"type"`
		X          int            `json:"x"`
		Y          int            `json:"y"`
		Width      int            `json:"width"`
		Height     int            `json:"height"`
		Properties map[string]any `json:"properties"`
	}
	var widgets []widget
	for i, s := range specs {
		metric := []any{s.Namespace, s.Metric}
		for _, k := range sortedKeys(s.Dimensions) {
			metric = append(metric, k, s.Dimensions[k])
		}
		widgets = append(widgets, widget{
			Type: "metric", X: (i % 3) * 8, Y: (i / 3) * 6, Width: 8, Height: 6,
			Properties: map[string]any{
				"title":       s.Name,
				"region":      region,
				"metrics":     []any{metric},
				"stat":        s.Statistic,
				"period":      AlarmPeriodSeconds,
				"annotations": map[string]any{"horizontal": []any{map[string]any{"label": "alarm", "value": s.Threshold}}},
			},
		})
	}
	b, _ := json.Marshal(map[string]any{"widgets": widgets})
	return string(b)
}

// NewAlarms creates the topic, its subscriptions, the alarms and the dashboard.
func NewAlarms(ctx *pulumi.Context, name string, args AlarmsArgs, opts ...pulumi.ResourceOption) (*Alarms, error) {
	if len(args.Functions) == 0 || args.TableName == "" || args.TopicKeyArn == "" {
		return nil, fmt.Errorf("%s %s: need at least one function, the table and the topic's key", AlarmsToken, name)
	}
	specs, err := args.Specs()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", AlarmsToken, name, err)
	}
	b := &builder{token: AlarmsToken, component: name, names: args.Names}
	topicName := b.name(naming.SNSTopic, "alarms")
	dashboardName := b.name(naming.Dashboard, "payments")
	if b.err != nil {
		return nil, b.wrap(b.err)
	}
	c := &Alarms{DashboardName: dashboardName}
	if err := ctx.RegisterComponentResource(AlarmsToken, name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	topic, err := sns.NewTopic(ctx, name, &sns.TopicArgs{
		Name:           pulumi.String(topicName),
		KmsMasterKeyId: pulumi.String(args.TopicKeyArn),
	}, parent)
	if err != nil {
		return nil, b.wrap(err)
	}
	c.TopicArn = topic.Arn
	for i, email := range args.AlarmEmails {
		if _, err := sns.NewTopicSubscription(ctx, fmt.Sprintf("%s-email-%d", name, i+1), &sns.TopicSubscriptionArgs{
			Topic:    topic.Arn,
			Protocol: pulumi.String("email"),
			Endpoint: pulumi.String(email),
		}, parent); err != nil {
			return nil, b.wrap(err)
		}
	}
	actions := pulumi.Array{topic.Arn}
	for _, s := range specs {
		if _, err := cloudwatch.NewMetricAlarm(ctx, s.Logical, &cloudwatch.MetricAlarmArgs{
			Name:               pulumi.String(s.Name),
			AlarmDescription:   pulumi.String(s.Description),
			Namespace:          pulumi.String(s.Namespace),
			MetricName:         pulumi.String(s.Metric),
			Dimensions:         pulumi.ToStringMap(s.Dimensions),
			Statistic:          pulumi.String(s.Statistic),
			Period:             pulumi.Int(AlarmPeriodSeconds),
			EvaluationPeriods:  pulumi.Int(1),
			Threshold:          pulumi.Float64(s.Threshold),
			ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"),
			TreatMissingData:   pulumi.String("notBreaching"),
			AlarmActions:       actions,
			OkActions:          actions,
		}, parent); err != nil {
			return nil, b.wrap(err)
		}
		c.AlarmNames = append(c.AlarmNames, s.Name)
	}
	if _, err := cloudwatch.NewDashboard(ctx, name, &cloudwatch.DashboardArgs{
		DashboardName: pulumi.String(dashboardName),
		DashboardBody: pulumi.String(DashboardBody(args.Region, specs)),
	}, parent); err != nil {
		return nil, b.wrap(err)
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"topicArn": topic.Arn}); err != nil {
		return nil, err
	}
	return c, nil
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
