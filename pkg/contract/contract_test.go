package contract

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/stacktest"
)

// readNetworkForCompute reads outputs as the compute layer of staging does.
func readNetworkForCompute(outputs map[string]any) (NetworkForCompute, error) {
	var got NetworkForCompute
	_, err := stacktest.Run(func(ctx *pulumi.Context) error {
		n, err := ReadNetworkForCompute(ctx)
		got = n
		return err
	}, stacktest.Options{Project: "compute", Stack: "staging", StackOutputs: map[string]map[string]any{"organization/network/staging": outputs}})
	return got, err
}

func TestReadNetworkForCompute(t *testing.T) {
	got, err := readNetworkForCompute(map[string]any{
		"vpcId": "vpc-1", "vpcCidr": "10.20.0.0/16",
		"privateSubnetIds":       []any{"subnet-c", "subnet-d"},
		"permissionsBoundaryArn": "arn:aws:iam::234567890123:policy/permissions-boundary-staging-pay01",
		"environmentKeyArn":      "arn:aws:kms:us-east-1:234567890123:key/k-1",
		"gatewayPrefixListIds":   []any{"pl-s3", "pl-ddb"},
	})
	require.NoError(t, err)
	assert.Equal(t, NetworkForCompute{
		VpcID:                  "vpc-1",
		PrivateSubnetIDs:       []string{"subnet-c", "subnet-d"},
		PermissionsBoundaryArn: "arn:aws:iam::234567890123:policy/permissions-boundary-staging-pay01",
		EnvironmentKeyArn:      "arn:aws:kms:us-east-1:234567890123:key/k-1",
		GatewayPrefixListIDs:   []string{"pl-s3", "pl-ddb"},
	}, got)
}

func TestMissingOutputNamesStackAndKey(t *testing.T) {
	_, err := readNetworkForCompute(map[string]any{"vpcId": "vpc-1"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `stack organization/network/staging has no output "privateSubnetIds"`)
}

func TestMistypedOutputIsAnError(t *testing.T) {
	_, err := readNetworkForCompute(map[string]any{"vpcId": []any{"not", "a", "string"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `stack organization/network/staging output "vpcId"`)
}

// A reader takes only what it reads: the data layer's reader of the
// network needs the key alone, so a network without subnets still serves
// it, and an empty key is refused.
func TestAReaderNeedsOnlyWhatItReads(t *testing.T) {
	read := func(outputs map[string]any) (NetworkForData, error) {
		var got NetworkForData
		_, err := stacktest.Run(func(ctx *pulumi.Context) (err error) { got, err = ReadNetworkForData(ctx); return },
			stacktest.Options{Project: "data", Stack: "dev", StackOutputs: map[string]map[string]any{"organization/network/dev": outputs}})
		return got, err
	}
	got, err := read(map[string]any{"environmentKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k-1"})
	require.NoError(t, err)
	assert.Equal(t, NetworkForData{EnvironmentKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k-1"}, got)
	_, err = read(map[string]any{"environmentKeyArn": " "})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `stack organization/network/dev output "environmentKeyArn" is empty`)
}
