package component

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/subnets"
	"github.com/acmepay/platform/pkg/workload"
)

// AvailabilityZones is how many AZs the VPC spans.
const AvailabilityZones = 2

// VpcArgs configures a Vpc.
type VpcArgs struct {
	Names   naming.Namer
	Scope   iampolicy.Scope
	Network profile.Network
	// FlowLogRetentionDays is the retention of the flow-log group, when
	// Network.FlowLogs is on.
	FlowLogRetentionDays int
	// PermissionsBoundaryArn is attached to the flow-log role.
	PermissionsBoundaryArn pulumi.StringInput
	// LogKeyArn encrypts the flow-log group.
	LogKeyArn pulumi.StringInput
}

// Vpc is the payments network of one environment: public subnets for NAT
// only, private subnets for the functions, gateway endpoints so S3 and
// DynamoDB traffic never crosses a NAT, a closed default security group and,
// where the profile says so, flow logs.
type Vpc struct {
	pulumi.ResourceState

	VpcID                  pulumi.IDOutput
	CIDR                   string
	AvailabilityZones      []string
	PublicSubnetIDs        pulumi.StringArrayOutput
	PrivateSubnetIDs       pulumi.StringArrayOutput
	PrivateRouteTableIDs   pulumi.StringArrayOutput
	DefaultSecurityGroupID pulumi.IDOutput
	S3EndpointID           pulumi.IDOutput
	DynamoDBEndpointID     pulumi.IDOutput
	// FlowLogGroupName is nil where flow logs are off.
	FlowLogGroupName pulumi.StringInput
}

func (a VpcArgs) validate() error {
	if err := profile.CheckPrivateCIDR("vpc cidr", a.Network.VpcCIDR); err != nil {
		return err
	}
	if a.Network.NatGateways < 1 || a.Network.NatGateways > AvailabilityZones {
		return fmt.Errorf("nat gateways = %d: allowed 1 (shared) to %d (one per AZ)", a.Network.NatGateways, AvailabilityZones)
	}
	if a.Network.FlowLogs && (a.PermissionsBoundaryArn == nil || a.LogKeyArn == nil) {
		return fmt.Errorf("flow logs need a permissions boundary for their role and a key for their log group")
	}
	return nil
}

