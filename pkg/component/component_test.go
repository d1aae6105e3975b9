package component_test

// Each component on its own, under Pulumi's mocks, with arguments that no
// environment profile uses: the layer tests prove the environment table's values of every
// environment; these prove the components take their values from their
// arguments, own what they create, and refuse arguments they cannot build
// before registering anything.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/component"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stacktest"
)

const (
	account  = "123456789012"
	boundary = "arn:aws:iam::123456789012:policy/permissions-boundary-dev-cmp01"
	key      = "arn:aws:kms:us-east-1:123456789012:key/0f0e0d0c-cmp01"
)

var (
	names = naming.New("dev", "cmp01")
	scope = iampolicy.Scope{Region: "us-east-1", Account: account}
)

func vpcArgs() component.VpcArgs {
	return component.VpcArgs{
		Names: names, Scope: scope,
		Network:                profile.Network{VpcCIDR: "10.40.0.0/20", NatGateways: 2, FlowLogs: false},
		PermissionsBoundaryArn: pulumi.String(boundary),
		LogKeyArn:              pulumi.String(key),
	}
}

func tableArgs() component.TransactionsTableArgs {
	return component.TransactionsTableArgs{Names: names, Table: profile.Table{
		CapacityMode: profile.Provisioned, ReadCapacity: 7, WriteCapacity: 3,
		MaxReadCapacity: 70, MaxWriteCapacity: 30, TargetUtilization: 60, PointInTimeRecovery: true,
	}, KeyArn: key}
}

func functionArgs() component.VpcFunctionArgs {
	return component.VpcFunctionArgs{
		Names: names, Scope: scope, BaseName: "refund-processor", Description: "Refund processing (dev)",
		Function:   profile.Function{Architecture: "arm64", MemoryMB: 256, TimeoutSeconds: 25, LogRetentionDays: 14, ReservedConcurrency: 7},
		Code:       pulumi.NewAssetArchive(map[string]any{"bootstrap": pulumi.NewStringAsset("binary")}),
		CodeSHA256: "c2hhMjU2",
		VpcID:      "vpc-1", SubnetIDs: []string{"subnet-a", "subnet-b"}, EgressPrefixListIDs: []string{"pl-s3", "pl-ddb"},
		PermissionsBoundaryArn: boundary,
		TableName:              "refunds-dev-cmp01", BucketName: "refund-audit-dev-cmp01", AuditPrefix: "refunds/",
		KeyArn:    key,
		Variables: map[string]string{"TABLE_NAME": "refunds-dev-cmp01"},
	}
}

func alarmsArgs() component.AlarmsArgs {
	fn := func(kind string, timeout int) contract.Function {
		name := kind + "-dev-cmp01"
		return contract.Function{Name: name, Arn: "arn:aws:lambda:us-east-1:" + account + ":function:" + name,
			LogGroupName: "/aws/lambda/" + name, TimeoutSeconds: timeout}
	}
	return component.AlarmsArgs{
		Names: names, Region: "us-east-1",
		Thresholds:  profile.Alarms{FunctionErrorsThreshold: 3, TableThrottleThreshold: 4},
		Functions:   []contract.Function{fn("payment-processor", 10), fn("refund-processor", 30)},
		TableName:   "transactions-dev-cmp01",
		TopicKeyArn: key,
	}
}

func run(t *testing.T, opts stacktest.Options, program func(ctx *pulumi.Context) error) (*stacktest.Result, error) {
	t.Helper()
	opts.Project, opts.Stack = "component", "dev"
	return stacktest.Run(program, opts)
}

func mustRun(t *testing.T, program func(ctx *pulumi.Context) error) *stacktest.Result {
	t.Helper()
	res, err := run(t, stacktest.Options{}, program)
	require.NoError(t, err)
	return res
}

