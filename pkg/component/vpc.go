package component

import (
	"fmt"
	"strings"

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
const AvailabilityZones = profile.AvailabilityZones

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
	// GatewayPrefixListIDs are the S3 and DynamoDB endpoints' prefix lists:
	// the only destinations a function's security group lets it reach.
	GatewayPrefixListIDs pulumi.StringArrayOutput
	// FlowLogGroupName is nil where flow logs are off.
	FlowLogGroupName pulumi.StringInput
}

func (a VpcArgs) validate() error {
	if err := profile.CheckPrivateCIDR("vpc cidr", a.Network.VpcCIDR); err != nil {
		return err
	}
	if n := profile.NatGateways; a.Network.NatGateways < n.Min || a.Network.NatGateways > n.Max {
		return fmt.Errorf("nat gateways = %d: allowed %d (none: the private subnets reach AWS through the gateway endpoints only) to %d (one per AZ)", a.Network.NatGateways, n.Min, n.Max)
	}
	if a.Network.FlowLogs && (a.PermissionsBoundaryArn == nil || a.LogKeyArn == nil) {
		return fmt.Errorf("flow logs need a permissions boundary for their role and a key for their log group")
	}
	return nil
}

// NewVpc builds the network, tier by tier: the VPC with its closed default
// security group and internet gateway, the public tier (NAT only), the NAT
// gateways, the private tier (the functions), the gateway endpoints and, where
// the profile says so, flow logs.
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
	zones, err := aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{State: pulumi.StringRef("available")}, pulumi.Parent(c))
	if err != nil {
		return nil, fmt.Errorf("%s %s: looking up availability zones: %w", VpcToken, name, err)
	}
	if len(zones.Names) < AvailabilityZones {
		return nil, fmt.Errorf("%s %s: region %s offers %d available zones: need %d", VpcToken, name, args.Scope.Region, len(zones.Names), AvailabilityZones)
	}
	c.AvailabilityZones = append([]string(nil), zones.Names[:AvailabilityZones]...)

	v := &vpcBuild{ctx: ctx, name: name, args: args, plan: plan, c: c, parent: pulumi.Parent(c),
		b: &builder{token: VpcToken, component: name, names: args.Names}}
	for _, tier := range []func() error{v.core, v.publicTier, v.natTier, v.privateTier, v.endpoints, v.flowLogs} {
		if err := tier(); err != nil {
			return nil, v.b.wrap(err)
		}
	}
	if v.b.err != nil {
		return nil, v.b.wrap(v.b.err)
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"vpcId":            c.VpcID,
		"privateSubnetIds": c.PrivateSubnetIDs,
		"publicSubnetIds":  c.PublicSubnetIDs,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// vpcBuild carries what the tiers of one Vpc share.
type vpcBuild struct {
	ctx    *pulumi.Context
	name   string
	args   VpcArgs
	plan   subnets.Plan
	c      *Vpc
	b      *builder
	parent pulumi.ResourceOption

	vpc           *ec2.Vpc
	igw           *ec2.InternetGateway
	publicSubnets []*ec2.Subnet
	nats          []*ec2.NatGateway
	privateRTs    pulumi.StringArray
}

// core is the VPC, its default security group (managed with no rules, so
// what gets it by default is closed) and its internet gateway.
func (v *vpcBuild) core() error {
	vpc, err := ec2.NewVpc(v.ctx, v.name, &ec2.VpcArgs{
		CidrBlock:          pulumi.String(v.args.Network.VpcCIDR),
		EnableDnsSupport:   pulumi.Bool(true),
		EnableDnsHostnames: pulumi.Bool(true),
		Tags:               v.b.nameTag(naming.Tag, naming.VPC),
	}, v.parent)
	if err != nil {
		return err
	}
	v.vpc, v.c.VpcID = vpc, vpc.ID()
	defaultSG, err := ec2.NewDefaultSecurityGroup(v.ctx, v.name+"-default-sg", &ec2.DefaultSecurityGroupArgs{
		VpcId: vpc.ID(),
		Tags:  v.b.nameTag(naming.SecurityGroup, "default-sg"),
	}, v.parent)
	if err != nil {
		return err
	}
	v.c.DefaultSecurityGroupID = defaultSG.ID()
	v.igw, err = ec2.NewInternetGateway(v.ctx, v.name+"-igw", &ec2.InternetGatewayArgs{
		VpcId: vpc.ID(),
		Tags:  v.b.nameTag(naming.Tag, "igw"),
	}, v.parent)
	return err
}

// publicTier is one public subnet per AZ, routed to the internet gateway;
// only the NAT gateways live there.
func (v *vpcBuild) publicTier() error {
	rt, err := ec2.NewRouteTable(v.ctx, v.name+"-public-rt", &ec2.RouteTableArgs{
		VpcId: v.vpc.ID(),
		Tags:  v.b.nameTag(naming.Tag, "public-rt"),
	}, v.parent)
	if err != nil {
		return err
	}
	if _, err := ec2.NewRoute(v.ctx, v.name+"-public-default", &ec2.RouteArgs{
		RouteTableId:         rt.ID(),
		DestinationCidrBlock: pulumi.String("0.0.0.0/0"),
		GatewayId:            v.igw.ID(),
	}, v.parent); err != nil {
		return err
	}
	var ids pulumi.StringArray
	for i, az := range v.c.AvailabilityZones {
		n := i + 1
		sn, err := v.subnet(fmt.Sprintf("public-%d", n), v.plan.Public[i], az, fmt.Sprintf("public-subnet-%d", n), rt)
		if err != nil {
			return err
		}
		v.publicSubnets = append(v.publicSubnets, sn)
		ids = append(ids, sn.ID().ToStringOutput())
	}
	v.c.PublicSubnetIDs = ids.ToStringArrayOutput()
	return nil
}

// natTier is no NAT gateway, one shared in the first AZ, or one per AZ.
func (v *vpcBuild) natTier() error {
	for i := 0; i < v.args.Network.NatGateways; i++ {
		n := i + 1
		eip, err := ec2.NewEip(v.ctx, fmt.Sprintf("%s-nat-%d", v.name, n), &ec2.EipArgs{
			Domain: pulumi.String("vpc"),
			Tags:   v.b.nameTag(naming.Tag, fmt.Sprintf("nat-eip-%d", n)),
		}, v.parent)
		if err != nil {
			return err
		}
		nat, err := ec2.NewNatGateway(v.ctx, fmt.Sprintf("%s-nat-%d", v.name, n), &ec2.NatGatewayArgs{
			AllocationId: eip.ID(),
			SubnetId:     v.publicSubnets[i].ID(),
			Tags:         v.b.nameTag(naming.Tag, fmt.Sprintf("nat-%d", n)),
		}, v.parent, pulumi.DependsOn([]pulumi.Resource{v.igw}))
		if err != nil {
			return err
		}
		v.nats = append(v.nats, nat)
	}
	return nil
}

// privateTier is one private subnet per AZ, each with its own route table
// whose default route goes through a NAT gateway (NAT 1 when it is shared).
// Without NAT gateways there is no default route: the subnets reach
// DynamoDB and S3 through the gateway endpoints, and nothing else outside.
func (v *vpcBuild) privateTier() error {
	var ids pulumi.StringArray
	for i, az := range v.c.AvailabilityZones {
		n := i + 1
		rt, err := ec2.NewRouteTable(v.ctx, fmt.Sprintf("%s-private-rt-%d", v.name, n), &ec2.RouteTableArgs{
			VpcId: v.vpc.ID(),
			Tags:  v.b.nameTag(naming.Tag, fmt.Sprintf("private-rt-%d", n)),
		}, v.parent)
		if err != nil {
			return err
		}
		v.privateRTs = append(v.privateRTs, rt.ID().ToStringOutput())
		if len(v.nats) > 0 {
			nat := v.nats[min(i, len(v.nats)-1)]
			if _, err := ec2.NewRoute(v.ctx, fmt.Sprintf("%s-private-%d-default", v.name, n), &ec2.RouteArgs{
				RouteTableId:         rt.ID(),
				DestinationCidrBlock: pulumi.String("0.0.0.0/0"),
				NatGatewayId:         nat.ID(),
			}, v.parent); err != nil {
				return err
			}
		}
		sn, err := v.subnet(fmt.Sprintf("private-%d", n), v.plan.Private[i], az, fmt.Sprintf("private-subnet-%d", n), rt)
		if err != nil {
			return err
		}
		ids = append(ids, sn.ID().ToStringOutput())
	}
	v.c.PrivateSubnetIDs = ids.ToStringArrayOutput()
	v.c.PrivateRouteTableIDs = v.privateRTs.ToStringArrayOutput()
	return nil
}

// subnet is one subnet of a tier, associated with the tier's route table.
// A public subnet says outright that it gives nothing a public address (its
// NAT gateways have their Elastic IPs); private subnets never could.
func (v *vpcBuild) subnet(logical, cidr, az, nameTag string, rt *ec2.RouteTable) (*ec2.Subnet, error) {
	args := &ec2.SubnetArgs{
		VpcId:            v.vpc.ID(),
		CidrBlock:        pulumi.String(cidr),
		AvailabilityZone: pulumi.String(az),
		Tags:             v.b.nameTag(naming.Tag, nameTag),
	}
	if strings.HasPrefix(logical, "public-") {
		args.MapPublicIpOnLaunch = pulumi.Bool(false)
	}
	sn, err := ec2.NewSubnet(v.ctx, v.name+"-"+logical, args, v.parent)
	if err != nil {
		return nil, err
	}
	_, err = ec2.NewRouteTableAssociation(v.ctx, v.name+"-"+logical, &ec2.RouteTableAssociationArgs{
		SubnetId:     sn.ID(),
		RouteTableId: rt.ID(),
	}, v.parent)
	return sn, err
}

// endpoints are the S3 and DynamoDB gateway endpoints on the private route
// tables: free, and they keep that traffic off the NAT.
func (v *vpcBuild) endpoints() error {
	endpoint := func(service string) (*ec2.VpcEndpoint, error) {
		return ec2.NewVpcEndpoint(v.ctx, fmt.Sprintf("%s-%s-endpoint", v.name, service), &ec2.VpcEndpointArgs{
			VpcId:           v.vpc.ID(),
			ServiceName:     pulumi.String(fmt.Sprintf("com.amazonaws.%s.%s", v.args.Scope.Region, service)),
			VpcEndpointType: pulumi.String("Gateway"),
			RouteTableIds:   v.privateRTs,
			Tags:            v.b.nameTag(naming.Tag, service+"-endpoint"),
		}, v.parent)
	}
	s3, err := endpoint("s3")
	if err != nil {
		return err
	}
	dynamo, err := endpoint("dynamodb")
	if err != nil {
		return err
	}
	v.c.S3EndpointID, v.c.DynamoDBEndpointID = s3.ID(), dynamo.ID()
	v.c.GatewayPrefixListIDs = pulumi.ToStringArrayOutput([]pulumi.StringOutput{s3.PrefixListId, dynamo.PrefixListId})
	return nil
}

func (v *vpcBuild) flowLogs() error {
	if !v.args.Network.FlowLogs {
		return nil
	}
	group, err := newFlowLogs(v.ctx, v.name, v.args, v.vpc, v.b, v.parent)
	v.c.FlowLogGroupName = group
	return err
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
		Path:                pulumi.String(workload.RolePath),
		AssumeRolePolicy:    pulumi.String(iampolicy.ServiceTrust("vpc-flow-logs.amazonaws.com", args.Scope.Account).JSON()),
		PermissionsBoundary: args.PermissionsBoundaryArn,
		Description:         pulumi.String("Lets VPC flow logs write to " + groupName + " only"),
		// A role's name is unique in the account: a replacement (a new
		// path) must remove the old one first.
	}, parent, pulumi.DeleteBeforeReplace(true))
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
