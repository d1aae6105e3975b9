package awstype

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/acmepay/platform/pkg/iampolicy"
)

// The network layer's EC2 types. EC2 names them only by their Name tag.
const (
	Vpc                   = "aws:ec2/vpc:Vpc"
	Subnet                = "aws:ec2/subnet:Subnet"
	InternetGateway       = "aws:ec2/internetGateway:InternetGateway"
	Eip                   = "aws:ec2/eip:Eip"
	NatGateway            = "aws:ec2/natGateway:NatGateway"
	RouteTable            = "aws:ec2/routeTable:RouteTable"
	Route                 = "aws:ec2/route:Route"
	RouteTableAssociation = "aws:ec2/routeTableAssociation:RouteTableAssociation"
	VpcEndpoint           = "aws:ec2/vpcEndpoint:VpcEndpoint"
	SecurityGroup         = "aws:ec2/securityGroup:SecurityGroup"
	DefaultSecurityGroup  = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
	FlowLog               = "aws:ec2/flowLog:FlowLog"
)

// ec2Find finds an EC2 type by the Name tag it is created with.
func ec2Find(resourceType string) *Finder {
	return &Finder{TagFilter: "ec2:" + resourceType, ID: AfterSlash, ByName: DescribeTags, EC2Type: resourceType}
}

// natGatewayPrice: each gateway is paid by the hour and carries its share of
// the traffic through the environment's gateways.
func natGatewayPrice(r Priced) []Charge {
	nats := len(r.Each(NatGateway))
	return []Charge{
		hourly("hours provisioned", "nat-gateway-hour"),
		perUse("GB processed (its share)", "nat-gateway-gb", r.Usage().NatGBPerMonth/float64(max(nats, 1))),
	}
}

func init() {
	registerCeiling(10, Ceiling{Unnamed: []string{"ec2:*"}})
	registerGrants(10, ec2Grants)
	register(ec2Calls,
		Type{Token: Vpc, IDPrefix: "vpc", Immutable: []string{"cidrBlock"}, Summary: []string{"cidrBlock"},
			NoCharge: "VPCs have no charge", Find: ec2Find("vpc"),
			Quota: &Quota{Name: "VPCs per Region", Service: "vpc", Code: "L-F678F1CE", Default: 5,
				Exceeded: "VpcLimitExceeded: The maximum number of VPCs has been reached"}},
		Type{Token: Subnet, IDPrefix: "subnet", Immutable: []string{"vpcId", "cidrBlock", "availabilityZone"},
			Summary: []string{"cidrBlock", "availabilityZone"}, NoCharge: "subnets have no charge", Find: ec2Find("subnet")},
		Type{Token: InternetGateway, IDPrefix: "igw", ARNResource: "internet-gateway",
			NoCharge: "internet gateways have no charge (egress is data transfer, not modelled)", Find: ec2Find("internet-gateway")},
		Type{Token: Eip, IDPrefix: "eipalloc", ARNResource: "elastic-ip", Find: ec2Find("elastic-ip"),
			Price: func(Priced) []Charge { return []Charge{hourly("public IPv4 hours", "public-ipv4-hour")} },
			Quota: &Quota{Name: "EC2-VPC Elastic IPs", Service: "ec2", Code: "L-0263D0A3", Default: 5,
				Exceeded: "AddressLimitExceeded: The maximum number of addresses has been reached"}},
		Type{Token: NatGateway, IDPrefix: "nat", Immutable: []string{"subnetId", "allocationId"}, Summary: []string{"subnetId"},
			Find: ec2Find("natgateway"), Price: natGatewayPrice,
			Quota: &Quota{Name: "NAT gateways per Availability Zone", Service: "vpc", Code: "L-FE5A380F", Default: 5, PerZone: true,
				Exceeded: "NatGatewayLimitExceeded: The maximum number of NAT gateways in %s has been reached"}},
		Type{Token: RouteTable, IDPrefix: "rtb", ARNResource: "route-table", Immutable: []string{"vpcId"},
			NoCharge: "route tables have no charge", Find: ec2Find("route-table")},
		Type{Token: Route, Untaggable: true, Immutable: []string{"routeTableId", "destinationCidrBlock"}, NoCharge: "routes have no charge"},
		Type{Token: RouteTableAssociation, Untaggable: true, Immutable: []string{"subnetId"}, NoCharge: "route table associations have no charge"},
		Type{Token: VpcEndpoint, IDPrefix: "vpce", ARNResource: "vpc-endpoint", Immutable: []string{"vpcId", "serviceName", "vpcEndpointType"},
			Summary: []string{"serviceName", "vpcEndpointType"}, NoCharge: "gateway endpoints (S3, DynamoDB) have no hourly or data charge",
			Find: ec2Find("vpc-endpoint"),
			// A gateway endpoint's prefix list is the service's in the
			// region (pl-<8 hex digits>): one per service name here.
			Computed: func(_ iampolicy.Scope, r Named, _ string) map[string]string {
				sum := sha256.Sum256([]byte(r.Input("serviceName")))
				return map[string]string{"prefixListId": "pl-" + hex.EncodeToString(sum[:4])}
			}},
		Type{Token: SecurityGroup, IDPrefix: "sg", ARNResource: "security-group", Immutable: []string{"vpcId", "description"},
			NoCharge: "security groups have no charge", Find: ec2Find("security-group")},
		Type{Token: DefaultSecurityGroup, IDPrefix: "sg", ARNResource: "security-group", Immutable: []string{"vpcId"},
			NoCharge: "security groups have no charge", Unfindable: "AWS creates it with the VPC; the layer adopts it, and creates nothing a kill could leave"},
		Type{Token: FlowLog, IDPrefix: "fl", ARNResource: "vpc-flow-log", Immutable: []string{"vpcId", "logDestination", "trafficType", "iamRoleArn"},
			Summary: []string{"trafficType"}, NoCharge: "billed as vended-log ingestion on its log group", Find: ec2Find("vpc-flow-log")},
	)
}

