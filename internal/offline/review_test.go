package offline

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/awsfake"
	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
)

// reviewRoot is a copy of the repository's stack files with a review
// environment's written beside them, as review:up writes them.
func reviewRoot(t *testing.T, env profile.Environment, expires string) string {
	t.Helper()
	root := copyStackFiles(t, func(_ profile.Environment, text string) string { return text })
	p, err := profile.Planned(env)
	require.NoError(t, err)
	require.NoError(t, profile.WriteReviewStackFiles(root, p, expires))
	return root
}

// liveInputs are what the stand-in account holds, by type and id.
func liveInputs(cloud *awsfake.Cloud) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, r := range cloud.Resources() {
		out[r.Type+" "+r.ID] = r.Inputs.Mappable()
	}
	return out
}

// A review environment deployed beside dev, in dev's account, by the
// review role: every API call is evaluated under the review role's live
// documents (its policy, boundary and guardrails, as dev's bootstrap made
// them). It creates its own resources and changes none of dev's, and dev's
// program run as the review role cannot put a hand change of dev's back.
func TestAReviewEnvironmentBesideDevTouchesNothingOfDevs(t *testing.T) {
	ctx := context.Background()
	dev, owned := bootstrapped(t, profile.Dev)
	upAsTheDeployer(t, dev, profile.Dev)
	devLive := liveInputs(dev.Cloud)

	const expires = "2026-12-10T19:00:00Z"
	rv, err := New(t, reviewRoot(t, "pr-4821", expires), "pr-4821")
	require.NoError(t, err)
	rv.Cloud = dev.Cloud
	reviewRole := "arn:aws:iam::" + fixture.DevAccount + ":role/payments-pipeline-review"
	rv.Cloud.CallAs(reviewRole)
	_, err = rv.Up(ctx)
	require.NoError(t, err, "the review environment, as the review role")

	after := liveInputs(rv.Cloud)
	for key, inputs := range devLive {
		assert.Equal(t, inputs, after[key], "%s: the review environment's deploy left dev's resource as it was", key)
	}
	created := 0
	for _, r := range rv.Cloud.Resources() {
		if _, ok := devLive[r.Type+" "+r.ID]; ok {
			continue
		}
		created++
		if tags, ok := r.Inputs["tags"]; ok && tags.IsObject() {
			assert.Equal(t, "pr-4821", tags.ObjectValue()["Environment"].StringValue(), "%s %s", r.Type, r.ID)
			assert.Equal(t, expires, tags.ObjectValue()["Expires"].StringValue(), "%s %s carries the expiry", r.Type, r.ID)
		}
		for _, k := range []string{"name", "bucket", "functionName", "roleName"} {
			if v, ok := r.Inputs[resource.PropertyKey(k)]; ok && v.IsString() {
				assert.NotContains(t, v.StringValue(), "-dev-", "%s %s", r.Type, r.ID)
			}
		}
	}
	assert.Greater(t, created, 40, "the review environment's four layers")
	for _, r := range rv.Cloud.Resources() {
		if r.Type == "aws:ec2/natGateway:NatGateway" || r.Type == "aws:ec2/eip:Eip" {
			assert.Equal(t, "dev", r.Inputs["tags"].ObjectValue()["Environment"].StringValue(), "a review environment has no NAT gateway")
		}
	}
	t.Logf("the review role made: %s", strings.Join(rv.Cloud.Made(reviewRole), " "))

	// Dev's program, run as the review role, cannot put back a hand
	// change of dev's function: the review role may not even read it.
	require.NoError(t, dev.Cloud.Edit("aws:lambda/function:Function", "payment-processor", func(in resource.PropertyMap) {
		in["memorySize"] = resource.NewNumberProperty(128)
	}))
	_, err = dev.Run(ctx, OpUpdateRefreshing, "compute")
	require.ErrorContains(t, err, awsfake.ErrAccessDenied.Error())
	assert.Regexp(t, regexp.QuoteMeta(reviewRole)+` is not authorized to perform [a-z]+:[A-Za-z]+ on resource \S+-dev-`+fixture.DevSuffix+` `, err.Error())
	assert.NotContains(t, rv.Cloud.Made(reviewRole), "lambda:UpdateFunctionConfiguration")

	// The review environment goes, as the review role; dev stays.
	_, err = rv.Destroy(ctx)
	require.NoError(t, err, "destroy of the review environment, as the review role")
	left := liveInputs(rv.Cloud)
	for key := range left {
		_, ofDev := devLive[key]
		assert.True(t, ofDev, "%s: left behind by the review environment", key)
	}
	dev.Cloud.CallAs(role(profile.Dev, bootstrapiam.DeployerRoleName))
	_, err = dev.Destroy(ctx)
	require.NoError(t, err)
	assert.Equal(t, owned, liveIDs(dev.Cloud), "what is left is the account's bootstrap")
}
