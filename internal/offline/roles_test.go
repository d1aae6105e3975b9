package offline

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/awsfake"
	"github.com/acmepay/platform/internal/proppath"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/datapolicy"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/profile"
)

var accountOf = map[profile.Environment]string{profile.Dev: fixture.DevAccount, profile.Staging: fixture.StagingAccount, profile.Prod: fixture.ProdAccount}

// bootstrapped is an environment whose account an administrator
// bootstrapped: the stand-in holds the pipeline roles' live documents.
func bootstrapped(t *testing.T, env profile.Environment) (*Env, []string) {
	t.Helper()
	boot := ForBootstrap(t, "../..", string(env), accountOf[env], "us-east-1")
	_, err := boot.Run(context.Background(), OpUpdate, bootstrapiam.Project)
	require.NoError(t, err)
	e := newEnv(t, env)
	e.Cloud = boot.Cloud
	require.NoError(t, JoinOrganisation(e.Cloud))
	return e, liveIDs(e.Cloud)
}

// upAsTheDeployer deploys e's layers as env's deployer role.
func upAsTheDeployer(t *testing.T, e *Env, env profile.Environment) {
	t.Helper()
	e.Cloud.CallAs(role(env, bootstrapiam.DeployerRoleName))
	_, err := e.Up(context.Background())
	require.NoError(t, err, "%s deploys as its deployer", env)
}

// liveIDs lists what the stand-in account holds, by type and id.
func liveIDs(cloud *awsfake.Cloud) []string {
	var out []string
	for _, r := range cloud.Resources() {
		out = append(out, r.Type+" "+r.ID)
	}
	return out
}

func role(env profile.Environment, name string) string {
	return "arn:aws:iam::" + accountOf[env] + ":role/" + name
}

// dev and staging run as CI runs them: deploy and destroy as the deployer,
// preview and the drift check as the read-only role. Every API call of
// every operation is evaluated under the role's live policies and boundary
// (awsfake's table of calls), so a grant the pipeline needs and lacks fails
// here, not in the first pipeline run.
func TestEnvironmentsRunAsThePipelineRoles(t *testing.T) {
	for _, env := range []profile.Environment{profile.Dev, profile.Staging} {
		t.Run(string(env), func(t *testing.T) {
			ctx := context.Background()
			e, owned := bootstrapped(t, env)
			deployer, readOnly := role(env, bootstrapiam.DeployerRoleName), role(env, bootstrapiam.ReadOnlyRoleName)

			e.Cloud.CallAs(deployer)
			_, err := e.Up(ctx)
			require.NoError(t, err, "a first deploy as the deployer")

			readsAsTheReadOnlyRole(t, e, env)
			t.Logf("%s: a deploy made, as the deployer: %s", env, strings.Join(e.Cloud.Made(deployer), " "))

			require.NoError(t, e.Cloud.Edit("aws:lambda/function:Function", "payment-processor", func(in resource.PropertyMap) {
				in["memorySize"] = resource.NewNumberProperty(128)
			}))
			assert.True(t, refreshDrift(t, e).Any(), "the read-only role sees the hand change")
			_, err = e.Run(ctx, OpUpdateRefreshing, "compute")
			require.ErrorContains(t, err, awsfake.ErrAccessDenied.Error(), "the read-only role never changes anything")
			assert.Contains(t, err.Error(), readOnly+" is not authorized to perform lambda:UpdateFunctionConfiguration on resource arn:aws:lambda:us-east-1:"+accountOf[env]+":function:payment-processor-"+string(env)+"-"+fixture.DevSuffix)

			e.Cloud.CallAs(deployer)
			_, err = e.Run(ctx, OpUpdateRefreshing, "compute")
			require.NoError(t, err, "the deployer puts the hand change back")
			_, err = e.Destroy(ctx)
			require.NoError(t, err, "destroy as the deployer")
			assert.Equal(t, owned, liveIDs(e.Cloud), "destroy leaves the account's bootstrap and nothing else")
		})
	}
}

