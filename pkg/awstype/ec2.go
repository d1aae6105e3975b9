package awstype

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

func init() {
	register(
		Type{Token: Vpc, IDPrefix: "vpc", Immutable: []string{"cidrBlock"}, Summary: []string{"cidrBlock"},
			NoCharge: "VPCs have no charge", Find: ec2Find("vpc")},
		Type{Token: Subnet, IDPrefix: "subnet", Immutable: []string{"vpcId", "cidrBlock", "availabilityZone"},
			Summary: []string{"cidrBlock", "availabilityZone"}, NoCharge: "subnets have no charge", Find: ec2Find("subnet")},
		Type{Token: InternetGateway, IDPrefix: "igw", ARNResource: "internet-gateway",
			NoCharge: "internet gateways have no charge (egress is data transfer, not modelled)", Find: ec2Find("internet-gateway")},
		Type{Token: Eip, IDPrefix: "eipalloc", ARNResource: "elastic-ip", Find: ec2Find("elastic-ip")},
		Type{Token: NatGateway, IDPrefix: "nat", Immutable: []string{"subnetId", "allocationId"}, Summary: []string{"subnetId"},
			Find: ec2Find("natgateway")},
		Type{Token: RouteTable, IDPrefix: "rtb", ARNResource: "route-table", Immutable: []string{"vpcId"},
			NoCharge: "route tables have no charge", Find: ec2Find("route-table")},
		Type{Token: Route, Untaggable: true, Immutable: []string{"routeTableId", "destinationCidrBlock"}, NoCharge: "routes have no charge"},
		Type{Token: RouteTableAssociation, Untaggable: true, Immutable: []string{"subnetId"}, NoCharge: "route table associations have no charge"},
		Type{Token: VpcEndpoint, IDPrefix: "vpce", ARNResource: "vpc-endpoint", Immutable: []string{"vpcId", "serviceName", "vpcEndpointType"},
			Summary: []string{"serviceName", "vpcEndpointType"}, NoCharge: "gateway endpoints (S3, DynamoDB) have no hourly or data charge",
			Find: ec2Find("vpc-endpoint")},
		Type{Token: SecurityGroup, IDPrefix: "sg", ARNResource: "security-group", Immutable: []string{"vpcId", "description"},
			NoCharge: "security groups have no charge", Find: ec2Find("security-group")},
		Type{Token: DefaultSecurityGroup, IDPrefix: "sg", ARNResource: "security-group", Immutable: []string{"vpcId"},
			NoCharge: "security groups have no charge", Unfindable: "AWS creates it with the VPC; the layer adopts it, and creates nothing a kill could leave"},
		Type{Token: FlowLog, IDPrefix: "fl", ARNResource: "vpc-flow-log", Immutable: []string{"vpcId", "logDestination", "trafficType", "iamRoleArn"},
			Summary: []string{"trafficType"}, NoCharge: "billed as vended-log ingestion on its log group", Find: ec2Find("vpc-flow-log")},
	)
}
