package bootstrap

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/profile"
)

type statement struct {
	Sid       string
	Effect    string
	Action    []string
	Resource  []string
	Principal map[string][]string
	Condition map[string]map[string]string
}

func parse(t *testing.T, text string) []statement {
	t.Helper()
	var d struct{ Statement []statement }
	require.NoError(t, json.Unmarshal([]byte(text), &d))
	return d.Statement
}

func prod(t *testing.T) profile.Profile {
	p, err := profile.Default(profile.Prod)
	require.NoError(t, err)
	p.Suffix = "pay01"
	return p
}

func TestEveryRoleTheDeployerCreatesCarriesTheBoundary(t *testing.T) {
	st := parse(t, DeployerPolicy(prod(t)).JSON())
	boundary := "arn:aws:iam::345678901234:policy/permissions-boundary-prod-pay01"
	sensitive := map[string]bool{"iam:CreateRole": true, "iam:PutRolePolicy": true, "iam:PutRolePermissionsBoundary": true, "iam:AttachRolePolicy": true}
	for _, s := range st {
		for _, a := range s.Action {
			if s.Effect == "Allow" && sensitive[a] {
				assert.Equal(t, boundary, s.Condition["StringEquals"]["iam:PermissionsBoundary"], "%s is allowed without the boundary condition", a)
			}
		}
	}
	var denied []string
	for _, s := range st {
		if s.Effect == "Deny" {
			denied = append(denied, s.Action...)
		}
	}
	assert.Contains(t, denied, "iam:DeleteRolePermissionsBoundary")
}

func TestDeployerIsConfinedToItsEnvironment(t *testing.T) {
	st := parse(t, DeployerPolicy(prod(t)).JSON())
	for _, s := range st {
		for _, a := range s.Action {
			assert.NotContains(t, a, "*", "%s: wildcard action %s", s.Sid, a)
		}
		for _, r := range s.Resource {
			if r == "*" {
				if s.Sid != "Identity" && s.Effect == "Allow" {
					assert.Equal(t, "us-east-1", s.Condition["StringEquals"]["aws:RequestedRegion"], "%s: Resource * only within the region", s.Sid)
				}
				continue
			}
			assert.NotContains(t, r, "-dev-")
			assert.NotContains(t, r, "-staging-")
			if strings.HasPrefix(r, "arn:aws:iam::") || strings.Contains(r, ":us-east-1:") {
				assert.Contains(t, r, "345678901234", "%s: resource in another account", s.Sid)
			}
		}
	}
}

func TestTrustIsOneGitHubEnvironment(t *testing.T) {
	st := parse(t, Trust(prod(t), "acmepay/platform", "prod").JSON())
	require.Len(t, st, 1)
	assert.Equal(t, []string{"arn:aws:iam::345678901234:oidc-provider/token.actions.githubusercontent.com"}, st[0].Principal["Federated"])
	assert.Equal(t, "repo:acmepay/platform:environment:prod", st[0].Condition["StringEquals"]["token.actions.githubusercontent.com:sub"])
	assert.Equal(t, "sts.amazonaws.com", st[0].Condition["StringEquals"]["token.actions.githubusercontent.com:aud"])
}
