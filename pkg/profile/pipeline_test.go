package profile

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestThePipelineBlockIsValid(t *testing.T) {
	p, err := PlannedPipeline()
	require.NoError(t, err)
	assert.Equal(t, "acmepay/platform", p.Repository)
	assert.Equal(t, fixture.ToolingAccount, p.ToolingAccountID)
	assert.Equal(t, []string{"arn:aws:iam::" + fixture.ProdAccount + ":role/payments-oncall-lead"}, p.BreakGlass[Prod])
}

func TestThePipelineBlockRefusesBadInput(t *testing.T) {
	good, err := PlannedPipeline()
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		edit func(p *Pipeline)
		want string
	}{
		{"prod without break-glass principals", func(p *Pipeline) { p.BreakGlass = nil }, "pipeline.breakGlassPrincipals.prod is empty"},
		{"a principal that is not an IAM ARN", func(p *Pipeline) { p.BreakGlass = map[Environment][]string{Prod: {"alice"}} },
			`pipeline.breakGlassPrincipals.prod = "alice": want an IAM role or user ARN`},
		{"an unknown environment", func(p *Pipeline) {
			p.BreakGlass = map[Environment][]string{Prod: good.BreakGlass[Prod], "qa": {"arn:aws:iam::" + fixture.DevAccount + ":role/x"}}
		}, `pipeline.breakGlassPrincipals.qa: unknown environment "qa"`},
		{"a short tooling account", func(p *Pipeline) { p.ToolingAccountID = "4567" }, `pipeline.toolingAccountId = "4567": want a 12-digit AWS account ID`},
		{"a repository without owner", func(p *Pipeline) { p.Repository = "platform" }, `pipeline.repository = "platform": want owner/name`},
		{"an organisation ID", func(p *Pipeline) { p.OrganizationID = "org-1" }, `pipeline.organizationId = "org-1"`},
		{"an upper-case bucket", func(p *Pipeline) { p.StateBucket = "State" }, `pipeline.stateBucket = "State"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := good
			p.BreakGlass = map[Environment][]string{Prod: good.BreakGlass[Prod]}
			tc.edit(&p)
			assert.ErrorContains(t, p.Validate(), tc.want)
		})
	}
	_, err = ParseEnvironments([]byte("pipeline: {repository: a/b, colour: blue}\n"))
	assert.ErrorContains(t, err, `unknown field "colour"`)
}

// A mistyped environment is refused with the name it most likely meant.
func TestAMistypedEnvironmentSuggestsTheClosest(t *testing.T) {
	_, err := ParseEnvironment("prd")
	require.Error(t, err)
	assert.Equal(t, `unknown environment "prd" (did you mean prod?): allowed dev, staging, prod`, err.Error())
	_, err = ParseEnvironment("stagign")
	assert.ErrorContains(t, err, "(did you mean staging?)")
	_, err = ParseEnvironment("qa")
	assert.Equal(t, `unknown environment "qa": allowed dev, staging, prod`, err.Error(), "nothing close enough")
}
