package quota

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
)

type fixed struct {
	u   Usage
	err error
}

func (q fixed) Usage(context.Context, profile.Profile) (Usage, error) { return q.u, q.err }

// A new account: AWS's default quotas and nothing in it.
func roomy() Usage {
	return Usage{LambdaConcurrency: 1000, LambdaUnreserved: 1000, EIPQuota: 5, VPCQuota: 5, NATQuota: 5,
		NATs: map[string]int{}, OwnNATs: map[string]int{}}
}

// prod reserves 200. On an account at the default 1,000 whose other
// functions reserve 750, that leaves 50: refused. When prod's function
// already reserves its 200 (and others 700), the update needs nothing more:
// allowed, down to the last of the 100 Lambda keeps.
func TestReservedConcurrencyCountsWhatTheFunctionAlreadyHolds(t *testing.T) {
	u := roomy()
	u.LambdaUnreserved = 250
	p := profileOf(t, "prod")
	err := Check(context.Background(), fixed{u: u}, p)
	require.ErrorIs(t, err, ErrTooLow)
	assert.Contains(t, err.Error(), "the quota is 1000 and 250 are unreserved; reserving 200 for payment-processor-prod-"+fixture.ProdSuffix+" (payments:lambdaReservedConcurrency = 200) would leave 50")
	assert.Contains(t, err.Error(), "request a raise to at least 1050")

	u.LambdaUnreserved, u.FunctionReserved = 100, 200 // 700 elsewhere, 200 ours
	require.NoError(t, Check(context.Background(), fixed{u: u}, p))
	u.LambdaUnreserved = 99
	require.ErrorIs(t, Check(context.Background(), fixed{u: u}, p), ErrTooLow)
}

// prod's two NAT gateways need two Elastic IPs; its VPC one of the region's
// five; each NAT gateway room in its zone. What the environment already
// holds is not counted against it; every shortfall is listed at once.
func TestNetworkQuotasCountOnlyOtherResources(t *testing.T) {
	p := profileOf(t, "prod")
	u := roomy()
	u.EIPs, u.VPCs = 4, 5
	u.NATs = map[string]int{"us-east-1a": 5, "us-east-1b": 1}
	err := Check(context.Background(), fixed{u: u}, p)
	require.ErrorIs(t, err, ErrTooLow)
	assert.Contains(t, err.Error(), "EC2-VPC Elastic IPs: the quota is 5 and other resources hold 4; prod needs 2 (one per NAT gateway, payments:natGateways = 2); request a raise to at least 6: https://us-east-1.console.aws.amazon.com/servicequotas/home/services/ec2/quotas/L-0263D0A3")
	assert.Contains(t, err.Error(), "VPCs per Region: the quota is 5 and 5 other VPCs exist in us-east-1; prod needs 1; request a raise to at least 6: https://us-east-1.console.aws.amazon.com/servicequotas/home/services/vpc/quotas/L-F678F1CE")
	assert.Contains(t, err.Error(), "NAT gateways per Availability Zone: the quota is 5 and us-east-1a holds 5 of other VPCs; prod needs 1 there; request a raise to at least 6: https://us-east-1.console.aws.amazon.com/servicequotas/home/services/vpc/quotas/L-FE5A380F")
	assert.NotContains(t, err.Error(), "us-east-1b")

	// The same account when those are prod's own: a redeploy needs nothing more.
	u.OwnEIPs, u.OwnVPCs = 2, 1
	u.OwnNATs = map[string]int{"us-east-1a": 1, "us-east-1b": 1}
	require.NoError(t, Check(context.Background(), fixed{u: u}, p))
}

// A review environment has a VPC and no NAT gateway: beside dev and three
// others in a region at the default five VPCs (the default VPC among
// them), a fourth is refused before anything is created; full NAT zones
// do not concern it.
func TestAReviewEnvironmentThatWouldNotFitIsRefused(t *testing.T) {
	p, err := profile.Planned("pr-4")
	require.NoError(t, err)
	u := roomy()
	u.VPCs = 5 // the default VPC, dev's and three review environments'
	u.NATs = map[string]int{"us-east-1a": 5, "us-east-1b": 5}
	err = Check(context.Background(), fixed{u: u}, p)
	require.ErrorIs(t, err, ErrTooLow)
	assert.Contains(t, err.Error(), "VPCs per Region: the quota is 5 and 5 other VPCs exist in us-east-1; pr-4 needs 1; request a raise to at least 6")
	assert.NotContains(t, err.Error(), "NAT gateways")
	assert.NotContains(t, err.Error(), "Elastic IPs")
	u.VPCs = 4
	require.NoError(t, Check(context.Background(), fixed{u: u}, p), "the third review environment fits")
}

func TestAQuotaReadFailureNamesTheCalls(t *testing.T) {
	err := Check(context.Background(), fixed{err: errors.New("AccessDenied")}, profileOf(t, "dev"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "reading the service quotas of account "+fixture.DevAccount+" (lambda:GetAccountSettings, servicequotas:GetServiceQuota, ec2:Describe*): AccessDenied")
}

func profileOf(t *testing.T, env string) profile.Profile {
	t.Helper()
	p, err := profile.ForDeployment("../..", profile.Environment(env))
	require.NoError(t, err)
	return p
}
