package profile

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAReviewEnvironmentIsNamedForItsPullRequest(t *testing.T) {
	for _, name := range []string{"pr-1", "pr-4821", "pr-2147483647"} {
		env, err := ParseEnvironment(name)
		require.NoError(t, err, name)
		assert.Equal(t, Environment(name), env)
		assert.True(t, IsReview(env))
	}
	for name, want := range map[string]string{
		"pr-0":          `pull request number 0: allowed 1-2147483647`,
		"pr-2147483648": `pull request number 2147483648: allowed 1-2147483647`,
		"pr-04":         `review environment "pr-04": allowed pr- and a pull request number (for example pr-4821)`,
		"pr-x":          `review environment "pr-x": allowed pr- and a pull request number`,
		"pr-":           `review environment "pr-": allowed pr- and a pull request number`,
	} {
		_, err := ParseEnvironment(name)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), want, name)
	}
	assert.NotContains(t, Environments(), Environment("pr-1"), "review environments are not the file's")
	env, err := ReviewEnvironment(4821)
	require.NoError(t, err)
	assert.Equal(t, Environment("pr-4821"), env)
}

// A review environment runs in the account, region and suffix of the
// environment its block names, as development, with the block's settings.
func TestAReviewEnvironmentIsItsBaseWithTheBlocksSettings(t *testing.T) {
	r, ok := Reviews()
	require.True(t, ok)
	base, err := Planned(r.In)
	require.NoError(t, err)
	p, err := Planned("pr-4821")
	require.NoError(t, err)
	assert.Equal(t, Environment("pr-4821"), p.Environment)
	assert.Equal(t, Development, p.Tier)
	assert.Equal(t, base.AccountID, p.AccountID)
	assert.Equal(t, base.Region, p.Region)
	assert.Equal(t, base.Suffix, p.Suffix)
	// The block's settings (environments.yaml's review block).
	assert.Equal(t, 0, p.Network.NatGateways)
	assert.False(t, p.Network.FlowLogs)
	assert.Equal(t, "10.90.0.0/16", p.Network.VpcCIDR)
	assert.Equal(t, 128, p.Function.MemoryMB)
	assert.Equal(t, 1, p.Function.LogRetentionDays)
	assert.Equal(t, 1, p.Function.ReservedConcurrency)
	assert.Equal(t, 1, p.Audit.ExpirationDays)
	assert.Equal(t, 5, p.Cost.MonthlyBudgetUSD)
	// What the block does not set is the base's.
	assert.Equal(t, base.Function.TimeoutSeconds, p.Function.TimeoutSeconds)
	assert.Equal(t, base.Table, p.Table)
	assert.Equal(t, base.Alarms, p.Alarms)
	require.NoError(t, Validate(p))

	// Loading a review stack validates it as any other.
	cfg := baseConfig("dev", base.AccountID)
	loaded, err := Load("pr-4821", FromMap(cfg))
	require.NoError(t, err)
	assert.Equal(t, p, loaded)
	cfg["payments:tableCapacityMode"] = Provisioned
	_, err = Load("pr-4821", FromMap(cfg))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `breaks the rule "on-demand capacity in development`)
}

func TestABadReviewBlockIsRefusedNamingTheKey(t *testing.T) {
	head := strings.SplitN(string(environmentsFile), "\nreview:\n", 2)[0]
	pipe := "\npipeline:\n" + strings.SplitN(string(environmentsFile), "\npipeline:\n", 2)[1]
	for block, want := range map[string]string{
		"review: {in: staging, expiresAfterHours: 72}":                    `review.in = "staging": staging is of the pre-production tier; review environments run only beside a development environment`,
		"review: {in: qa, expiresAfterHours: 72}":                         `review.in = "qa": allowed one of the file's environments of the development tier`,
		"review: {in: dev}":                                               `review.expiresAfterHours = <nil>: allowed 1-720 hours`,
		"review: {in: dev, expiresAfterHours: 0}":                         `review.expiresAfterHours = 0: allowed 1-720 hours`,
		"review: {in: dev, expiresAfterHours: 72, accountId: \"1\"}":      `review.accountId: a review environment takes its tier, accountId, region, environmentSuffix from dev`,
		"review: {in: dev, expiresAfterHours: 72, function: {memory: 1}}": `environments file: review: json: unknown field "memory"`,
		"review: [dev]": `environments file: review: want a map`,
		"review: {in: dev, expiresAfterHours: 72, network: {natGateways: 3}}": `environments file: review: config payments:natGateways = "3": allowed 0-2`,
	} {
		_, err := ParseEnvironments([]byte(head + "\n" + block + pipe))
		require.Error(t, err, block)
		assert.Contains(t, err.Error(), want, block)
	}
	_, err := ParseEnvironments([]byte(head + "\npr-1:\n  tier: development\n" + pipe))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `environment name "pr-1": names beginning "pr-" are review environments' (review:up), not entries of this file`)

	// Without the block, there are no review environments.
	f, err := parseFile([]byte(head + pipe))
	require.NoError(t, err)
	assert.Nil(t, f.review)
}