// ec2Calls are the API calls the provider makes for each operation on
// this file's types, as IAM authorizes them (see Operations).
var ec2Calls = map[string]Operations{
	Vpc: func() Operations {
		r := ec2Row("ec2:CreateVpc", nil, "ec2:DescribeVpcs", "ec2:DeleteVpc")
		r.Create = append(r.Create, calls(self, "ec2:ModifyVpcAttribute")...)
		r.Read = append(r.Read, calls(star, "ec2:DescribeVpcAttribute")...)
		r.Update = append(r.Update, calls(self, "ec2:ModifyVpcAttribute")...)
		return r
	}(),
	Subnet: func() Operations {
		r := ec2Row("ec2:CreateSubnet", []string{"vpcId"}, "ec2:DescribeSubnets", "ec2:DeleteSubnet")
		r.Create = append(r.Create, calls(self, "ec2:ModifySubnetAttribute")...)
		r.Update = append(r.Update, calls(self, "ec2:ModifySubnetAttribute")...)
		return r
	}(),
	InternetGateway: func() Operations {
		r := ec2Row("ec2:CreateInternetGateway", nil, "ec2:DescribeInternetGateways", "ec2:DetachInternetGateway", "ec2:DeleteInternetGateway")
		r.Create = append(r.Create, calls(self, "ec2:AttachInternetGateway")...)
		r.Create = append(r.Create, calls(ref("vpcId"), "ec2:AttachInternetGateway")...)
		r.Delete = append(r.Delete, calls(ref("vpcId"), "ec2:DetachInternetGateway")...)
		return r
	}(),
	Eip: func() Operations {
		r := ec2Row("ec2:AllocateAddress", nil, "ec2:DescribeAddresses", "ec2:DisassociateAddress", "ec2:ReleaseAddress")
		r.Read = append(r.Read, calls(star, "ec2:DescribeAddressesAttribute")...)
		return r
	}(),
	NatGateway: ec2Row("ec2:CreateNatGateway", []string{"subnetId", "allocationId"}, "ec2:DescribeNatGateways", "ec2:DeleteNatGateway"),
	RouteTable: ec2Row("ec2:CreateRouteTable", []string{"vpcId"}, "ec2:DescribeRouteTables", "ec2:DeleteRouteTable"),
	VpcEndpoint: func() Operations {
		r := ec2Row("ec2:CreateVpcEndpoint", []string{"vpcId", "routeTableIds"}, "ec2:DescribeVpcEndpoints", "ec2:DeleteVpcEndpoints")
		// A gateway endpoint's prefix list is read with it.
		r.Read = append(r.Read, calls(star, "ec2:DescribePrefixLists")...)
		r.Update = append(r.Update, calls(self, "ec2:ModifyVpcEndpoint")...)
		r.Update = append(r.Update, calls(ref("routeTableIds"), "ec2:ModifyVpcEndpoint")...)
		return r
	}(),
	SecurityGroup: func() Operations {
		r := ec2Row("ec2:CreateSecurityGroup", []string{"vpcId"}, "ec2:DescribeSecurityGroups", "ec2:DeleteSecurityGroup")
		// A new group's default egress rule is revoked, then the group's own
		// rules authorized.
		r.Create = append(r.Create, calls(self, "ec2:RevokeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupEgress")...)
		r.Read = append(r.Read, calls(star, "ec2:DescribeSecurityGroupRules")...)
		r.Update = append(r.Update, calls(self, "ec2:RevokeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupEgress")...)
		// A function's network interfaces keep a group until Lambda
		// releases them: its delete waits for them.
		r.Delete = append(calls(star, "ec2:DescribeNetworkInterfaces"), r.Delete...)
		return r
	}(),
	// The VPC's default group exists already, untagged: the provider tags it,
	// then strips its rules; its delete only forgets it.
	DefaultSecurityGroup: {
		Create: calls(self, "ec2:CreateTags", "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"),
		Read:   calls(star, "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"),
		Update: calls(self, "ec2:CreateTags", "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"),
	},
	FlowLog: func() Operations {
		r := ec2Row("ec2:CreateFlowLogs", []string{"vpcId"}, "ec2:DescribeFlowLogs", "ec2:DeleteFlowLogs")
		r.Create = append(r.Create, withContext(calls(ref("iamRoleArn"), "iam:PassRole"), passRoleTo("vpc-flow-logs.amazonaws.com"))...)
		return r
	}(),
	Route: {
		Create: calls(ref("routeTableId"), "ec2:CreateRoute"), Read: calls(star, "ec2:DescribeRouteTables"),
		Update: calls(ref("routeTableId"), "ec2:ReplaceRoute"), Delete: calls(ref("routeTableId"), "ec2:DeleteRoute"),
	},
	RouteTableAssociation: {
		Create: join(calls(ref("routeTableId"), "ec2:AssociateRouteTable"), calls(ref("subnetId"), "ec2:AssociateRouteTable")),
		Read:   calls(star, "ec2:DescribeRouteTables"),
		Delete: calls(ref("routeTableId"), "ec2:DisassociateRouteTable"),
	},
}

