package contract

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Network is what the network layer offers the others.
type Network struct {
	VpcID                  string
	VpcCIDR                string
	AvailabilityZones      []string
	PublicSubnetIDs        []string
	PrivateSubnetIDs       []string
	PrivateRouteTableIDs   []string
	PermissionsBoundaryArn string
	// EnvironmentKeyArn is the environment's customer-managed KMS key.
	EnvironmentKeyArn string
	// GatewayPrefixListIDs are the S3 and DynamoDB gateway endpoints'
	// prefix lists, the functions' only egress.
	GatewayPrefixListIDs []string
}

// NetworkExports is what the network program exports.
type NetworkExports struct {
	VpcID                  pulumi.StringInput
	VpcCIDR                pulumi.StringInput
	AvailabilityZones      pulumi.StringArrayInput
	PublicSubnetIDs        pulumi.StringArrayInput
	PrivateSubnetIDs       pulumi.StringArrayInput
	PrivateRouteTableIDs   pulumi.StringArrayInput
	PermissionsBoundaryArn pulumi.StringInput
	EnvironmentKeyArn      pulumi.StringInput
	DefaultSecurityGroupID pulumi.StringInput
	S3EndpointID           pulumi.StringInput
	DynamoDBEndpointID     pulumi.StringInput
	GatewayPrefixListIDs   pulumi.StringArrayInput
	// FlowLogGroupName is empty where flow logs are off.
	FlowLogGroupName pulumi.StringInput
}

// Export publishes the network outputs.
func (e NetworkExports) Export(ctx *pulumi.Context) {
	ctx.Export(KeyVpcID, e.VpcID)
	ctx.Export(KeyVpcCIDR, e.VpcCIDR)
	ctx.Export(KeyAvailabilityZones, e.AvailabilityZones)
	ctx.Export(KeyPublicSubnetIDs, e.PublicSubnetIDs)
	ctx.Export(KeyPrivateSubnetIDs, e.PrivateSubnetIDs)
	ctx.Export(KeyPrivateRouteTableIDs, e.PrivateRouteTableIDs)
	ctx.Export(KeyPermissionsBoundary, e.PermissionsBoundaryArn)
	ctx.Export(KeyEnvironmentKeyArn, e.EnvironmentKeyArn)
	ctx.Export(KeyDefaultSecurityGroup, e.DefaultSecurityGroupID)
	ctx.Export(KeyGatewayEndpointS3, e.S3EndpointID)
	ctx.Export(KeyGatewayEndpointDynamo, e.DynamoDBEndpointID)
	ctx.Export(KeyGatewayPrefixLists, e.GatewayPrefixListIDs)
	if e.FlowLogGroupName != nil {
		ctx.Export(KeyFlowLogGroupName, e.FlowLogGroupName)
	}
}

// ReadNetwork reads the network layer of the same environment.
func ReadNetwork(ctx *pulumi.Context, opts ...pulumi.ResourceOption) (Network, error) {
	r := newReference(ctx, LayerNetwork, opts...)
	var n Network
	r.decode(KeyVpcID, &n.VpcID)
	r.decode(KeyVpcCIDR, &n.VpcCIDR)
	r.decode(KeyAvailabilityZones, &n.AvailabilityZones)
	r.decode(KeyPublicSubnetIDs, &n.PublicSubnetIDs)
	r.decode(KeyPrivateSubnetIDs, &n.PrivateSubnetIDs)
	r.decode(KeyPrivateRouteTableIDs, &n.PrivateRouteTableIDs)
	r.decode(KeyPermissionsBoundary, &n.PermissionsBoundaryArn)
	r.decode(KeyEnvironmentKeyArn, &n.EnvironmentKeyArn)
	r.decode(KeyGatewayPrefixLists, &n.GatewayPrefixListIDs)
	r.nonEmpty(KeyVpcID, n.VpcID)
	r.nonEmpty(KeyPrivateSubnetIDs, n.PrivateSubnetIDs...)
	r.nonEmpty(KeyPermissionsBoundary, n.PermissionsBoundaryArn)
	r.nonEmpty(KeyEnvironmentKeyArn, n.EnvironmentKeyArn)
	r.nonEmpty(KeyGatewayPrefixLists, n.GatewayPrefixListIDs...)
	return n, r.err
}
