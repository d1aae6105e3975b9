package quota

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/moto"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
)

// The quota check's EC2 and Service Quotas reads against moto, the second
// cloud. moto gives a new account its default VPC with a default subnet in
// each of us-east-1's six zones, as AWS does; the check counts the default
// VPC against the quota, and a NAT gateway being deleted (listed as
// "deleting", then "deleted", for about an hour) not at all. moto serves
// no Lambda GetAccountSettings and no GetAWSDefaultServiceQuota, so the
// whole Usage runs against the stand-in only (internal/awsfake's test),
// and the fallback to a quota's AWS default is exercised there.
func TestTheQuotaChecksEC2ReadsAgainstMoto(t *testing.T) {
	ctx := context.Background()
	s := moto.Start(t, fixture.DevAccount)
	cfg := s.DefaultConfig()
	ec := ec2.NewFromConfig(cfg)
	dev := func(kind ec2types.ResourceType) []ec2types.TagSpecification {
		return []ec2types.TagSpecification{{ResourceType: kind, Tags: []ec2types.Tag{
			{Key: aws.String("Environment"), Value: aws.String("dev")}, {Key: aws.String("Project"), Value: aws.String("payments-platform")}}}}
	}
	vpc, err := ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.10.0.0/16"), TagSpecifications: dev(ec2types.ResourceTypeVpc)})
	require.NoError(t, err)
	subnet, err := ec.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.10.0.0/24"), AvailabilityZone: aws.String("us-east-1b")})
	require.NoError(t, err)
	var nats []string
	for i := 0; i < 2; i++ {
		eip, err := ec.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc, TagSpecifications: dev(ec2types.ResourceTypeElasticIp)})
		require.NoError(t, err)
		nat, err := ec.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: subnet.Subnet.SubnetId, AllocationId: eip.AllocationId, TagSpecifications: dev(ec2types.ResourceTypeNatgateway)})
		require.NoError(t, err)
		nats = append(nats, aws.ToString(nat.NatGateway.NatGatewayId))
	}
	_, err = ec.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: aws.String(nats[1])})
	require.NoError(t, err)

	p := profile.Profile{Environment: profile.Dev, AccountID: fixture.DevAccount, Region: "us-east-1"}
	var u Usage
	require.NoError(t, ec2Usage(ctx, ec, p, &u))
	assert.Equal(t, 2, u.VPCs, "the default VPC and dev's")
	assert.Equal(t, 1, u.OwnVPCs)
	assert.Equal(t, 2, u.EIPs)
	assert.Equal(t, 2, u.OwnEIPs)
	assert.Equal(t, map[string]int{"us-east-1b": 1}, u.NATs, "the gateway being deleted does not count")
	assert.Equal(t, map[string]int{"us-east-1b": 1}, u.OwnNATs)

	sq := servicequotas.NewFromConfig(cfg)
	v, err := serviceQuota(ctx, sq, vpcs)
	require.NoError(t, err)
	assert.Equal(t, 5, v, "VPCs per Region")
	_, err = serviceQuota(ctx, sq, elasticIPs)
	require.Error(t, err, "moto answers NoSuchResourceException for the Elastic IP quota, and has no default to fall back to")
	assert.Contains(t, err.Error(), "servicequotas:GetAWSDefaultServiceQuota ec2 L-0263D0A3", "the fallback ran")
}
