package awstype

import "sort"

// Parameter is the bootstrap's version marker in SSM.
const Parameter = "aws:ssm/parameter:Parameter"

// The data sources the programs invoke (no entries: they create nothing).
const (
	GetAvailabilityZones = "aws:index/getAvailabilityZones:getAvailabilityZones"
	GetCallerIdentity    = "aws:index/getCallerIdentity:getCallerIdentity"
	GetRegion            = "aws:index/getRegion:getRegion"
)

func init() {
	register(nil, Type{Token: Parameter, NoCharge: "standard parameters have no charge", Unfindable: "the bootstrap's, which recovery does not settle",
		OutsideTheLayers: true})
}

// Invokes are the provider's data sources the programs call, with their API
// calls as IAM authorizes them (getRegion is answered from the provider's
// configuration).
var Invokes = map[string][]Call{
	GetAvailabilityZones: {{Action: "ec2:DescribeAvailabilityZones", On: star}},
	GetCallerIdentity:    {{Action: "sts:GetCallerIdentity", On: star}},
	GetRegion:            nil,
}

// LayerReads are the actions of every read the layers' refresh and preview
// make: each read call of every type a layer creates, and each data
// source's, sorted.
func LayerReads() []string {
	seen := map[string]bool{}
	for _, t := range All() {
		if !t.OutsideTheLayers {
			for _, c := range t.Calls.Read {
				seen[c.Action] = true
			}
		}
	}
	for _, list := range Invokes {
		for _, c := range list {
			seen[c.Action] = true
		}
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}
