package awsfake

import (
	"errors"
	"maps"
	"strconv"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Quotas are the account's service quotas the stand-in enforces, as AWS
// does, when a resource is created or changed, by the token of the type
// that counts against each (the registry's awstype.Quota). A quota the
// account never had changed is absent: AWS's default holds.
type Quotas map[string]int

// Limits are the quotas in force: the set ones, else AWS's defaults.
func (c *Cloud) Limits() Quotas {
	c.mu.Lock()
	defer c.mu.Unlock()
	q := Quotas{}
	for tok, quota := range awstype.Quotas() {
		q[tok] = quota.Default
		if v, ok := c.Quota[tok]; ok {
			q[tok] = v
		}
	}
	return q
}

// raised are the quotas the account had changed.
func (c *Cloud) raised() Quotas {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.Quota)
}

// Reserved is a function's reserved concurrency (0 when it reserves none).
func Reserved(inputs resource.PropertyMap) int {
	q, _ := awstype.QuotaOf(awstype.Function)
	return q.Taken(named(inputs))
}

// named is a live resource's inputs as the registry reads them: a number
// as its decimal integer.
func named(inputs resource.PropertyMap) awstype.Named {
	return awstype.Named{Input: func(key string) string {
		if v, ok := inputs[resource.PropertyKey(key)]; ok && v.IsNumber() {
			return strconv.FormatInt(int64(v.NumberValue()), 10)
		}
		return input(inputs, key)
	}}
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
// resource's own, "" for a create) that would take more of its type's
// quota than the account has (less what AWS keeps unused), in its zone for
// a quota counted per zone.
func (c *Cloud) overQuota(typ, id string, inputs resource.PropertyMap) error {
	q, ok := awstype.QuotaOf(typ)
	if !ok {
		return nil
	}
	takes := q.Taken(named(inputs))
	if takes == 0 {
		return nil
	}
	all := c.Resources()
	zone := ""
	if q.PerZone {
		zone = ZoneOf(Live{Inputs: inputs}, all)
	}
	used := 0
	for _, l := range all {
		if l.Type == typ && l.ID != id && (!q.PerZone || ZoneOf(l, all) == zone) {
			used += q.Taken(named(l.Inputs))
		}
	}
	if used+takes > c.Limits()[typ]-q.Kept {
		return errors.New(q.ExceededIn(zone))
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