// Every resource a component creates is its child, so it moves, previews and
// is destroyed with the component, and nothing it creates is protected.
func TestComponentsOwnWhatTheyCreate(t *testing.T) {
	cases := []struct {
		token   string
		program func(ctx *pulumi.Context) error
		want    int
	}{
		{"payments:network:Vpc", func(ctx *pulumi.Context) error {
			_, err := component.NewVpc(ctx, "it", vpcArgs())
			return err
		}, 23}, // vpc, default SG, IGW, public RT and route; per zone: 2 subnets, 2 associations, EIP, NAT, private RT and route; 2 endpoints
		{"payments:network:EnvironmentKey", func(ctx *pulumi.Context) error {
			_, err := component.NewEnvironmentKey(ctx, "it", component.EnvironmentKeyArgs{Names: names, Scope: scope})
			return err
		}, 2}, // key, alias
		{"payments:data:TransactionsTable", func(ctx *pulumi.Context) error {
			_, err := component.NewTransactionsTable(ctx, "it", tableArgs())
			return err
		}, 9}, // table; a scaling target and policy for reads and writes on table and index
		{"payments:data:AuditBucket", func(ctx *pulumi.Context) error {
			_, err := component.NewAuditBucket(ctx, "it", component.AuditBucketArgs{Names: names, ExpirationDays: 45, KeyArn: key, AccessLogBucket: "audit-access-logs-dev-cmp01"})
			return err
		}, 9}, // bucket, versioning, encryption, public-access block, ownership, policy, object lock, lifecycle, access logging
		{"payments:compute:PaymentFunction", func(ctx *pulumi.Context) error {
			_, err := component.NewVpcFunction(ctx, "it", functionArgs())
			return err
		}, 5}, // log group, security group, role, inline policy, function
		{"payments:observability:Alarms", func(ctx *pulumi.Context) error {
			_, err := component.NewAlarms(ctx, "it", alarmsArgs())
			return err
		}, 10}, // topic, 3 alarms for each of 2 functions, 2 table alarms, dashboard
	}
	for _, tc := range cases {
		t.Run(tc.token, func(t *testing.T) {
			res := mustRun(t, tc.program)
			require.Len(t, res.ByType(tc.token), 1)
			parent := "urn:pulumi:dev::component::" + tc.token + "::it"
			custom := 0
			for _, r := range res.Resources {
				assert.False(t, r.Protect || r.RetainOnDelete, "%s %s", r.Type, r.Name)
				if !r.Custom {
					continue
				}
				custom++
				assert.Equal(t, parent, r.Parent, "%s %s is a child of the component", r.Type, r.Name)
			}
			assert.Equal(t, tc.want, custom, "resources created")
		})
	}
}

// edited is a program that creates a component from its valid arguments
// changed by edit.
func edited[A, C any](args func() A, create func(*pulumi.Context, string, A, ...pulumi.ResourceOption) (C, error), edit func(*A)) func(*pulumi.Context) error {
	return func(ctx *pulumi.Context) error {
		a := args()
		edit(&a)
		_, err := create(ctx, "it", a)
		return err
	}
}

