package bootstrapiam_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/iampolicy"
)

// Every call of every operation of every type the layers create, as the
// registry lists it, is an action some statement of the deployer's policy
// allows, in every environment: a type added to the registry without its
// grants fails here, by name, before the engine tier evaluates each call
// with its resource and conditions. (A type no layer creates has none; what
// destroys payment data beyond the deployer's grants is the break-glass
// role's.)
func TestTheDeployerIsGrantedEveryCallOfEveryRegisteredType(t *testing.T) {
	for _, a := range plannedAccounts(t) {
		env := a.Profile.Environment
		allows := func(d iampolicy.Document, action string) bool {
			return slices.ContainsFunc(d.Statement, func(s iampolicy.Statement) bool {
				return s.Effect == iampolicy.Allow && slices.Contains(s.Action, action)
			})
		}
		asked := 0
		for _, ty := range awstype.All() {
			ops := [][]awstype.Call{ty.Calls.Create, ty.Calls.Read, ty.Calls.Update, ty.Calls.Delete}
			for _, when := range ty.Calls.UpdateWhen {
				ops = append(ops, when)
			}
			for _, op := range ops {
				for _, c := range op {
					if ty.OutsideTheLayers {
						continue
					}
					asked++
					if slices.Contains(bootstrapiam.ProdDataDestruction, c.Action) && !allows(a.DeployerPolicy(), c.Action) {
						// What destroys payment data beyond the deployer's
						// grants is the break-glass role's own.
						if a.HasBreakGlass() {
							assert.True(t, allows(a.BreakGlassPolicy(), c.Action), "%s: %s calls %s, which the break-glass role is not granted", env, ty.Token, c.Action)
						}
						continue
					}
					assert.True(t, allows(a.DeployerPolicy(), c.Action), "%s: %s calls %s, which no statement of the deployer's policy allows", env, ty.Token, c.Action)
				}
			}
		}
		assert.Greater(t, asked, 100, "%s: the registry's calls", env)
	}
}