// NewVpc builds the network.
func NewVpc(ctx *pulumi.Context, name string, args VpcArgs, opts ...pulumi.ResourceOption) (*Vpc, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", VpcToken, name, err)
	}
	plan, err := subnets.For(args.Network.VpcCIDR, AvailabilityZones)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", VpcToken, name, err)
	}
	c := &Vpc{CIDR: args.Network.VpcCIDR}
	if err := ctx.RegisterComponentResource(VpcToken, name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)

	zones, err := aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{State: pulumi.StringRef("available")}, pulumi.Parent(c))
	if err != nil {
		return nil, fmt.Errorf("%s %s: looking up availability zones: %w", VpcToken, name, err)
	}
	if len(zones.Names) < AvailabilityZones {
		return nil, fmt.Errorf("%s %s: region %s offers %d available zones: need %d", VpcToken, name, args.Scope.Region, len(zones.Names), AvailabilityZones)
	}
	c.AvailabilityZones = append([]string(nil), zones.Names[:AvailabilityZones]...)

	b := &builder{token: VpcToken, component: name, names: args.Names}
	vpc, err := ec2.NewVpc(ctx, name, &ec2.VpcArgs{
		CidrBlock:          pulumi.String(args.Network.VpcCIDR),
		EnableDnsSupport:   pulumi.Bool(true),
		EnableDnsHostnames: pulumi.Bool(true),
		Tags:               b.nameTag(naming.Tag, naming.VPC),
	}, parent)
	if err != nil {
		return nil, b.wrap(err)
	}
	c.VpcID = vpc.ID()

	// The default security group is what a resource gets when nobody picks one;
	// managing it with no rules leaves it closed.
	defaultSG, err := ec2.NewDefaultSecurityGroup(ctx, name+"-default-sg", &ec2.DefaultSecurityGroupArgs{
		VpcId: vpc.ID(),
		Tags:  b.nameTag(naming.SecurityGroup, "default-sg"),
	}, parent)
	if err != nil {
		return nil, b.wrap(err)
	}
	c.DefaultSecurityGroupID = defaultSG.ID()

	igw, err := ec2.NewInternetGateway(ctx, name+"-igw", &ec2.InternetGatewayArgs{
		VpcId: vpc.ID(),
		Tags:  b.nameTag(naming.Tag, "igw"),
	}, parent)
	if err != nil {
		return nil, b.wrap(err)
	}

	publicRT, err := ec2.NewRouteTable(ctx, name+"-public-rt", &ec2.RouteTableArgs{
		VpcId: vpc.ID(),
		Tags:  b.nameTag(naming.Tag, "public-rt"),
	}, parent)
	if err != nil {
		return nil, b.wrap(err)
	}
	if _, err := ec2.NewRoute(ctx, name+"-public-default", &ec2.RouteArgs{
		RouteTableId:         publicRT.ID(),
		DestinationCidrBlock: pulumi.String("0.0.0.0/0"),
		GatewayId:            igw.ID(),
	}, parent); err != nil {
		return nil, b.wrap(err)
	}

	var public, private, privateRTs pulumi.StringArray
	var publicSubnets []*ec2.Subnet
	for i, az := range c.AvailabilityZones {
		n := i + 1
		sn, err := ec2.NewSubnet(ctx, fmt.Sprintf("%s-public-%d", name, n), &ec2.SubnetArgs{
			VpcId:               vpc.ID(),
			CidrBlock:           pulumi.String(plan.Public[i]),
			AvailabilityZone:    pulumi.String(az),
			MapPublicIpOnLaunch: pulumi.Bool(false),
			Tags:                b.nameTag(naming.Tag, fmt.Sprintf("public-subnet-%d", n)),
		}, parent)
		if err != nil {
			return nil, b.wrap(err)
		}
		publicSubnets = append(publicSubnets, sn)
		public = append(public, sn.ID().ToStringOutput())
		if _, err := ec2.NewRouteTableAssociation(ctx, fmt.Sprintf("%s-public-%d", name, n), &ec2.RouteTableAssociationArgs{
			SubnetId:     sn.ID(),
			RouteTableId: publicRT.ID(),
		}, parent); err != nil {
			return nil, b.wrap(err)
		}
	}

	// NAT gateways: one shared in the first AZ, or one per AZ.
	var nats []*ec2.NatGateway
	for i := 0; i < args.Network.NatGateways; i++ {
		n := i + 1
		eip, err := ec2.NewEip(ctx, fmt.Sprintf("%s-nat-%d", name, n), &ec2.EipArgs{
			Domain: pulumi.String("vpc"),
			Tags:   b.nameTag(naming.Tag, fmt.Sprintf("nat-eip-%d", n)),
		}, parent)
		if err != nil {
			return nil, b.wrap(err)
		}
		nat, err := ec2.NewNatGateway(ctx, fmt.Sprintf("%s-nat-%d", name, n), &ec2.NatGatewayArgs{
			AllocationId: eip.ID(),
			SubnetId:     publicSubnets[i].ID(),
			Tags:         b.nameTag(naming.Tag, fmt.Sprintf("nat-%d", n)),
		}, parent, pulumi.DependsOn([]pulumi.Resource{igw}))
		if err != nil {
			return nil, b.wrap(err)
		}
		nats = append(nats, nat)
	}

	for i, az := range c.AvailabilityZones {
		n := i + 1
		sn, err := ec2.NewSubnet(ctx, fmt.Sprintf("%s-private-%d", name, n), &ec2.SubnetArgs{
			VpcId:            vpc.ID(),
			CidrBlock:        pulumi.String(plan.Private[i]),
			AvailabilityZone: pulumi.String(az),
			Tags:             b.nameTag(naming.Tag, fmt.Sprintf("private-subnet-%d", n)),
		}, parent)
		if err != nil {
			return nil, b.wrap(err)
		}
		private = append(private, sn.ID().ToStringOutput())
		rt, err := ec2.NewRouteTable(ctx, fmt.Sprintf("%s-private-rt-%d", name, n), &ec2.RouteTableArgs{
			VpcId: vpc.ID(),
			Tags:  b.nameTag(naming.Tag, fmt.Sprintf("private-rt-%d", n)),
		}, parent)
		if err != nil {
			return nil, b.wrap(err)
		}
		privateRTs = append(privateRTs, rt.ID().ToStringOutput())
		// With a shared NAT every private route table points at NAT 1.
		nat := nats[min(i, len(nats)-1)]
		if _, err := ec2.NewRoute(ctx, fmt.Sprintf("%s-private-%d-default", name, n), &ec2.RouteArgs{
			RouteTableId:         rt.ID(),
			DestinationCidrBlock: pulumi.String("0.0.0.0/0"),
			NatGatewayId:         nat.ID(),
		}, parent); err != nil {
			return nil, b.wrap(err)
		}
		if _, err := ec2.NewRouteTableAssociation(ctx, fmt.Sprintf("%s-private-%d", name, n), &ec2.RouteTableAssociationArgs{
			SubnetId:     sn.ID(),
			RouteTableId: rt.ID(),
		}, parent); err != nil {
			return nil, b.wrap(err)
		}
	}
	c.PublicSubnetIDs = public.ToStringArrayOutput()
	c.PrivateSubnetIDs = private.ToStringArrayOutput()
	c.PrivateRouteTableIDs = privateRTs.ToStringArrayOutput()

	// Gateway endpoints are free and keep S3 and DynamoDB traffic off the NAT.
	endpoint := func(service string) (*ec2.VpcEndpoint, error) {
		return ec2.NewVpcEndpoint(ctx, fmt.Sprintf("%s-%s-endpoint", name, service), &ec2.VpcEndpointArgs{
			VpcId:           vpc.ID(),
			ServiceName:     pulumi.String(fmt.Sprintf("com.amazonaws.%s.%s", args.Scope.Region, service)),
			VpcEndpointType: pulumi.String("Gateway"),
			RouteTableIds:   privateRTs,
			Tags:            b.nameTag(naming.Tag, service+"-endpoint"),
		}, parent)
	}
	s3, err := endpoint("s3")
	if err != nil {
		return nil, b.wrap(err)
	}
	dynamo, err := endpoint("dynamodb")
	if err != nil {
		return nil, b.wrap(err)
	}
	c.S3EndpointID, c.DynamoDBEndpointID = s3.ID(), dynamo.ID()

	if args.Network.FlowLogs {
		group, err := newFlowLogs(ctx, name, args, vpc, b, parent)
		if err != nil {
			return nil, b.wrap(err)
		}
		c.FlowLogGroupName = group
	}
	if b.err != nil {
		return nil, b.wrap(b.err)
	}

	outputs := pulumi.Map{
		"vpcId":            c.VpcID,
		"privateSubnetIds": c.PrivateSubnetIDs,
		"publicSubnetIds":  c.PublicSubnetIDs,
	}
	if err := ctx.RegisterResourceOutputs(c, outputs); err != nil {
		return nil, err
	}
	return c, nil
}