func TestInvalidArgumentsRegisterNothing(t *testing.T) {
	vpc := func(edit func(*component.VpcArgs)) func(*pulumi.Context) error {
		return edited(vpcArgs, component.NewVpc, edit)
	}
	table := func(edit func(*profile.Table)) func(*pulumi.Context) error {
		return edited(tableArgs, component.NewTransactionsTable, func(a *component.TransactionsTableArgs) { edit(&a.Table) })
	}
	function := func(edit func(*component.VpcFunctionArgs)) func(*pulumi.Context) error {
		return edited(functionArgs, component.NewVpcFunction, edit)
	}
	alarms := func(edit func(*component.AlarmsArgs)) func(*pulumi.Context) error {
		return edited(alarmsArgs, component.NewAlarms, edit)
	}
	cases := []struct {
		name    string
		zones   []string
		program func(*pulumi.Context) error
		wantErr string
	}{
		{"vpc public cidr", nil, vpc(func(a *component.VpcArgs) { a.Network.VpcCIDR = "52.0.0.0/16" }), "52.0.0.0/16"},
		{"vpc negative nat", nil, vpc(func(a *component.VpcArgs) { a.Network.NatGateways = -1 }), "payments:network:Vpc it: nat gateways = -1: allowed 0 (none: the private subnets reach AWS through the gateway endpoints only) to 2 (one per AZ)"},
		{"vpc nat per missing zone", nil, vpc(func(a *component.VpcArgs) { a.Network.NatGateways = 3 }), "nat gateways = 3"},
		{"vpc flow logs without boundary", nil, vpc(func(a *component.VpcArgs) { a.Network.FlowLogs = true; a.PermissionsBoundaryArn = nil }), "flow logs need a permissions boundary"},
		{"vpc flow logs without key", nil, vpc(func(a *component.VpcArgs) { a.Network.FlowLogs = true; a.LogKeyArn = nil }), "and a key for their log group"},
		{"vpc in a one-zone region", []string{"us-east-1a"}, vpc(func(*component.VpcArgs) {}), "payments:network:Vpc it: region us-east-1 offers 1 available zones: need 2"},
		{"table mode", nil, table(func(t *profile.Table) { t.CapacityMode = "ON_DEMAND" }), `capacity mode "ON_DEMAND": allowed PAY_PER_REQUEST or PROVISIONED`},
		{"table minimum above maximum", nil, table(func(t *profile.Table) { t.MaxWriteCapacity = 2 }), "provisioned capacity 7/3 with maximum 70/2"},
		{"table zero capacity", nil, table(func(t *profile.Table) { t.ReadCapacity = 0 }), "need 1 <= minimum <= maximum <= 40000"},
		{"table target", nil, table(func(t *profile.Table) { t.TargetUtilization = 95 }), "payments:data:TransactionsTable it: target utilization 95%: allowed 20-90"},
		{"bucket expiration", nil, func(ctx *pulumi.Context) error {
			_, err := component.NewAuditBucket(ctx, "it", component.AuditBucketArgs{Names: names, ExpirationDays: 0, KeyArn: key, AccessLogBucket: "audit-access-logs-dev-cmp01"})
			return err
		}, "payments:data:AuditBucket it: expiration 0 days: allowed 1-3650"},
		{"bucket without key", nil, func(ctx *pulumi.Context) error {
			_, err := component.NewAuditBucket(ctx, "it", component.AuditBucketArgs{Names: names, ExpirationDays: 45})
			return err
		}, "the environment's key is required"},
		{"bucket without access logging", nil, func(ctx *pulumi.Context) error {
			_, err := component.NewAuditBucket(ctx, "it", component.AuditBucketArgs{Names: names, ExpirationDays: 45, KeyArn: key})
			return err
		}, "payments:data:AuditBucket it: an access-log bucket is required"},
		{"table without key", nil, edited(tableArgs, component.NewTransactionsTable, func(a *component.TransactionsTableArgs) { a.KeyArn = "" }), "the environment's key is required"},
		{"function x86", nil, function(func(a *component.VpcFunctionArgs) { a.Function.Architecture = "x86_64" }), `payments:compute:PaymentFunction it: architecture "x86_64": allowed arm64`},
		{"function without description", nil, function(func(a *component.VpcFunctionArgs) { a.Description = "" }), "a base name and a description are required"},
		{"function without code", nil, function(func(a *component.VpcFunctionArgs) { a.CodeSHA256 = "" }), "no code archive"},
		{"function in one subnet", nil, function(func(a *component.VpcFunctionArgs) { a.SubnetIDs = a.SubnetIDs[:1] }), "1 subnets"},
		{"function without boundary", nil, function(func(a *component.VpcFunctionArgs) { a.PermissionsBoundaryArn = "" }), "no permissions boundary"},
		{"function without egress prefix lists", nil, function(func(a *component.VpcFunctionArgs) { a.EgressPrefixListIDs = nil }), "no egress prefix lists"},
		{"function without bucket", nil, function(func(a *component.VpcFunctionArgs) { a.BucketName = "" }), "table, bucket and audit prefix are required"},
		{"function without key", nil, function(func(a *component.VpcFunctionArgs) { a.KeyArn = "" }), "no encryption key"},
		{"function without a concurrency cap", nil, function(func(a *component.VpcFunctionArgs) { a.Function.ReservedConcurrency = 0 }), "reserved concurrency 0: allowed 1-900"},
		{"function name too long", nil, function(func(a *component.VpcFunctionArgs) { a.BaseName = strings.Repeat("x", 60) }), "payments:compute:PaymentFunction it: "},
		{"alarms without functions", nil, alarms(func(a *component.AlarmsArgs) { a.Functions = nil }), "need at least one function, the table and the topic's key"},
		{"alarms without table", nil, alarms(func(a *component.AlarmsArgs) { a.TableName = "" }), "payments:observability:Alarms it: need at least one function, the table and the topic's key"},
		{"alarms without a topic key", nil, alarms(func(a *component.AlarmsArgs) { a.TopicKeyArn = "" }), "need at least one function, the table and the topic's key"},
		{"alarms for another environment's function", nil, alarms(func(a *component.AlarmsArgs) { a.Functions[0].Name = "payment-processor-prod-pay01" }), "function payment-processor-prod-pay01: not a name of environment dev-cmp01"},
		{"alarms zero timeout", nil, alarms(func(a *component.AlarmsArgs) { a.Functions[1].TimeoutSeconds = 0 }), "function refund-processor-dev-cmp01: timeout 0 s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := run(t, stacktest.Options{Zones: tc.zones}, tc.program)
			stacktest.AssertRefusedBeforeAnyResource(t, res, err, tc.wantErr)
		})
	}
}

