package contract

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/stacktest"
)

func readNetwork(outputs map[string]any) (Network, error) {
	var got Network
	_, err := stacktest.Run(func(ctx *pulumi.Context) error {
		n, err := ReadNetwork(ctx)
		got = n
		return err
	}, stacktest.Options{Project: "compute", Stack: "staging", StackOutputs: map[string]map[string]any{"organization/network/staging": outputs}})
	return got, err
}

func TestReadNetwork(t *testing.T) {
	got, err := readNetwork(map[string]any{
		"vpcId": "vpc-1", "vpcCidr": "10.20.0.0/16",
		"availabilityZones":      []any{"us-east-1a", "us-east-1b"},
		"publicSubnetIds":        []any{"subnet-a", "subnet-b"},
		"privateSubnetIds":       []any{"subnet-c", "subnet-d"},
		"privateRouteTableIds":   []any{"rtb-1", "rtb-2"},
		"permissionsBoundaryArn": "arn:aws:iam::234567890123:policy/permissions-boundary-staging-pay01",
		"environmentKeyArn":      "arn:aws:kms:us-east-1:234567890123:key/k-1",
		"gatewayPrefixListIds":   []any{"pl-s3", "pl-ddb"},
	})
	require.NoError(t, err)
	assert.Equal(t, Network{
		VpcID: "vpc-1", VpcCIDR: "10.20.0.0/16",
		AvailabilityZones:      []string{"us-east-1a", "us-east-1b"},
		PublicSubnetIDs:        []string{"subnet-a", "subnet-b"},
		PrivateSubnetIDs:       []string{"subnet-c", "subnet-d"},
		PrivateRouteTableIDs:   []string{"rtb-1", "rtb-2"},
		PermissionsBoundaryArn: "arn:aws:iam::234567890123:policy/permissions-boundary-staging-pay01",
		EnvironmentKeyArn:      "arn:aws:kms:us-east-1:234567890123:key/k-1",
		GatewayPrefixListIDs:   []string{"pl-s3", "pl-ddb"},
	}, got)
}

func TestMissingOutputNamesStackAndKey(t *testing.T) {
	_, err := readNetwork(map[string]any{"vpcId": "vpc-1"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `stack organization/network/staging has no output "vpcCidr"`)
}

func TestMistypedOutputIsAnError(t *testing.T) {
	_, err := readNetwork(map[string]any{"vpcId": []any{"not", "a", "string"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `stack organization/network/staging output "vpcId"`)
}
