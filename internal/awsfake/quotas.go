package awsfake

import (
	"fmt"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Quotas are the account's service quotas the stand-in enforces, as AWS
// does, when a resource is created or changed. A zero field is AWS's
// default for a new account.
type Quotas struct {
	// LambdaConcurrency is the account's concurrent executions (default
	// 1,000); a reservation that leaves fewer than LambdaUnreservedMinimum
	// unreserved is refused.
	LambdaConcurrency int
	EIPs              int // EC2-VPC Elastic IPs (default 5)
	VPCs              int // VPCs per Region (default 5)
	NATsPerAZ         int // NAT gateways per Availability Zone (default 5)
}

// LambdaUnreservedMinimum is what Lambda keeps unreserved in every account.
const LambdaUnreservedMinimum = 100

// Limits are the quotas in force: the set ones, else AWS's defaults.
func (c *Cloud) Limits() Quotas {
	c.mu.Lock()
	defer c.mu.Unlock()
	q := c.Quota
	for _, f := range []struct {
		v   *int
		def int
	}{{&q.LambdaConcurrency, 1000}, {&q.EIPs, 5}, {&q.VPCs, 5}, {&q.NATsPerAZ, 5}} {
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	return q
}

// raised are the quotas the account had changed (zero where it kept AWS's
// default).
func (c *Cloud) raised() Quotas {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Quota
}

// Reserved is a function's reserved concurrency (0 when it reserves none).
func Reserved(inputs resource.PropertyMap) int {
	if v, ok := inputs["reservedConcurrentExecutions"]; ok && v.IsNumber() && v.NumberValue() > 0 {
		return int(v.NumberValue())
	}
	return 0
}

// ZoneOf is the availability zone of a live NAT gateway: its subnet's.
func ZoneOf(nat Live, all []Live) string {
	subnet := nat.Inputs["subnetId"]
	if !subnet.IsString() {
		return ""
	}
	for _, l := range all {
		if l.Type == awstype.Subnet && l.ID == subnet.StringValue() && l.Inputs["availabilityZone"].IsString() {
			return l.Inputs["availabilityZone"].StringValue()
		}
	}
	return ""
}

// overQuota refuses, with AWS's error, a create or update (id is the
// resource's own, "" for a create) that would exceed a quota.
func (c *Cloud) overQuota(typ, id string, inputs resource.PropertyMap) error {
	if typ != awstype.Function && typ != awstype.Eip && typ != awstype.Vpc && typ != awstype.NatGateway {
		return nil
	}
	q := c.Limits()
	all := c.Resources()
	count := func(match func(Live) bool) int {
		n := 0
		for _, l := range all {
			if l.ID != id && match(l) {
				n++
			}
		}
		return n
	}
	ofType := func(l Live) bool { return l.Type == typ }
	switch typ {
	case awstype.Function:
		r := Reserved(inputs)
		if r == 0 {
			return nil
		}
		others := 0
		for _, l := range all {
			if l.Type == awstype.Function && l.ID != id {
				others += Reserved(l.Inputs)
			}
		}
		if q.LambdaConcurrency-others-r < LambdaUnreservedMinimum {
			return fmt.Errorf("InvalidParameterValueException: Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d]", LambdaUnreservedMinimum)
		}
	case awstype.Eip:
		if count(ofType) >= q.EIPs {
			return fmt.Errorf("AddressLimitExceeded: The maximum number of addresses has been reached")
		}
	case awstype.Vpc:
		if count(ofType) >= q.VPCs {
			return fmt.Errorf("VpcLimitExceeded: The maximum number of VPCs has been reached")
		}
	case awstype.NatGateway:
		zone := ZoneOf(Live{Inputs: inputs}, all)
		if count(func(l Live) bool { return l.Type == awstype.NatGateway && ZoneOf(l, all) == zone }) >= q.NATsPerAZ {
			return fmt.Errorf("NatGatewayLimitExceeded: The maximum number of NAT gateways in %s has been reached", zone)
		}
	}
	return nil
}

// Add makes a resource outside any stack, as another team or a console
// user would in the same account (it counts against the quotas like any
// other), and returns its id.
func (c *Cloud) Add(typ, name string, inputs resource.PropertyMap) (string, error) {
	if inputs == nil {
		inputs = resource.PropertyMap{}
	}
	return c.create("urn:awsfake:outside::"+typ+"::"+name, typ, name, inputs)
}