func TestVpcUsesItsArguments(t *testing.T) {
	res := mustRun(t, func(ctx *pulumi.Context) error {
		_, err := component.NewVpc(ctx, "it", vpcArgs())
		return err
	})
	assert.Equal(t, "10.40.0.0/20", res.MustOne(t, "aws:ec2/vpc:Vpc", "it").Str("cidrBlock"))
	for _, sn := range res.ByType("aws:ec2/subnet:Subnet") {
		assert.True(t, strings.HasPrefix(sn.Str("cidrBlock"), "10.40."), "%s %s lies in the VPC", sn.Name, sn.Str("cidrBlock"))
		assert.Contains(t, []string{"us-east-1a", "us-east-1b"}, sn.Str("availabilityZone"), "the first two zones the region offers")
	}
	require.Len(t, res.ByType("aws:ec2/natGateway:NatGateway"), 2)
	for i := 1; i <= 2; i++ {
		route := res.MustOne(t, "aws:ec2/route:Route", fmt.Sprintf("it-private-%d-default", i))
		assert.Equal(t, fmt.Sprintf("it-nat-%d-id", i), route.Str("natGatewayId"), "two NATs: each zone routes through its own")
	}
	assert.Empty(t, res.ByType("aws:ec2/flowLog:FlowLog"), "flow logs off")
	assert.Empty(t, res.ByType("aws:iam/role:Role"), "no flow-log role without flow logs")
}

// Without NAT gateways (a review environment's network) the private
// subnets have no default route and no Elastic IP is allocated; the
// gateway endpoints still serve them.
func TestAVpcWithoutNATGateways(t *testing.T) {
	res := mustRun(t, func(ctx *pulumi.Context) error {
		a := vpcArgs()
		a.Network.NatGateways = 0
		_, err := component.NewVpc(ctx, "it", a)
		return err
	})
	assert.Empty(t, res.ByType("aws:ec2/natGateway:NatGateway"))
	assert.Empty(t, res.ByType("aws:ec2/eip:Eip"))
	var routes []string
	for _, r := range res.ByType("aws:ec2/route:Route") {
		routes = append(routes, r.Name)
	}
	assert.Equal(t, []string{"it-public-default"}, routes, "only the public subnets route to the internet gateway")
	assert.Len(t, res.ByType("aws:ec2/routeTable:RouteTable"), 3, "one public route table, one private per zone")
	assert.Len(t, res.ByType("aws:ec2/vpcEndpoint:VpcEndpoint"), 2, "DynamoDB's and S3's gateway endpoints")
}

