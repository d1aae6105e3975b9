package offline

import (
	"bytes"
	"context"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
)

func newEnv(t *testing.T, env profile.Environment) *Env {
	t.Helper()
	e, err := New(t, "../..", env)
	require.NoError(t, err)
	return e
}

func total(results []Result) map[string]int {
	out := map[string]int{}
	for _, r := range results {
		for k, v := range r.Changes() {
			out[k] += v
		}
	}
	return out
}

func refreshDrift(t *testing.T, e *Env) drift.Report {
	t.Helper()
	results, err := e.RefreshPreview(context.Background())
	require.NoError(t, err)
	report := drift.Report{Environment: string(e.Env)}
	for _, r := range results {
		report.Add(r.Layer, r.Events)
	}
	return report
}

// The whole life of each environment through the real engine: deploy,
// redeploy with no changes, no drift, destroy to nothing.
func TestEnvironmentLifecycle(t *testing.T) {
	for _, env := range profile.Environments() {
		t.Run(string(env), func(t *testing.T) {
			e := newEnv(t, env)
			ctx := context.Background()
			first, err := e.Up(ctx)
			require.NoError(t, err)
			created := total(first)
			assert.Greater(t, created["create"], 50, "all four layers create their resources")
			assert.Zero(t, created["update"]+created["delete"]+created["replace"])
			for _, r := range first {
				assert.NotZero(t, r.Changes()["create"], "layer %s created nothing", r.Layer)
			}
			require.NoError(t, e.CheckDestroyable())

			second, err := e.Up(ctx)
			require.NoError(t, err)
			assert.Empty(t, total(second), "a second deploy of unchanged code changes nothing")

			report := refreshDrift(t, e)
			assert.False(t, report.Any(), "an untouched environment has no drift: %+v", report.Drifted)

			_, err = e.Destroy(ctx)
			require.NoError(t, err)
			require.NoError(t, e.CheckEmpty(), "destroy in reverse layer order leaves nothing")
		})
	}
}

// StackReferences resolve from the upstream layers' real outputs.
func TestStackReferencesCarryRealOutputs(t *testing.T) {
	e := newEnv(t, profile.Staging)
	_, err := e.Up(context.Background())
	require.NoError(t, err)
	network, ok := e.StackOutputs("network")
	require.True(t, ok)
	privateSubnets := network["privateSubnetIds"].ArrayValue()
	require.Len(t, privateSubnets, 2)

	var fnInputs resource.PropertyMap
	for _, r := range e.Snapshot("compute").Resources {
		if r.Type == "aws:lambda/function:Function" {
			fnInputs = r.Inputs
		}
	}
	require.NotNil(t, fnInputs)
	subnets := fnInputs["vpcConfig"].ObjectValue()["subnetIds"].ArrayValue()
	assert.Equal(t, privateSubnets, subnets, "compute runs in the subnets network created")
	assert.Regexp(t, `^subnet-[0-9a-f]{16}$`, subnets[0].StringValue(), "ids come from the stand-in, not from a mock")

	boundary := network["permissionsBoundaryArn"].StringValue()
	var roleBoundary string
	for _, r := range e.Snapshot("compute").Resources {
		if r.Type == "aws:iam/role:Role" {
			roleBoundary = r.Inputs["permissionsBoundary"].StringValue()
		}
	}
	assert.Equal(t, "arn:aws:iam::"+fixture.StagingAccount+":policy/permissions-boundary-staging-"+fixture.StagingSuffix, boundary)
	assert.Equal(t, boundary, roleBoundary)
}

