package awstype

// Parameter is the bootstrap's version marker in SSM.
const Parameter = "aws:ssm/parameter:Parameter"

// The data sources the programs invoke (no entries: they create nothing).
const (
	GetAvailabilityZones = "aws:index/getAvailabilityZones:getAvailabilityZones"
	GetCallerIdentity    = "aws:index/getCallerIdentity:getCallerIdentity"
	GetRegion            = "aws:index/getRegion:getRegion"
)

func init() {
	register(nil, Type{Token: Parameter, NoCharge: "standard parameters have no charge", Unfindable: "the bootstrap's, which recovery does not settle"})
}
