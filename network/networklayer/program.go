// Package networklayer is the program of the network layer: the environment's
// foundation, which every other layer reads: its customer-managed key, the
// name of the permissions boundary every workload role carries (which the
// account's bootstrap owns), and the VPC. It depends
// on no other layer.
package networklayer

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/component"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/layer"
	"github.com/acmepay/platform/pkg/workload"
)

// Program builds the network layer of the selected stack.
func Program(ctx *pulumi.Context) error {
	st, err := layer.Begin(ctx, contract.LayerNetwork)
	if err != nil {
		return err
	}
	key, err := component.NewEnvironmentKey(ctx, "environment-key", component.EnvironmentKeyArgs{
		Names: st.Names, Scope: st.Scope, BreakGlassRole: bootstrapiam.BreakGlassRole(st.Profile),
	})
	if err != nil {
		return err
	}
	// The workload permissions boundary belongs to the account's bootstrap,
	// where no deployment can change it; the layers only name it.
	boundary := pulumi.String(workload.Environment{Scope: st.Scope, Names: st.Names}.BoundaryArn())
	vpc, err := component.NewVpc(ctx, "vpc", component.VpcArgs{
		Names:                  st.Names,
		Scope:                  st.Scope,
		Network:                st.Profile.Network,
		FlowLogRetentionDays:   st.Profile.Network.FlowLogRetentionDays,
		PermissionsBoundaryArn: boundary,
		LogKeyArn:              key.Arn,
	})
	if err != nil {
		return err
	}
	contract.NetworkExports{
		VpcID:                  vpc.VpcID.ToStringOutput(),
		VpcCIDR:                pulumi.String(vpc.CIDR),
		AvailabilityZones:      pulumi.ToStringArray(vpc.AvailabilityZones),
		PublicSubnetIDs:        vpc.PublicSubnetIDs,
		PrivateSubnetIDs:       vpc.PrivateSubnetIDs,
		PrivateRouteTableIDs:   vpc.PrivateRouteTableIDs,
		PermissionsBoundaryArn: boundary,
		EnvironmentKeyArn:      key.Arn,
		DefaultSecurityGroupID: vpc.DefaultSecurityGroupID.ToStringOutput(),
		S3EndpointID:           vpc.S3EndpointID.ToStringOutput(),
		DynamoDBEndpointID:     vpc.DynamoDBEndpointID.ToStringOutput(),
		GatewayPrefixListIDs:   vpc.GatewayPrefixListIDs,
		FlowLogGroupName:       vpc.FlowLogGroupName,
	}.Export(ctx)
	st.Finish(ctx)
	return nil
}