func TestTransactionsTableUsesItsArguments(t *testing.T) {
	res := mustRun(t, func(ctx *pulumi.Context) error {
		_, err := component.NewTransactionsTable(ctx, "it", tableArgs())
		return err
	})
	table := res.MustOne(t, "aws:dynamodb/table:Table", "it")
	p := table.Plain()
	assert.Equal(t, "transactions-dev-cmp01", p["name"])
	assert.Equal(t, "PROVISIONED", p["billingMode"])
	assert.EqualValues(t, 7, p["readCapacity"])
	assert.EqualValues(t, 3, p["writeCapacity"])
	assert.Equal(t, true, p["pointInTimeRecovery"].(map[string]any)["enabled"])

	type target struct{ min, max float64 }
	got := map[string]target{}
	for _, tg := range res.ByType("aws:appautoscaling/target:Target") {
		got[tg.Str("resourceId")+" "+tg.Str("scalableDimension")] = target{
			tg.Inputs["minCapacity"].NumberValue(), tg.Inputs["maxCapacity"].NumberValue()}
	}
	index := "table/transactions-dev-cmp01/index/" + component.MerchantIndexName
	assert.Equal(t, map[string]target{
		"table/transactions-dev-cmp01 dynamodb:table:ReadCapacityUnits":  {7, 70},
		"table/transactions-dev-cmp01 dynamodb:table:WriteCapacityUnits": {3, 30},
		index + " dynamodb:index:ReadCapacityUnits":                      {7, 70},
		index + " dynamodb:index:WriteCapacityUnits":                     {3, 30},
	}, got)
	policies := res.ByType("aws:appautoscaling/policy:Policy")
	require.Len(t, policies, 4)
	for _, pol := range policies {
		cfg := pol.Plain()["targetTrackingScalingPolicyConfiguration"].(map[string]any)
		assert.EqualValues(t, 60, cfg["targetValue"], pol.Name)
	}

	onDemand := mustRun(t, func(ctx *pulumi.Context) error {
		a := tableArgs()
		a.Table = profile.Table{CapacityMode: profile.OnDemand}
		_, err := component.NewTransactionsTable(ctx, "it", a)
		return err
	})
	p = onDemand.MustOne(t, "aws:dynamodb/table:Table", "it").Plain()
	assert.Equal(t, "PAY_PER_REQUEST", p["billingMode"])
	assert.NotContains(t, p, "readCapacity")
	assert.Empty(t, onDemand.ByType("aws:appautoscaling/target:Target"))
	assert.Empty(t, onDemand.ByType("aws:appautoscaling/policy:Policy"))
}

func TestPaymentFunctionUsesItsArguments(t *testing.T) {
	res := mustRun(t, func(ctx *pulumi.Context) error {
		_, err := component.NewVpcFunction(ctx, "it", functionArgs())
		return err
	})
	fn := res.MustOne(t, "aws:lambda/function:Function", "it").Plain()
	assert.Equal(t, "refund-processor-dev-cmp01", fn["name"])
	assert.EqualValues(t, 256, fn["memorySize"])
	assert.EqualValues(t, 25, fn["timeout"])
	assert.EqualValues(t, 7, fn["reservedConcurrentExecutions"])
	assert.Equal(t, []any{"arm64"}, fn["architectures"])
	assert.Equal(t, map[string]any{"TABLE_NAME": "refunds-dev-cmp01"}, fn["environment"].(map[string]any)["variables"])

	lg := res.MustOne(t, "aws:cloudwatch/logGroup:LogGroup", "it")
	assert.Equal(t, "/aws/lambda/refund-processor-dev-cmp01", lg.Str("name"))
	assert.EqualValues(t, 14, lg.Inputs["retentionInDays"].NumberValue())
	assert.Equal(t, key, lg.Str("kmsKeyId"))

	role := res.MustOne(t, "aws:iam/role:Role", "it")
	assert.Equal(t, "refund-processor-role-dev-cmp01", role.Str("name"))
	assert.Equal(t, boundary, role.Str("permissionsBoundary"))

	// Only the actions the arguments name, on the resources they name.
	grants := map[string][]string{}
	for _, s := range stacktest.ParsePolicy(t, res.MustOne(t, "aws:iam/rolePolicy:RolePolicy", "it").Str("policy")) {
		require.Equal(t, "Allow", s.Effect)
		for _, a := range s.Action {
			grants[a] = s.Resource
		}
	}
	assert.Equal(t, []string{
		"arn:aws:dynamodb:us-east-1:" + account + ":table/refunds-dev-cmp01",
		"arn:aws:dynamodb:us-east-1:" + account + ":table/refunds-dev-cmp01/index/*",
	}, grants["dynamodb:GetItem"])
	assert.Equal(t, []string{"arn:aws:s3:::refund-audit-dev-cmp01/refunds/*"}, grants["s3:PutObject"])
	assert.Equal(t, []string{key}, grants["kms:Decrypt"])
	assert.NotContains(t, grants, "dynamodb:Scan", "an action the function does not call is not granted")
}