// readsAsTheReadOnlyRole previews every layer and checks for drift as the
// environment's read-only role, as the pipeline's checks do: each call is
// allowed, only reads, and nothing has drifted.
func readsAsTheReadOnlyRole(t *testing.T, e *Env, env profile.Environment) {
	t.Helper()
	ctx := context.Background()
	readOnly := role(env, bootstrapiam.ReadOnlyRoleName)
	e.Cloud.CallAs(readOnly)
	for _, l := range []string{"network", "data", "compute", "observability"} {
		_, err := e.Run(ctx, OpPreviewRefreshing, l)
		require.NoError(t, err, "a preview of %s as the read-only role", l)
	}
	assert.False(t, refreshDrift(t, e).Any(), "a drift check as the read-only role")
	for _, action := range e.Cloud.Made(readOnly) {
		assert.Regexp(t, `^[a-z0-9-]+:(Describe|Get|List)`, action, "a preview and a drift check only read")
	}
	t.Logf("%s: a preview and a drift check made, as the read-only role: %s", env, strings.Join(e.Cloud.Made(readOnly), " "))
}

// Deleting one statement a deploy needs from the deployer's live policy
// makes the deploy fail at that call, naming the role, the action and the
// resource.
func TestAMissingGrantFailsNamingRoleActionAndResource(t *testing.T) {
	ctx := context.Background()
	e, _ := bootstrapped(t, profile.Dev)
	require.NoError(t, e.Cloud.Edit("aws:iam/rolePolicy:RolePolicy", "deployer", func(in resource.PropertyMap) {
		doc, err := iampolicy.Parse(in["policy"].StringValue())
		require.NoError(t, err)
		var kept []iampolicy.Statement
		for _, s := range doc.Statement {
			if s.Sid != "Functions" {
				kept = append(kept, s)
			}
		}
		require.Len(t, kept, len(doc.Statement)-1)
		doc.Statement = kept
		in["policy"] = resource.NewStringProperty(doc.JSON())
	}))
	e.Cloud.CallAs(role(profile.Dev, bootstrapiam.DeployerRoleName))
	_, err := e.Up(ctx)
	require.ErrorContains(t, err, awsfake.ErrAccessDenied.Error())
	assert.Contains(t, err.Error(), "arn:aws:iam::"+fixture.DevAccount+":role/payments-pipeline-deployer is not authorized to perform lambda:CreateFunction "+
		"on resource arn:aws:lambda:us-east-1:"+fixture.DevAccount+":function:payment-processor-dev-"+fixture.DevSuffix)
}

// A layer change that tries what the deployer's ceiling denies fails there,
// in the stand-in as in AWS: a network program that also writes a policy
// named like the workload boundary is refused by the deployer's boundary.
func TestTheDeployersCeilingHoldsInADeploy(t *testing.T) {
	ctx := context.Background()
	e, _ := bootstrapped(t, profile.Dev)
	network := e.Programs["network"]
	e.Programs["network"] = func(ctx *pulumi.Context) error {
		if err := network(ctx); err != nil {
			return err
		}
		allowAll, _ := json.Marshal(iampolicy.New(iampolicy.Statement{Effect: "Allow", Action: []string{"*"}, Resource: []string{"*"}}))
		_, err := iam.NewPolicy(ctx, "tidy-boundary", &iam.PolicyArgs{Name: pulumi.String("permissions-boundary-dev-" + fixture.DevSuffix), Policy: pulumi.String(string(allowAll))})
		return err
	}
	e.Cloud.CallAs(role(profile.Dev, bootstrapiam.DeployerRoleName))
	_, err := e.Up(ctx)
	require.ErrorContains(t, err, awsfake.ErrAccessDenied.Error())
	assert.Contains(t, err.Error(), "not authorized to perform iam:CreatePolicy on resource arn:aws:iam::"+fixture.DevAccount+":policy/permissions-boundary-dev-"+fixture.DevSuffix)
	assert.Contains(t, err.Error(), "boundary/NothingBootstrapOwns")
}

