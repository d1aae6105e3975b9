package offline

import (
	"context"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/awsfake"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/iampolicy"
)

// liveByName finds a live resource of a type by its physical name input.
func liveByName(t *testing.T, cloud *awsfake.Cloud, typ, key, value string) awsfake.Live {
	t.Helper()
	for _, r := range cloud.Resources() {
		if r.Type == typ && r.Inputs[resource.PropertyKey(key)].IsString() && r.Inputs[resource.PropertyKey(key)].StringValue() == value {
			return r
		}
	}
	t.Fatalf("no %s with %s %q in the stand-in", typ, key, value)
	return awsfake.Live{}
}

func outputsOf(t *testing.T, e *Env) resource.PropertyMap {
	t.Helper()
	outputs, ok := e.StackOutputs(bootstrapiam.Project)
	require.True(t, ok)
	return outputs
}

// An account's bootstrap, through the real engine against the stand-in:
// everything it owns is made, a second run changes nothing, and its teardown
// leaves nothing. Expected names are written out here, from docs/bootstrap.md.
func TestBootstrapOfAnAccountLifecycle(t *testing.T) {
	for _, tc := range []struct {
		stack, account     string
		breakGlass, review bool
	}{{"dev", fixture.DevAccount, false, true}, {"prod", fixture.ProdAccount, true, false}} {
		t.Run(tc.stack, func(t *testing.T) {
			ctx := context.Background()
			e := ForBootstrap(t, "../..", tc.stack, tc.account, "us-east-1")
			first, err := e.Run(ctx, OpUpdate, bootstrapiam.Project)
			require.NoError(t, err)
			assert.Zero(t, first.Changes()["update"]+first.Changes()["delete"])

			roles := map[string]bool{}
			for _, r := range e.Cloud.Resources() {
				_, known := awstype.Of(r.Type)
				assert.True(t, known, "%s: the bootstrap creates it, and pkg/awstype has no entry for it", r.Type)
				if r.Type == "aws:iam/role:Role" {
					roles[r.Inputs["name"].StringValue()] = true
				}
			}
			want := map[string]bool{"payments-pipeline-deployer": true, "payments-pipeline-readonly": true}
			if tc.breakGlass {
				want["payments-break-glass"] = true
			}
			if tc.review {
				want["payments-pipeline-review"] = true // the environments file's review.in is dev
			}
			assert.Equal(t, want, roles)

			boundary := liveByName(t, e.Cloud, "aws:iam/policy:Policy", "name", "permissions-boundary-"+tc.stack+"-"+fixture.DevSuffix)
			doc, err := iampolicy.Parse(boundary.Inputs["policy"].StringValue())
			require.NoError(t, err)
			sids := map[string]bool{}
			for _, s := range doc.Statement {
				sids[s.Sid] = true
			}
			assert.True(t, sids["DenyBoundaryChanges"] && sids["DenyPrivilegeEscalation"], "the workload boundary's denies: %v", sids)

			deployer := liveByName(t, e.Cloud, "aws:iam/role:Role", "name", "payments-pipeline-deployer")
			assert.Equal(t, "arn:aws:iam::"+tc.account+":policy/payments-pipeline-deployer-boundary", deployer.Inputs["permissionsBoundary"].StringValue())
			attached := 0
			for _, r := range e.Cloud.Resources() {
				if r.Type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.Inputs["role"].StringValue() == "payments-pipeline-deployer" {
					attached++
				}
			}
			assert.Equal(t, 3, attached, "the deployer's three guardrails")
			version := liveByName(t, e.Cloud, "aws:ssm/parameter:Parameter", "name", "/payments/bootstrap/version")
			value := version.Inputs["value"]
			if value.IsSecret() { // the provider marks every parameter's value secret
				value = value.SecretValue().Element
			}
			assert.Equal(t, "2", value.StringValue(), "version 2: the pipeline roles read the account's quotas")
			if tc.breakGlass {
				bg := liveByName(t, e.Cloud, "aws:iam/role:Role", "name", "payments-break-glass")
				assert.Equal(t, 3600.0, bg.Inputs["maxSessionDuration"].NumberValue())
			}
			logs := liveByName(t, e.Cloud, "aws:s3/bucketV2:BucketV2", "bucket", "audit-access-logs-"+tc.stack+"-"+fixture.DevSuffix)
			assert.True(t, logs.Inputs["forceDestroy"].BoolValue(), "the access-log bucket goes with the bootstrap's teardown")
			if tc.review {
				review := liveByName(t, e.Cloud, "aws:iam/role:Role", "name", "payments-pipeline-review")
				assert.Equal(t, "arn:aws:iam::"+tc.account+":policy/payments-pipeline-review-boundary", review.Inputs["permissionsBoundary"].StringValue())
				liveByName(t, e.Cloud, "aws:iam/policy:Policy", "name", "permissions-boundary-review-"+fixture.DevSuffix)
				liveByName(t, e.Cloud, "aws:s3/bucketV2:BucketV2", "bucket", "audit-access-logs-review-"+fixture.DevSuffix)
				assert.Equal(t, "arn:aws:iam::"+tc.account+":role/payments-pipeline-review", outputsOf(t, e)["reviewRoleArn"].StringValue())
			}
			outputs := outputsOf(t, e)
			assert.Equal(t, "arn:aws:iam::"+tc.account+":role/payments-pipeline-deployer", outputs["deployerRoleArn"].StringValue())

			second, err := e.Run(ctx, OpUpdateRefreshing, bootstrapiam.Project)
			require.NoError(t, err)
			assert.Empty(t, second.Changes(), "a second bootstrap changes nothing")

			_, err = e.Run(ctx, OpDestroy, bootstrapiam.Project)
			require.NoError(t, err)
			assert.Empty(t, e.Cloud.Resources(), "the bootstrap's teardown leaves nothing")
		})
	}
}