// newFlowLogs sends the VPC's flow logs to a log group the stack owns, through
// a role that may write only to that group.
func newFlowLogs(ctx *pulumi.Context, name string, args VpcArgs, vpc *ec2.Vpc, b *builder, parent pulumi.ResourceOption) (pulumi.StringInput, error) {
	vpcName := b.name(naming.Tag, naming.VPC)
	groupName, err := args.Names.LogGroup(naming.FlowLogLogPath, vpcName)
	if err != nil {
		return nil, err
	}
	group, err := cloudwatch.NewLogGroup(ctx, name+"-flow-logs", &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(groupName),
		RetentionInDays: pulumi.Int(args.FlowLogRetentionDays),
		KmsKeyId:        args.LogKeyArn,
	}, parent)
	if err != nil {
		return nil, err
	}
	roleName := b.name(naming.IAMRole, naming.FlowLogRole)
	role, err := iam.NewRole(ctx, name+"-flow-logs", &iam.RoleArgs{
		Name:                pulumi.String(roleName),
		AssumeRolePolicy:    pulumi.String(iampolicy.ServiceTrust("vpc-flow-logs.amazonaws.com", args.Scope.Account).JSON()),
		PermissionsBoundary: args.PermissionsBoundaryArn,
		Description:         pulumi.String("Lets VPC flow logs write to " + groupName + " only"),
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err := iam.NewRolePolicy(ctx, name+"-flow-logs", &iam.RolePolicyArgs{
		Role:   role.ID(),
		Name:   pulumi.String(b.name(naming.IAMPolicy, "write-flow-logs")),
		Policy: pulumi.String(iampolicy.New(workload.FlowLogStatements(args.Scope, groupName)...).JSON()),
	}, parent); err != nil {
		return nil, err
	}
	if _, err := ec2.NewFlowLog(ctx, name+"-flow-log", &ec2.FlowLogArgs{
		VpcId:                  vpc.ID(),
		TrafficType:            pulumi.String("ALL"),
		LogDestinationType:     pulumi.String("cloud-watch-logs"),
		LogDestination:         group.Arn,
		IamRoleArn:             role.Arn,
		MaxAggregationInterval: pulumi.Int(60),
		Tags:                   b.nameTag(naming.Tag, "flow-log"),
	}, parent); err != nil {
		return nil, err
	}
	return group.Name, b.err
}