// Every grant of the pipeline roles' policies is used by a row of the
// stand-in's table of API calls (or an invoke), or is one the table cannot
// hold, listed with its reason in bootstrapiam.OutsideTheProvider. A grant
// nothing uses is a grant to remove.
func TestEveryPipelineGrantIsUsedOrExplained(t *testing.T) {
	used := map[string]bool{}
	for _, typ := range awsfake.CallTypes() {
		row := awsfake.Calls[typ]
		lists := [][]awsfake.Call{row.Create, row.Read, row.Update, row.Delete}
		for _, l := range row.UpdateWhen {
			lists = append(lists, l)
		}
		for _, list := range lists {
			for _, c := range list {
				used[c.Action] = true
			}
		}
	}
	for _, list := range awsfake.Invokes {
		for _, c := range list {
			used[c.Action] = true
		}
	}
	for _, env := range profile.Environments() {
		a := bootstrapAccount(t, env)
		docs := map[string]iampolicy.Document{"deployer": a.DeployerPolicy(), "read-only": a.ReadOnlyPolicy()}
		if r, ok := a.Reviews(); ok {
			docs["review role"] = r.DeployerPolicy()
		}
		for name, doc := range docs {
			grants := 0
			for _, s := range doc.Statement {
				for _, action := range s.Action {
					grants++
					_, explained := bootstrapiam.OutsideTheProvider[action]
					assert.True(t, used[action] || explained, "%s's %s grants %s (%s), which no API call of the table uses", env, name, action, s.Sid)
				}
			}
			t.Logf("%s %s: %d grants", env, name, grants)
		}
	}
	for action := range bootstrapiam.OutsideTheProvider {
		assert.False(t, used[action], "%s is listed as outside the provider, but a row of the table uses it", action)
	}
}

func bootstrapAccount(t *testing.T, env profile.Environment) bootstrapiam.Account {
	t.Helper()
	p, err := profile.Planned(env)
	require.NoError(t, err)
	pipe, err := profile.PlannedPipeline()
	require.NoError(t, err)
	return bootstrapiam.Account{Profile: p, Pipeline: pipe}
}

// Prod deploys as its deployer, and its read-only role previews it and
// checks it for drift; but only its break-glass role destroys it:
// the deployer's prod guardrail denies what destroys payment data, and the
// break-glass role takes prod to nothing but its bootstrap.
func TestProdIsDestroyedOnlyByTheBreakGlassRole(t *testing.T) {
	ctx := context.Background()
	e, owned := bootstrapped(t, profile.Prod)
	upAsTheDeployer(t, e, profile.Prod)
	readsAsTheReadOnlyRole(t, e, profile.Prod) // prod's own resources too (the table's resource policy)

	e.Cloud.CallAs(role(profile.Prod, bootstrapiam.DeployerRoleName))
	_, err := e.Destroy(ctx)
	require.ErrorContains(t, err, awsfake.ErrAccessDenied.Error(), "prod's deployer cannot destroy prod")
	assert.Contains(t, err.Error(), "ProdDataIsDestroyedOnlyByBreakGlass")
	t.Logf("the deployer's destroy of prod stopped at: %v", err)

	e.Cloud.CallAs(role(profile.Prod, bootstrapiam.BreakGlassRoleName))
	_, err = e.Destroy(ctx)
	require.NoError(t, err, "the break-glass role destroys prod")
	assert.Equal(t, owned, liveIDs(e.Cloud), "nothing is left but prod's bootstrap")
}

