// Package quota reads what a deployment of an environment needs of its
// account's service quotas, and refuses, before any layer runs, a
// deployment the quotas would stop half-way.
package quota

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/profile"
)

// Reader reads what a deployment of an environment needs of its account's
// service quotas: each quota, how much of it is used, and how much of that
// use is the environment's own (which its deployment keeps or replaces in
// place, so it needs no more of the quota).
type Reader interface {
	Usage(ctx context.Context, p profile.Profile) (Usage, error)
}

// Usage is an account's quotas and their use, in the environment's region.
type Usage struct {
	// LambdaConcurrency is the account's concurrent executions quota;
	// LambdaUnreserved what no function reserves of it; FunctionReserved
	// what the environment's payment function reserves today (0 when it
	// does not exist yet).
	LambdaConcurrency, LambdaUnreserved, FunctionReserved int
	// Elastic IPs, VPCs and NAT gateways per availability zone: each quota,
	// the account's count and the environment's own.
	EIPQuota, EIPs, OwnEIPs int
	VPCQuota, VPCs, OwnVPCs int
	NATQuota                int
	NATs, OwnNATs           map[string]int // by availability zone
}

// The quotas the check reads, by the type that counts against each (the
// registry's). Lambda's concurrency is read with lambda:GetAccountSettings,
// and its Service Quotas code serves the raise link only.
var (
	lambdaConcurrency = quotaOf(awstype.Function)
	elasticIPs        = quotaOf(awstype.Eip)
	vpcs              = quotaOf(awstype.Vpc)
	natsPerZone       = quotaOf(awstype.NatGateway)
)

func quotaOf(token string) awstype.Quota {
	q, ok := awstype.QuotaOf(token)
	if !ok {
		panic("quota: the registry has no quota of " + token)
	}
	return q
}

// RaiseLink is the Service Quotas page of a quota, where a raise is
// requested.
func RaiseLink(region string, q awstype.Quota) string {
	return fmt.Sprintf("https://%s.console.aws.amazon.com/servicequotas/home/services/%s/quotas/%s", region, q.Service, q.Code)
}

// ErrTooLow refuses a deployment that the account's quotas would stop
// half-way.
var ErrTooLow = errors.New("the account's service quotas are too low for this deployment")

// Check refuses, before any layer runs, a deployment that an account
// quota would stop half-way (after network and data are built, for the
// function's reserved concurrency): each shortfall with the quota, what the
// environment needs and where to request a raise.
func Check(ctx context.Context, q Reader, p profile.Profile) error {
	u, err := q.Usage(ctx, p)
	if err != nil {
		return fmt.Errorf("reading the service quotas of account %s (lambda:GetAccountSettings, servicequotas:GetServiceQuota, ec2:Describe*): %w", p.AccountID, err)
	}
	var short []string
	reserve := p.Function.ReservedConcurrency
	if left := u.LambdaUnreserved + u.FunctionReserved - reserve; left < lambdaConcurrency.Kept {
		short = append(short, fmt.Sprintf("Lambda concurrent executions: the quota is %d and %d are unreserved; reserving %d for %s (%s = %d) would leave %d, and Lambda keeps %d unreserved; request a raise to at least %d: %s",
			u.LambdaConcurrency, u.LambdaUnreserved+u.FunctionReserved, reserve, functionName(p), qualified(profile.KeyReservedConcurrency), reserve, left,
			lambdaConcurrency.Kept, u.LambdaConcurrency+lambdaConcurrency.Kept-left, RaiseLink(p.Region, lambdaConcurrency)))
	}
	need := p.Network.NatGateways // one Elastic IP per NAT gateway
	if others := u.EIPs - u.OwnEIPs; others+need > u.EIPQuota {
		short = append(short, fmt.Sprintf("%s: the quota is %d and other resources hold %d; %s needs %d (one per NAT gateway, %s = %d); request a raise to at least %d: %s",
			elasticIPs.Name, u.EIPQuota, others, p.Environment, need, qualified(profile.KeyNatGateways), need, others+need, RaiseLink(p.Region, elasticIPs)))
	}
	if others := u.VPCs - u.OwnVPCs; others+1 > u.VPCQuota {
		short = append(short, fmt.Sprintf("%s: the quota is %d and %d other VPCs exist in %s; %s needs 1; request a raise to at least %d: %s",
			vpcs.Name, u.VPCQuota, others, p.Region, p.Environment, others+1, RaiseLink(p.Region, vpcs)))
	}
	// The NAT gateways go one to an availability zone; which zones is the
	// network layer's choice, so every zone needs room for one more (none
	// for a network without NAT gateways).
	for _, az := range slices.Sorted(maps.Keys(u.NATs)) {
		if others := u.NATs[az] - u.OwnNATs[az]; p.Network.NatGateways > 0 && others+1 > u.NATQuota {
			short = append(short, fmt.Sprintf("%s: the quota is %d and %s holds %d of other VPCs; %s needs 1 there; request a raise to at least %d: %s",
				natsPerZone.Name, u.NATQuota, az, others, p.Environment, others+1, RaiseLink(p.Region, natsPerZone)))
		}
	}
	if len(short) > 0 {
		return fmt.Errorf("%w: account %s (%s), before any layer runs:\n  - %s", ErrTooLow, p.AccountID, p.Environment, strings.Join(short, "\n  - "))
	}
	return nil
}

// functionName is the physical name of the environment's payment function.
func functionName(p profile.Profile) string {
	name, _ := naming.New(string(p.Environment), p.Suffix).Name(naming.Lambda, naming.PaymentFunction)
	return name
}

func qualified(key string) string { return profile.Namespace + ":" + key }
