// Package subnets carves a VPC network into per-AZ public and private
// subnets: pure arithmetic, tested exhaustively without Pulumi.
package subnets

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// Plan carves a VPC network into per-AZ public and private subnets.
// Public subnets hold only NAT gateways and take a /(n+4) each from the
// bottom of the range; private subnets hold the functions' network interfaces
// and take a /(n+2) each above them, so a /16 gives /20 public and /18 private
// subnets, and a /24 still gives subnets AWS accepts (/28 and /26).
type Plan struct {
	Public  []string
	Private []string
}

// For returns the plan for azs availability zones (at most 3).
func For(vpcCIDR string, azs int) (Plan, error) {
	prefix, err := netip.ParsePrefix(vpcCIDR)
	if err != nil || !prefix.Addr().Is4() || prefix.Masked() != prefix {
		return Plan{}, fmt.Errorf("subnets: %q is not an IPv4 network", vpcCIDR)
	}
	if azs < 1 || azs > 3 {
		return Plan{}, fmt.Errorf("subnets: %d availability zones: allowed 1-3", azs)
	}
	if prefix.Bits() > 24 {
		return Plan{}, fmt.Errorf("subnets: %s is smaller than /24", vpcCIDR)
	}
	var plan Plan
	for i := 0; i < azs; i++ {
		plan.Public = append(plan.Public, subnet(prefix, 4, i))
		// Index 0 of the /(n+2) split is where the public subnets live.
		plan.Private = append(plan.Private, subnet(prefix, 2, i+1))
	}
	return plan, nil
}

// subnet is Terraform's cidrsubnet(prefix, newbits, index).
func subnet(prefix netip.Prefix, newbits, index int) string {
	base := prefix.Addr().As4()
	bits := prefix.Bits() + newbits
	start := binary.BigEndian.Uint32(base[:]) + uint32(index)<<(32-bits)
	var out [4]byte
	binary.BigEndian.PutUint32(out[:], start)
	return netip.PrefixFrom(netip.AddrFrom4(out), bits).String()
}