// Prod's deployer cannot move prod's data under a key of its own making. It
// may create a second key tagged for prod (the first deploy creates one the
// same way), but the table's move needs DynamoDB's grant on the new key,
// which KMS authorizes as the deployer's kms:CreateGrant and the prod
// guardrail refuses on every key but the one the environment's alias names;
// the audit bucket's own policy refuses its new encryption. Nothing moves.
func TestProdsDataCannotBeMovedUnderASecondKey(t *testing.T) {
	ctx := context.Background()
	e, _ := bootstrapped(t, profile.Prod)
	upAsTheDeployer(t, e, profile.Prod)
	before := keysOfData(t, e.Cloud)

	network := e.Programs["network"]
	e.Programs["network"] = func(ctx *pulumi.Context) error {
		if err := network(ctx); err != nil {
			return err
		}
		scope := iampolicy.Scope{Region: "us-east-1", Account: accountOf[profile.Prod]}
		second, err := kms.NewKey(ctx, "second", &kms.KeyArgs{
			Policy:                         pulumi.String(datapolicy.KeyPolicy(scope, naming.New("prod", fixture.ProdSuffix), role(profile.Prod, bootstrapiam.BreakGlassRoleName)).JSON()),
			BypassPolicyLockoutSafetyCheck: pulumi.Bool(true),
		})
		if err != nil {
			return err
		}
		ctx.Export(contract.KeyEnvironmentKeyArn, second.Arn)
		return nil
	}
	_, err := e.Run(ctx, OpUpdate, "network")
	require.NoError(t, err, "a second key tagged for prod can be created")
	_, err = e.Run(ctx, OpUpdate, "data")
	require.ErrorContains(t, err, awsfake.ErrAccessDenied.Error(), "the data layer cannot move under the second key")
	t.Logf("the move stopped at: %v", err)
	assert.Regexp(t, `kms:CreateGrant .*ProdGrantsOnlyOnTheEnvironmentKey|s3:PutEncryptionConfiguration .*OnlyBreakGlassWeakensTheAuditTrail`, err.Error())
	assert.Equal(t, before, keysOfData(t, e.Cloud), "the table and the audit bucket are still under the environment's key")
}

// keysOfData are the keys the stand-in's table and audit bucket are
// encrypted under.
func keysOfData(t *testing.T, cloud *awsfake.Cloud) map[string]string {
	t.Helper()
	out := map[string]string{}
	kmsArn := regexp.MustCompile(`arn:aws:kms:[^ \]]+`)
	for _, r := range cloud.Resources() {
		switch r.Type {
		case "aws:dynamodb/table:Table", "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2":
			out[r.Type] = kmsArn.FindString(fmt.Sprint(r.Inputs.Mappable()))
		}
	}
	require.Len(t, out, 2)
	return out
}

// In prod, someone adds a tag by hand to every taggable resource the layers
// created, the commonest console change. The read-only role's drift check
// finds it, and the deployer's revert (an update that refreshes first, as
// the revert-drift run does) takes every tag off again: each type's tag
// calls are allowed under prod's guardrails and its resources' own
// policies, not only its create.
func TestProdsHandTagsAreFoundAndRevertedAsThePipelineRoles(t *testing.T) {
	ctx := context.Background()
	e, owned := bootstrapped(t, profile.Prod)
	deployer, readOnly := role(profile.Prod, bootstrapiam.DeployerRoleName), role(profile.Prod, bootstrapiam.ReadOnlyRoleName)
	e.Cloud.CallAs(deployer)
	_, err := e.Up(ctx)
	require.NoError(t, err, "prod deploys as its deployer")

	tagged := map[string]bool{}
	for _, r := range e.Cloud.Resources() {
		if slices.Contains(owned, r.Type+" "+r.ID) || awstype.Untaggable(r.Type) || !r.Inputs["tags"].IsObject() {
			continue
		}
		require.NoError(t, e.Cloud.Edit(r.Type, r.Name, func(in resource.PropertyMap) {
			tags := in["tags"].ObjectValue().Copy()
			tags["EditedInTheConsole"] = resource.NewStringProperty("yes")
			in["tags"] = resource.NewObjectProperty(tags)
		}))
		tagged[awstype.Kind(r.Type)] = true
	}
	assert.Subset(t, slices.Collect(maps.Keys(tagged)), []string{"Table", "BucketV2", "Key", "Function", "LogGroup", "Topic", "MetricAlarm", "Vpc", "NatGateway", "Role"},
		"the hand tags reach the data, the key, the function, the logs, the alarms, the network and the roles")

	e.Cloud.CallAs(readOnly)
	found := refreshDrift(t, e)
	assert.True(t, found.Any(), "the read-only role's drift check finds the hand tags")

	e.Cloud.CallAs(deployer)
	for _, l := range []string{"network", "data", "compute", "observability"} {
		_, err := e.Run(ctx, OpUpdateRefreshing, l)
		require.NoError(t, err, "the deployer reverts %s's hand tags", l)
	}
	e.Cloud.CallAs(readOnly)
	assert.False(t, refreshDrift(t, e).Any(), "nothing has drifted after the revert")
	for _, r := range e.Cloud.Resources() {
		if r.Inputs["tags"].IsObject() {
			assert.NotContains(t, r.Inputs["tags"].ObjectValue(), resource.PropertyKey("EditedInTheConsole"), "%s %s", r.Type, r.Name)
		}
	}
	t.Logf("hand-tagged and reverted in prod: %d kinds (%s)", len(tagged), strings.Join(slices.Sorted(maps.Keys(tagged)), ", "))
}

