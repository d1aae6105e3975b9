package offline

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/awsfake"
	"github.com/acmepay/platform/internal/deploy"
	"github.com/acmepay/platform/internal/quota"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

// A new account whose Lambda concurrency quota is 50, as new accounts often
// have. Without the quota check, the deployment builds network and data
// and then fails at compute with AWS's error: half an environment. With it
// (as deploy:env runs), the deployment is refused before any layer runs,
// naming the quota, the need and the raise link, and the account stays
// empty.
func TestALowQuotaStopsTheDeploymentBeforeAnyLayerNotHalfway(t *testing.T) {
	ctx := context.Background()
	deployer := func(e *Env, quotas quota.Reader) (*deploy.Deployer, *bytes.Buffer) {
		out := &bytes.Buffer{}
		return &deploy.Deployer{Root: e.Root, Graph: contract.Graph(), Runner: Runner{Env: e, Commit: commit},
			Identity: account(e.Profile.AccountID), CLI: cli{}, Out: out, Now: time.Now, Quotas: quotas}, out
	}

	halfway := newEnv(t, profile.Dev)
	halfway.Cloud.Quota = awsfake.Quotas{awstype.Function: 50}
	d, out := deployer(halfway, nil)
	_, err := d.Run(ctx, stage.Up, "dev")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "layer compute failed")
	assert.Contains(t, err.Error(), "decreases account's UnreservedConcurrentExecution below its minimum value of [100]")
	assert.NotEmpty(t, halfway.Cloud.FindByName("aws:ec2/vpc:Vpc", "vpc-dev-"+fixture.DevSuffix), "without the check, network was built:\n%s", out)
	assert.NotEmpty(t, halfway.Cloud.FindByName("aws:dynamodb/table:Table", "transactions-dev-"+fixture.DevSuffix), "and data")

	e := newEnv(t, profile.Dev)
	e.Cloud.Quota = awsfake.Quotas{awstype.Function: 50}
	d, out = deployer(e, Quotas{Cloud: e.Cloud})
	_, err = d.Run(ctx, stage.Up, "dev")
	require.ErrorIs(t, err, quota.ErrTooLow)
	assert.Contains(t, err.Error(), "Lambda concurrent executions: the quota is 50 and 50 are unreserved; reserving 5 for payment-processor-dev-"+fixture.DevSuffix)
	assert.Contains(t, err.Error(), "request a raise to at least 105: https://us-east-1.console.aws.amazon.com/servicequotas/home/services/lambda/quotas/L-B99A9384")
	assert.Empty(t, e.Cloud.Resources(), "refused before anything is touched:\n%s", out)

	// Raised, the same account deploys, and deploys again: what the
	// environment already holds needs no more of any quota.
	e.Cloud.Quota = awsfake.Quotas{awstype.Function: 1000, awstype.Eip: 1, awstype.Vpc: 1, awstype.NatGateway: 1}
	_, err = d.Run(ctx, stage.Up, "dev")
	require.NoError(t, err, out.String())
	_, err = d.Run(ctx, stage.Up, "dev")
	require.NoError(t, err, "a redeploy counts its own VPC, Elastic IP and NAT gateway as its own:\n%s", out)

	// prod in an account already holding 4 of 5 Elastic IPs: its two NAT
	// gateways need two.
	p := newEnv(t, profile.Prod)
	for i := range 4 {
		_, err := p.Cloud.Add("aws:ec2/eip:Eip", fmt.Sprintf("someone-elses-%d", i), nil)
		require.NoError(t, err)
	}
	d, _ = deployer(p, Quotas{Cloud: p.Cloud})
	_, err = d.Run(ctx, stage.Up, "prod")
	require.ErrorIs(t, err, quota.ErrTooLow)
	assert.Contains(t, err.Error(), "EC2-VPC Elastic IPs: the quota is 5 and other resources hold 4; prod needs 2 (one per NAT gateway, payments:natGateways = 2)")
	assert.Len(t, p.Cloud.Resources(), 4, "nothing of prod's was made")
}
