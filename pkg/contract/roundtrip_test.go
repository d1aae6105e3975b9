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

func TestEveryOutputSurvivesExportAndRead(t *testing.T) {
	network := Network{
		VpcID: "vpc-1", VpcCIDR: "10.30.0.0/16", AvailabilityZones: []string{"us-east-1a", "us-east-1b", "us-east-1c"},
		PublicSubnetIDs: []string{"subnet-p1", "subnet-p2"}, PrivateSubnetIDs: []string{"subnet-q1", "subnet-q2"},
		PrivateRouteTableIDs:   []string{"rtb-1", "rtb-2"},
		PermissionsBoundaryArn: "arn:aws:iam::345678901234:policy/permissions-boundary-prod-pay01",
		EnvironmentKeyArn:      "arn:aws:kms:us-east-1:345678901234:key/k-1",
		GatewayPrefixListIDs:   []string{"pl-s3", "pl-ddb"},
	}
	var gotNetwork Network
	roundTrip(t, LayerNetwork, func(ctx *pulumi.Context) {
		NetworkExports{
			VpcID: pulumi.String(network.VpcID), VpcCIDR: pulumi.String(network.VpcCIDR),
			AvailabilityZones: pulumi.ToStringArray(network.AvailabilityZones), PublicSubnetIDs: pulumi.ToStringArray(network.PublicSubnetIDs),
			PrivateSubnetIDs: pulumi.ToStringArray(network.PrivateSubnetIDs), PrivateRouteTableIDs: pulumi.ToStringArray(network.PrivateRouteTableIDs),
			PermissionsBoundaryArn: pulumi.String(network.PermissionsBoundaryArn), EnvironmentKeyArn: pulumi.String(network.EnvironmentKeyArn),
			DefaultSecurityGroupID: pulumi.String("sg-1"), S3EndpointID: pulumi.String("vpce-1"), DynamoDBEndpointID: pulumi.String("vpce-2"),
			GatewayPrefixListIDs: pulumi.ToStringArray(network.GatewayPrefixListIDs),
		}.Export(ctx)
	}, func(ctx *pulumi.Context) (err error) { gotNetwork, err = ReadNetwork(ctx); return })
	assert.Equal(t, network, gotNetwork)

	data := Data{TableName: "transactions-prod-pay01", TableArn: "arn:aws:dynamodb:us-east-1:345678901234:table/transactions-prod-pay01",
		TableIndexName: "by-merchant", AuditBucketName: "audit-prod-pay01", AuditBucketArn: "arn:aws:s3:::audit-prod-pay01", AuditPrefix: "audit/"}
	var gotData Data
	roundTrip(t, LayerData, func(ctx *pulumi.Context) {
		DataExports{TableName: pulumi.String(data.TableName), TableArn: pulumi.String(data.TableArn), TableIndexName: pulumi.String(data.TableIndexName),
			AuditBucketName: pulumi.String(data.AuditBucketName), AuditBucketArn: pulumi.String(data.AuditBucketArn), AuditPrefix: pulumi.String(data.AuditPrefix)}.Export(ctx)
	}, func(ctx *pulumi.Context) (err error) { gotData, err = ReadData(ctx); return })
	assert.Equal(t, data, gotData)

	fn := Function{Name: "payment-processor-prod-pay01", Arn: "arn:aws:lambda:us-east-1:345678901234:function:payment-processor-prod-pay01",
		LogGroupName: "/aws/lambda/payment-processor-prod-pay01", TimeoutSeconds: 15}
	var gotCompute Compute
	roundTrip(t, LayerCompute, func(ctx *pulumi.Context) {
		ComputeExports{Functions: []FunctionExport{{Name: fn.Name, Arn: pulumi.String(fn.Arn), LogGroupName: fn.LogGroupName, TimeoutSeconds: fn.TimeoutSeconds}}}.Export(ctx)
	}, func(ctx *pulumi.Context) (err error) { gotCompute, err = ReadCompute(ctx); return })
	assert.Equal(t, Compute{Functions: []Function{fn}}, gotCompute)
}

func TestAnExportNobodyReadsIsStillPublished(t *testing.T) {
	res, err := stacktest.Run(func(ctx *pulumi.Context) error {
		ObservabilityExports{AlarmTopicArn: pulumi.String("arn:aws:sns:us-east-1:1:alarms"), DashboardName: "payments-prod", AlarmNames: []string{"a", "b"}}.Export(ctx)
		return nil
	}, stacktest.Options{Project: LayerObservability, Stack: "prod"})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{KeyAlarmTopicArn: "arn:aws:sns:us-east-1:1:alarms", KeyDashboardName: "payments-prod", KeyAlarmNames: []any{"a", "b"}}, res.Exports)
}
