package access

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/iampolicy"
)

// The environments' accounts and suffix, written out.
var environments = []struct{ env, account, other, otherAccount string }{
	{"dev", fixture.DevAccount, "prod", fixture.ProdAccount},
	{"staging", fixture.StagingAccount, "prod", fixture.ProdAccount},
	{"prod", fixture.ProdAccount, "dev", fixture.DevAccount},
}

func load(t *testing.T, env string) (manifest.Manifest, *Environment) {
	t.Helper()
	m, err := manifest.ReadPlanned("../..", env)
	require.NoError(t, err)
	e, err := FromManifest(m)
	require.NoError(t, err)
	return m, e
}

func keyOf(scope iampolicy.Scope) string {
	return "arn:aws:kms:us-east-1:" + scope.Account + ":key/" + manifest.Placeholder
}

func names(env, account string) Names {
	scope := iampolicy.Scope{Region: "us-east-1", Account: account}
	return NamesFor(scope, env, fixture.DevSuffix, keyOf(scope))
}

// TestFunctionAccess asks, of each environment's planned manifest, what the
// payment function's role may and may not do, through its own policy, its
// boundary and the bucket and key policies.
func TestFunctionAccess(t *testing.T) {
	for _, tc := range environments {
		t.Run(tc.env, func(t *testing.T) {
			_, e := load(t, tc.env)
			checks := FunctionChecks(names(tc.env, tc.account), names(tc.other, tc.otherAccount))
			require.GreaterOrEqual(t, len(checks), 30)
			allowed := 0
			for _, c := range checks {
				got, err := e.Ask(c.Question)
				require.NoError(t, err, c.String())
				if c.Allowed {
					allowed++
					assert.Equal(t, iampolicy.Allowed, got.Decision, "%s should be allowed: %s", c, got.By)
				} else {
					assert.NotEqual(t, iampolicy.Allowed, got.Decision, "%s should be denied, allowed by %s", c, got.By)
				}
			}
			t.Logf("%s: %d questions, %d allowed, %d denied", tc.env, len(checks), allowed, len(checks)-allowed)
		})
	}
}

// TestBoundaryDeniesTheDangerousEvenUnderAllowAll gives the function's role
// an allow-all identity policy: the boundary alone must deny each request.
func TestBoundaryDeniesTheDangerousEvenUnderAllowAll(t *testing.T) {
	for _, tc := range environments {
		t.Run(tc.env, func(t *testing.T) {
			_, e := load(t, tc.env)
			checks := DangerousChecks(names(tc.env, tc.account))
			require.GreaterOrEqual(t, len(checks), 25)
			explicit := 0
			for _, c := range checks {
				got, err := e.Ask(c.Question)
				require.NoError(t, err, c.String())
				assert.NotEqual(t, iampolicy.Allowed, got.Decision, "%s is allowed by %s", c, got.By)
				if got.Decision == iampolicy.ExplicitDeny {
					explicit++
				}
			}
			t.Logf("%s: %d dangerous requests denied under allow-all, %d of them by an explicit deny", tc.env, len(checks), explicit)
		})
	}
}

// Without the boundary, the allow-all policy would allow them: the checks
// above test the boundary, not a request nothing could allow.
func TestTheDangerousChecksNeedTheBoundary(t *testing.T) {
	_, e := load(t, "prod")
	n := names("prod", fixture.ProdAccount)
	e.Roles[n.FunctionRole].Boundary = nil
	allowed := 0
	checks := DangerousChecks(n)
	for _, c := range checks {
		got, err := e.Ask(c.Question)
		require.NoError(t, err)
		if got.Decision == iampolicy.Allowed {
			allowed++
			continue
		}
		// What still stops a request is the resource's own policy (prod's
		// bucket, key and table keep everyone but the break-glass role out
		// of their destruction), never something of the role's.
		assert.True(t, strings.HasPrefix(got.By, "resource/") || strings.Contains(got.By, "key or trust policy"),
			"%s: without the boundary, stopped by %s", c.Question, got.By)
	}
	assert.Greater(t, allowed, len(checks)/2, "without the boundary most dangerous requests go through")
}

func TestEveryRoleCarriesTheBoundary(t *testing.T) {
	for _, tc := range environments {
		_, e := load(t, tc.env)
		require.NotEmpty(t, e.Roles)
		for _, name := range e.RoleNames() {
			r := e.Roles[name]
			assert.NotNil(t, r.Boundary, "%s %s: boundary %q is not the environment's", tc.env, name, r.BoundaryArn)
			assert.NotEmpty(t, r.Identity, "%s %s has its inline policy", tc.env, name)
		}
	}
}
