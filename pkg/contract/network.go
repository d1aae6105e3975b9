package contract

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

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

// NetworkForData is what the data layer reads of the network layer.
type NetworkForData struct {
	// EnvironmentKeyArn is the environment's customer-managed KMS key.
	EnvironmentKeyArn string
}

// ReadNetworkForData reads what the data layer needs of the network layer
// of the same environment.
func ReadNetworkForData(ctx *pulumi.Context, opts ...pulumi.ResourceOption) (NetworkForData, error) {
	r := newReference(ctx, LayerNetwork, opts...)
	var n NetworkForData
	r.required(KeyEnvironmentKeyArn, &n.EnvironmentKeyArn)
	return n, r.err
}

// NetworkForCompute is what the compute layer reads of the network layer:
// where its functions run and what bounds and encrypts them.
type NetworkForCompute struct {
	VpcID                  string
	PrivateSubnetIDs       []string
	PermissionsBoundaryArn string
	EnvironmentKeyArn      string
	// GatewayPrefixListIDs are the S3 and DynamoDB gateway endpoints'
	// prefix lists, the functions' only egress.
	GatewayPrefixListIDs []string
}

// ReadNetworkForCompute reads what the compute layer needs of the network
// layer of the same environment.
func ReadNetworkForCompute(ctx *pulumi.Context, opts ...pulumi.ResourceOption) (NetworkForCompute, error) {
	r := newReference(ctx, LayerNetwork, opts...)
	var n NetworkForCompute
	r.required(KeyVpcID, &n.VpcID)
	r.required(KeyPrivateSubnetIDs, &n.PrivateSubnetIDs)
	r.required(KeyPermissionsBoundary, &n.PermissionsBoundaryArn)
	r.required(KeyEnvironmentKeyArn, &n.EnvironmentKeyArn)
	r.required(KeyGatewayPrefixLists, &n.GatewayPrefixListIDs)
	return n, r.err
}

// NetworkForObservability is what the observability layer reads of the
// network layer.
type NetworkForObservability struct {
	EnvironmentKeyArn string
}

// ReadNetworkForObservability reads what the observability layer needs of
// the network layer of the same environment.
func ReadNetworkForObservability(ctx *pulumi.Context, opts ...pulumi.ResourceOption) (NetworkForObservability, error) {
	r := newReference(ctx, LayerNetwork, opts...)
	var n NetworkForObservability
	r.required(KeyEnvironmentKeyArn, &n.EnvironmentKeyArn)
	return n, r.err
}