// Console edits in prod are each reported with the right resource and path.
func TestDriftFromConsoleEdits(t *testing.T) {
	cases := []struct {
		name            string
		edit            func(e *Env) error
		layer, typ, res string
		kind, path      string
		recorded, live  any
	}{
		{
			name: "function memory lowered",
			edit: func(e *Env) error {
				return e.Cloud.Edit("aws:lambda/function:Function", "payment-processor", func(in resource.PropertyMap) {
					in["memorySize"] = resource.NewNumberProperty(128)
				})
			},
			layer: "compute", typ: "aws:lambda/function:Function", res: "payment-processor",
			kind: drift.Modified, path: "memorySize", recorded: 2048.0, live: 128.0,
		},
		{
			name: "audit lifecycle shortened",
			edit: func(e *Env) error {
				return e.Cloud.Edit("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "audit-logs", func(in resource.PropertyMap) {
					in["rules"].ArrayValue()[0].ObjectValue()["expiration"].ObjectValue()["days"] = resource.NewNumberProperty(7)
				})
			},
			layer: "data", typ: "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", res: "audit-logs",
			kind: drift.Modified, path: "rules[0].expiration.days", recorded: 365.0, live: 7.0,
		},
		{
			name: "required tag removed from the table",
			edit: func(e *Env) error {
				return e.Cloud.Edit("aws:dynamodb/table:Table", "transactions", func(in resource.PropertyMap) {
					delete(in["tags"].ObjectValue(), "DataClassification")
				})
			},
			layer: "data", typ: "aws:dynamodb/table:Table", res: "transactions",
			kind: drift.Modified, path: "tags.DataClassification", recorded: "restricted", live: nil,
		},
		{
			name:  "NAT route deleted",
			edit:  func(e *Env) error { return e.Cloud.Remove("aws:ec2/route:Route", "vpc-private-2-default") },
			layer: "network", typ: "aws:ec2/route:Route", res: "vpc-private-2-default",
			kind: drift.Deleted,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, profile.Prod)
			_, err := e.Up(context.Background())
			require.NoError(t, err)
			require.NoError(t, tc.edit(e))

			report := refreshDrift(t, e)
			var text bytes.Buffer
			report.WriteText(&text)
			t.Log("\n" + text.String())
			require.Len(t, report.Drifted, 1, "exactly the edited resource drifted: %+v", report.Drifted)
			d := report.Drifted[0]
			assert.Equal(t, tc.layer, d.Layer)
			assert.Equal(t, tc.typ, d.Type)
			assert.Equal(t, tc.res, d.Name)
			assert.Equal(t, tc.kind, d.Kind)
			if tc.path != "" {
				require.Len(t, d.Properties, 1, "%+v", d.Properties)
				assert.Equal(t, tc.path, d.Properties[0].Path)
				assert.Equal(t, tc.recorded, d.Properties[0].Recorded)
				assert.Equal(t, tc.live, d.Properties[0].Live)
			}

			// A preview-only refresh never writes state: the drift is still there.
			again := refreshDrift(t, e)
			assert.Len(t, again.Drifted, 1)
		})
	}
}

// A protected or retained resource slipped into a layer is caught: the
// environment is reported as not destroyable, and it cannot be destroyed to
// nothing.
func TestProtectAndRetainOnDeleteAreCaught(t *testing.T) {
	for name, opt := range map[string]pulumi.ResourceOption{
		"protect":        pulumi.Protect(true),
		"retainOnDelete": pulumi.RetainOnDelete(true),
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, profile.Dev)
			original := e.Programs["data"]
			e.Programs["data"] = func(ctx *pulumi.Context) error {
				if err := original(ctx); err != nil {
					return err
				}
				_, err := s3.NewBucketV2(ctx, "slipped-in", &s3.BucketV2Args{Bucket: pulumi.String("slipped-in-dev-" + fixture.DevSuffix)}, opt)
				return err
			}
			_, err := e.Up(context.Background())
			require.NoError(t, err)
			err = e.CheckDestroyable()
			require.Error(t, err)
			assert.Contains(t, err.Error(), "slipped-in")

			_, destroyErr := e.Destroy(context.Background())
			emptyErr := e.CheckEmpty()
			assert.True(t, destroyErr != nil || emptyErr != nil, "the environment must not destroy to nothing")
		})
	}
}

// Autoscaling moving the table's capacity is the platform working: neither
// drift nor something the next deploy undoes.
func TestAutoscaledCapacityIsLeftToAutoscaling(t *testing.T) {
	e := newEnv(t, profile.Prod)
	_, err := e.Up(context.Background())
	require.NoError(t, err)
	require.NoError(t, e.Cloud.Edit("aws:dynamodb/table:Table", "transactions", func(in resource.PropertyMap) {
		in["readCapacity"] = resource.NewNumberProperty(180)
		in["globalSecondaryIndexes"].ArrayValue()[0].ObjectValue()["writeCapacity"] = resource.NewNumberProperty(60)
	}))
	report := refreshDrift(t, e)
	assert.False(t, report.Any(), "%+v", report.Drifted)

	// Record the live capacity in state, as `pulumi refresh` would, then deploy.
	_, err = e.Run(context.Background(), OpRefresh, "data")
	require.NoError(t, err)
	second, err := e.Up(context.Background())
	require.NoError(t, err)
	assert.Empty(t, total(second), "a deploy leaves the autoscaled capacity alone")
}