// ec2Grants are the deployer's grants on EC2 networking.
func ec2Grants(g Grantee) []iampolicy.Statement {
	inRegion := g.InRegion()
	return []iampolicy.Statement{
		{
			// EC2 networking has little resource-level scoping for create
			// calls; the region condition and the boundary bound it.
			Sid: "Network", Effect: "Allow", Resource: []string{"*"}, Condition: inRegion,
			Action: []string{
				"ec2:AllocateAddress", "ec2:AssociateRouteTable", "ec2:AttachInternetGateway",
				"ec2:AuthorizeSecurityGroupEgress",
				"ec2:CreateFlowLogs", "ec2:CreateInternetGateway", "ec2:CreateNatGateway", "ec2:CreateRoute",
				"ec2:CreateRouteTable", "ec2:CreateSecurityGroup", "ec2:CreateSubnet", "ec2:CreateTags",
				"ec2:CreateVpc", "ec2:CreateVpcEndpoint", "ec2:DeleteFlowLogs", "ec2:DeleteInternetGateway",
				"ec2:DeleteNatGateway", "ec2:DeleteRoute", "ec2:DeleteRouteTable", "ec2:DeleteSecurityGroup",
				"ec2:DeleteSubnet", "ec2:DeleteTags", "ec2:DeleteVpc", "ec2:DeleteVpcEndpoints",
				"ec2:DescribeAddresses", "ec2:DescribeAddressesAttribute",
				"ec2:DescribeAvailabilityZones", "ec2:DescribeFlowLogs", "ec2:DescribeInternetGateways",
				"ec2:DescribeNatGateways", "ec2:DescribeNetworkInterfaces", "ec2:DescribePrefixLists",
				"ec2:DescribeRouteTables", "ec2:DescribeSecurityGroupRules", "ec2:DescribeSecurityGroups",
				"ec2:DescribeSubnets", "ec2:DescribeVpcAttribute", "ec2:DescribeVpcEndpoints", "ec2:DescribeVpcs",
				"ec2:DetachInternetGateway", "ec2:DisassociateAddress", "ec2:DisassociateRouteTable",
				"ec2:ModifySubnetAttribute", "ec2:ModifyVpcAttribute", "ec2:ModifyVpcEndpoint",
				"ec2:ReleaseAddress", "ec2:ReplaceRoute", "ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress",
			},
		},
	}
}
