package contract

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/stacktest"
)

// roundTrip exports with one layer's Export, then reads the outputs back
// through a StackReference with its Read, as the next layer does.
func roundTrip(t *testing.T, layer string, export func(*pulumi.Context), read func(*pulumi.Context) error) {
	t.Helper()
	exported, err := stacktest.Run(func(ctx *pulumi.Context) error { export(ctx); return nil },
		stacktest.Options{Project: layer, Stack: "prod"})
	require.NoError(t, err)
	_, err = stacktest.Run(read, stacktest.Options{Project: "reader", Stack: "prod",
		StackOutputs: map[string]map[string]any{"organization/" + layer + "/prod": exported.Exports}})
	require.NoError(t, err)
}

// roundTripExports exports with one layer's Export and returns the
// outputs, for the readers to read back.
func roundTripExports(t *testing.T, layer string, export func(*pulumi.Context)) map[string]any {
	t.Helper()
	exported, err := stacktest.Run(func(ctx *pulumi.Context) error { export(ctx); return nil },
		stacktest.Options{Project: layer, Stack: "prod"})
	require.NoError(t, err)
	return exported.Exports
}

func TestEveryOutputSurvivesExportAndRead(t *testing.T) {
	const (
		vpc      = "vpc-1"
		boundary = "arn:aws:iam::345678901234:policy/permissions-boundary-prod-pay01"
		key      = "arn:aws:kms:us-east-1:345678901234:key/k-1"
	)
	private, prefixLists := []string{"subnet-q1", "subnet-q2"}, []string{"pl-s3", "pl-ddb"}
	exportNetwork := func(ctx *pulumi.Context) {
		NetworkExports{
			VpcID: pulumi.String(vpc), VpcCIDR: pulumi.String("10.30.0.0/16"),
			AvailabilityZones: pulumi.ToStringArray([]string{"us-east-1a", "us-east-1b", "us-east-1c"}), PublicSubnetIDs: pulumi.ToStringArray([]string{"subnet-p1", "subnet-p2"}),
			PrivateSubnetIDs: pulumi.ToStringArray(private), PrivateRouteTableIDs: pulumi.ToStringArray([]string{"rtb-1", "rtb-2"}),
			PermissionsBoundaryArn: pulumi.String(boundary), EnvironmentKeyArn: pulumi.String(key),
			DefaultSecurityGroupID: pulumi.String("sg-1"), S3EndpointID: pulumi.String("vpce-1"), DynamoDBEndpointID: pulumi.String("vpce-2"),
			GatewayPrefixListIDs: pulumi.ToStringArray(prefixLists),
		}.Export(ctx)
	}
	var (
		forData          NetworkForData
		forCompute       NetworkForCompute
		forObservability NetworkForObservability
	)
	roundTrip(t, LayerNetwork, exportNetwork, func(ctx *pulumi.Context) (err error) { forData, err = ReadNetworkForData(ctx); return })
	roundTrip(t, LayerNetwork, exportNetwork, func(ctx *pulumi.Context) (err error) { forCompute, err = ReadNetworkForCompute(ctx); return })
	roundTrip(t, LayerNetwork, exportNetwork, func(ctx *pulumi.Context) (err error) {
		forObservability, err = ReadNetworkForObservability(ctx)
		return
	})
	assert.Equal(t, NetworkForData{EnvironmentKeyArn: key}, forData)
	assert.Equal(t, NetworkForCompute{VpcID: vpc, PrivateSubnetIDs: private, PermissionsBoundaryArn: boundary, EnvironmentKeyArn: key, GatewayPrefixListIDs: prefixLists}, forCompute)
	assert.Equal(t, NetworkForObservability{EnvironmentKeyArn: key}, forObservability)
	network := roundTripExports(t, LayerNetwork, exportNetwork)
	assert.Len(t, network, 12, "what no layer reads is exported all the same (the manifest and operators read it)")
	assert.Equal(t, "10.30.0.0/16", network[KeyVpcCIDR])

	exportData := func(ctx *pulumi.Context) {
		DataExports{TableName: pulumi.String("transactions-prod-pay01"), TableArn: pulumi.String("arn:aws:dynamodb:us-east-1:345678901234:table/transactions-prod-pay01"),
			TableIndexName: pulumi.String("by-merchant"), AuditBucketName: pulumi.String("audit-prod-pay01"), AuditBucketArn: pulumi.String("arn:aws:s3:::audit-prod-pay01"),
			AuditPrefix: pulumi.String("audit/")}.Export(ctx)
	}
	var (
		dataForCompute       DataForCompute
		dataForObservability DataForObservability
	)
	roundTrip(t, LayerData, exportData, func(ctx *pulumi.Context) (err error) { dataForCompute, err = ReadDataForCompute(ctx); return })
	roundTrip(t, LayerData, exportData, func(ctx *pulumi.Context) (err error) {
		dataForObservability, err = ReadDataForObservability(ctx)
		return
	})
	assert.Equal(t, DataForCompute{TableName: "transactions-prod-pay01", AuditBucketName: "audit-prod-pay01", AuditPrefix: "audit/"}, dataForCompute)
	assert.Equal(t, DataForObservability{TableName: "transactions-prod-pay01"}, dataForObservability)
	assert.Len(t, roundTripExports(t, LayerData, exportData), 6)

	fn := Function{Name: "payment-processor-prod-pay01", Arn: "arn:aws:lambda:us-east-1:345678901234:function:payment-processor-prod-pay01",
		LogGroupName: "/aws/lambda/payment-processor-prod-pay01", TimeoutSeconds: 15}
	var gotCompute ComputeForObservability
	roundTrip(t, LayerCompute, func(ctx *pulumi.Context) {
		ComputeExports{Functions: []FunctionExport{{Name: fn.Name, Arn: pulumi.String(fn.Arn), LogGroupName: fn.LogGroupName, TimeoutSeconds: fn.TimeoutSeconds}}}.Export(ctx)
	}, func(ctx *pulumi.Context) (err error) { gotCompute, err = ReadComputeForObservability(ctx); return })
	assert.Equal(t, ComputeForObservability{Functions: []Function{fn}}, gotCompute)
}

func TestAnExportNobodyReadsIsStillPublished(t *testing.T) {
	res, err := stacktest.Run(func(ctx *pulumi.Context) error {
		ObservabilityExports{AlarmTopicArn: pulumi.String("arn:aws:sns:us-east-1:1:alarms"), DashboardName: "payments-prod", AlarmNames: []string{"a", "b"}}.Export(ctx)
		return nil
	}, stacktest.Options{Project: LayerObservability, Stack: "prod"})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{KeyAlarmTopicArn: "arn:aws:sns:us-east-1:1:alarms", KeyDashboardName: "payments-prod", KeyAlarmNames: []any{"a", "b"}}, res.Exports)
}