// In prod, a change of each setting a deployment carries (an override in
// the layer's stack file, as an adopted hand change writes) is applied by
// the deployer, under prod's guardrails and its resources' own policies:
// the function's memory, timeout and log retention, the table's capacity,
// an alarm's threshold. The audit records' expiration is the break-glass
// role's (the audit bucket's own policy keeps its lifecycle from everyone
// else, docs/bootstrap.md), so the deployer's update of it is refused,
// naming the call, and the break-glass role's goes through.
func TestProdsSettingChangesAreAppliedByThePipelinesRoles(t *testing.T) {
	ctx := context.Background()
	e, _ := bootstrapped(t, profile.Prod)
	e.Root = copyStackFiles(t, func(_ profile.Environment, text string) string { return text })
	override := func(layer, key, value string) {
		t.Helper()
		stack := profile.StackFile(filepath.Join(e.Root, layer), string(profile.Prod))
		raw, err := os.ReadFile(stack)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(stack, append(raw, []byte("  payments:"+key+": "+value+"\n")...), 0o644))
	}
	upAsTheDeployer(t, e, profile.Prod)

	override("compute", profile.KeyFunctionMemoryMB, "3008")
	override("compute", profile.KeyFunctionTimeout, "15")
	override("compute", profile.KeyLogRetentionDays, "400")
	override("data", profile.KeyTableReadCapacity, "10")
	override("observability", profile.KeyFunctionErrorsAlarm, "2")
	for _, l := range []string{"data", "compute", "observability"} {
		_, err := e.Run(ctx, OpUpdateRefreshing, l)
		require.NoError(t, err, "prod's deployer applies %s's setting changes", l)
	}
	assert.Equal(t, 3008.0, liveMemory(t, e))
	live := func(typ, name, path string) any {
		t.Helper()
		for _, r := range e.Cloud.Resources() {
			if r.Type == typ && r.Name == name {
				return proppath.Get(r.Inputs.Mappable(), path)
			}
		}
		t.Fatalf("no live %s %s", typ, name)
		return nil
	}
	assert.EqualValues(t, 15, live(awstype.Function, "payment-processor", "timeout"))
	assert.EqualValues(t, 400, live(awstype.LogGroup, "payment-processor", "retentionInDays"))
	assert.EqualValues(t, 10, live(awstype.ScalingTarget, "transactions-table-read", "minCapacity"))
	assert.EqualValues(t, 2, live(awstype.MetricAlarm, "payment-processor-errors", "threshold"))

	override("data", profile.KeyAuditExpirationDays, "400")
	_, err := e.Run(ctx, OpUpdateRefreshing, "data")
	require.ErrorContains(t, err, awsfake.ErrAccessDenied.Error(), "the audit expiration is not the deployer's to change in prod")
	// The lifecycle and the lock that follows it are updated at once;
	// either is refused first.
	assert.Regexp(t, `s3:(PutLifecycleConfiguration|PutBucketObjectLockConfiguration) on resource arn:aws:s3:::audit-logs-prod-\S+ .*resource/OnlyBreakGlassWeakensTheAuditTrail`, err.Error())
	e.Cloud.CallAs(role(profile.Prod, bootstrapiam.BreakGlassRoleName))
	_, err = e.Run(ctx, OpUpdateRefreshing, "data")
	require.NoError(t, err, "the break-glass role changes prod's audit expiration")
	assert.EqualValues(t, 400, live(awstype.BucketLifecycle, "audit-logs", "rules[0].expiration.days"))
}
