package bootstrapiam_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/iampolicy/validity"
	"github.com/acmepay/platform/pkg/profile"
)

// The break-glass role carries the deployer's grants as managed policies:
// every statement of the deployer's policy, once and in its order, in
// policies that each fit IAM's managed-policy limit, and the role's own
// inline policy holds only what the grants leave out. The deployer's grants
// do not fit one managed policy, so a split that gave up would show here.
func TestTheBreakGlassRoleCarriesTheDeployersGrantsSplitToFit(t *testing.T) {
	for _, a := range plannedAccounts(t) {
		env, p := a.Profile.Environment, a.Profile
		grants := a.BreakGlassGrants()
		require.Greater(t, len(grants), 1, "%s: the deployer's grants fit one managed policy; the split is not exercised", env)
		require.Len(t, a.BreakGlassGrantsNames(), len(grants))
		var joined []iampolicy.Statement
		for i, g := range grants {
			require.NoError(t, validity.Validate(validity.ManagedPolicy, a.BreakGlassGrantsNames()[i], g), env)
			joined = append(joined, g.Statement...)
		}
		assert.Equal(t, a.DeployerPolicy().Statement, joined, "%s: the grants are the deployer's, whole", env)
		own := a.BreakGlassPolicy().Statement
		require.Len(t, own, 1)
		for _, action := range own[0].Action {
			for _, st := range joined {
				assert.NotContains(t, st.Action, action, "%s: %s is in the grants and the role's own policy", env, action)
			}
		}
		assert.Contains(t, a.Owned(), "arn:aws:iam::"+p.AccountID+":policy/"+bootstrapiam.BreakGlassGrantsName+"-*", "%s: the deployer's boundary keeps it off the grants", env)
	}
}

// plannedAccounts are every environment's account, as environments.yaml
// plans them.
func plannedAccounts(t *testing.T) []bootstrapiam.Account {
	t.Helper()
	pipe, err := profile.PlannedPipeline()
	require.NoError(t, err)
	var out []bootstrapiam.Account
	for _, env := range profile.Environments() {
		p, err := profile.Planned(env)
		require.NoError(t, err)
		out = append(out, bootstrapiam.Account{Profile: p, Pipeline: pipe})
	}
	return out
}
