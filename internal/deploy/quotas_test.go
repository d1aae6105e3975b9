package deploy

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/quota"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

type fixedQuotas struct {
	u   quota.Usage
	err error
}

func (q fixedQuotas) Usage(context.Context, profile.Profile) (quota.Usage, error) { return q.u, q.err }

// A new account: AWS's default quotas and nothing in it.
func roomy() quota.Usage {
	return quota.Usage{LambdaConcurrency: 1000, LambdaUnreserved: 1000, EIPQuota: 5, VPCQuota: 5, NATQuota: 5,
		NATs: map[string]int{}, OwnNATs: map[string]int{}}
}

// A new account whose Lambda concurrency quota is 50 (common on new
// accounts) cannot reserve even dev's 5: Lambda keeps 100 unreserved. The
// deployment is refused before any layer runs, naming the quota, the need
// and where to request a raise; a preview is refused the same way, a destroy
// is not (it frees quota).
func TestALowLambdaConcurrencyQuotaIsRefusedBeforeAnyLayer(t *testing.T) {
	u := roomy()
	u.LambdaConcurrency, u.LambdaUnreserved = 50, 50
	for _, op := range []stage.Op{stage.Up, stage.Preview} {
		runner := newFakeRunner()
		d, _ := newDeployer(runner, fixture.DevAccount)
		d.Quotas = fixedQuotas{u: u}
		_, err := d.Run(context.Background(), op, "dev")
		require.ErrorIs(t, err, quota.ErrTooLow, op)
		assert.Contains(t, err.Error(), "account "+fixture.DevAccount+" (dev), before any layer runs:")
		assert.Contains(t, err.Error(), "Lambda concurrent executions: the quota is 50 and 50 are unreserved; reserving 5 for payment-processor-dev-"+fixture.DevSuffix+" (payments:lambdaReservedConcurrency = 5) would leave 45, and Lambda keeps 100 unreserved; request a raise to at least 105: https://us-east-1.console.aws.amazon.com/servicequotas/home/services/lambda/quotas/L-B99A9384")
		assert.Empty(t, runner.events, "no layer ran")
	}
	runner := newFakeRunner()
	d, _ := newDeployer(runner, fixture.DevAccount)
	d.Quotas = fixedQuotas{err: errors.New("must not be read")}
	_, err := d.Run(context.Background(), stage.Destroy, "dev")
	require.NoError(t, err)
}
