// Package networklayer is the program of the network layer: the environment's
// foundation, which every other layer reads: its customer-managed key, the
// permissions boundary every workload role carries, and the VPC. It depends
// on no other layer.
package networklayer

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/pkg/component"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/layer"
)

// Program builds the network layer of the selected stack.
func Program(ctx *pulumi.Context) error {
	st, err := layer.Begin(ctx, contract.LayerNetwork)
	if err != nil {
		return err
	}
	key, err := component.NewEnvironmentKey(ctx, "environment-key", component.EnvironmentKeyArgs{Names: st.Names, Scope: st.Scope})
	if err != nil {
		return err
	}
	boundary, err := component.NewPermissionsBoundary(ctx, "permissions-boundary", component.PermissionsBoundaryArgs{
		Names: st.Names, Scope: st.Scope, KeyArn: key.Arn, AuditPrefix: component.AuditPrefix,
	})
	if err != nil {
		return err
	}
	vpc, err := component.NewVpc(ctx, "vpc", component.VpcArgs{
		Names:                  st.Names,
		Scope:                  st.Scope,
		Network:                st.Profile.Network,
		FlowLogRetentionDays:   st.Profile.Network.FlowLogRetentionDays,
		PermissionsBoundaryArn: boundary.Arn,
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
		PermissionsBoundaryArn: boundary.Arn,
		EnvironmentKeyArn:      key.Arn,
		DefaultSecurityGroupID: vpc.DefaultSecurityGroupID.ToStringOutput(),
		S3EndpointID:           vpc.S3EndpointID.ToStringOutput(),
		DynamoDBEndpointID:     vpc.DynamoDBEndpointID.ToStringOutput(),
		FlowLogGroupName:       vpc.FlowLogGroupName,
	}.Export(ctx)
	st.Finish(ctx)
	return nil
}