func TestBootstrapOfTheToolingAccountLifecycle(t *testing.T) {
	ctx := context.Background()
	e := ForBootstrap(t, "../..", "tooling", fixture.ToolingAccount, "us-east-1")
	_, err := e.Run(ctx, OpUpdate, bootstrapiam.Project)
	require.NoError(t, err)
	bucket := liveByName(t, e.Cloud, "aws:s3/bucketV2:BucketV2", "bucket", fixture.StateBucket)
	assert.True(t, bucket.Inputs["forceDestroy"].BoolValue())
	var policy iampolicy.Document
	for _, r := range e.Cloud.Resources() {
		if r.Type == "aws:s3/bucketPolicy:BucketPolicy" {
			policy, err = iampolicy.Parse(r.Inputs["policy"].StringValue())
			require.NoError(t, err)
		}
		if r.Type == "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2" {
			rule := r.Inputs["rules"].ArrayValue()[0].ObjectValue()
			assert.False(t, rule["bucketKeyEnabled"].BoolValue(), "Bucket Keys off, so the key policy can hold each environment to its prefix")
			assert.Equal(t, "aws:kms", rule["applyServerSideEncryptionByDefault"].ObjectValue()["sseAlgorithm"].StringValue())
		}
	}
	principals := map[string]bool{}
	for _, s := range policy.Statement {
		for _, p := range s.Principal["AWS"] {
			principals[p] = true
		}
	}
	for _, want := range []string{
		"arn:aws:iam::" + fixture.DevAccount + ":role/payments-pipeline-deployer", "arn:aws:iam::" + fixture.StagingAccount + ":role/payments-pipeline-readonly",
		"arn:aws:iam::" + fixture.ProdAccount + ":role/payments-break-glass",
	} {
		assert.True(t, principals[want], "the bucket policy names %s", want)
	}
	_, err = e.Run(ctx, OpDestroy, bootstrapiam.Project)
	require.NoError(t, err)
	assert.Empty(t, e.Cloud.Resources(), "the tooling account's teardown leaves nothing")
}