func TestAlarmsCoverEveryFunction(t *testing.T) {
	specs, err := alarmsArgs().Specs()
	require.NoError(t, err)
	byName := map[string]component.AlarmSpec{}
	for _, s := range specs {
		byName[s.Name] = s
	}
	require.Len(t, byName, 8, "three alarms per function and two on the table, none sharing a name")
	assert.EqualValues(t, 3, byName["refund-processor-errors-dev-cmp01"].Threshold)
	assert.Equal(t, map[string]string{"FunctionName": "refund-processor-dev-cmp01"}, byName["refund-processor-errors-dev-cmp01"].Dimensions)
	assert.EqualValues(t, 24000, byName["refund-processor-duration-dev-cmp01"].Threshold, "80% of a 30 s timeout, in ms")
	assert.EqualValues(t, 8000, byName["payment-processor-duration-dev-cmp01"].Threshold, "80% of a 10 s timeout, in ms")
	assert.EqualValues(t, 4, byName["transactions-write-throttles-dev-cmp01"].Threshold)

	res := mustRun(t, func(ctx *pulumi.Context) error {
		_, err := component.NewAlarms(ctx, "it", alarmsArgs())
		return err
	})
	alarmsCreated := res.ByType("aws:cloudwatch/metricAlarm:MetricAlarm")
	require.Len(t, alarmsCreated, 8)
	for _, a := range alarmsCreated {
		p := a.Plain()
		assert.Contains(t, byName, p["name"])
		assert.Equal(t, []any{"arn:aws:sns:us-east-1:000000000000:alarms-dev-cmp01"}, p["alarmActions"], "%s notifies the topic", a.Name)
		assert.Equal(t, p["alarmActions"], p["okActions"])
		assert.Equal(t, "notBreaching", p["treatMissingData"])
	}
	assert.Empty(t, res.ByType("aws:sns/topicSubscription:TopicSubscription"), "no e-mail subscriptions unless configured")
	assert.Equal(t, key, res.MustOne(t, "aws:sns/topic:Topic", "it").Str("kmsMasterKeyId"), "the topic is under the environment's key")
}

// The components refuse what the profile refuses, from the same limits: a
// table above the account quota, a bucket lock longer than ten years, more
// reserved concurrency than Lambda allows.
func TestComponentsShareTheProfilesLimits(t *testing.T) {
	cases := []struct {
		project, want string
		program       func(*pulumi.Context) error
	}{
		{"data", "maximum <= 40000", func(ctx *pulumi.Context) error {
			a := tableArgs()
			a.Table.MaxReadCapacity = profile.TableCapacity.Max + 1
			_, err := component.NewTransactionsTable(ctx, "it", a)
			return err
		}},
		{"data", "expiration 3651 days: allowed 1-3650", func(ctx *pulumi.Context) error {
			_, err := component.NewAuditBucket(ctx, "it", component.AuditBucketArgs{Names: names, ExpirationDays: profile.AuditExpiration.Max + 1, KeyArn: key, AccessLogBucket: "audit-access-logs-dev-cmp01"})
			return err
		}},
		{"compute", "reserved concurrency 901: allowed 1-900", func(ctx *pulumi.Context) error {
			a := functionArgs()
			a.Function.ReservedConcurrency = profile.ReservedConcurrency.Max + 1
			_, err := component.NewVpcFunction(ctx, "it", a)
			return err
		}},
	}
	for _, c := range cases {
		_, err := stacktest.Run(c.program, stacktest.Options{Project: c.project, Stack: "dev"})
		require.ErrorContains(t, err, c.want)
	}
}
