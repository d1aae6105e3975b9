// Package live holds the live test tier: the deployment code through the
// real Pulumi CLI, against the in-memory AWS served to the CLI over gRPC
// (PULUMI_DEBUG_PROVIDERS) and a local STS answer for the account check.
package live

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/awsfake"
	"github.com/acmepay/platform/internal/bootstrap"
	"github.com/acmepay/platform/internal/deploy"
	"github.com/acmepay/platform/internal/deploy/automation"
	"github.com/acmepay/platform/internal/doccheck"
	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/internal/moto"
	"github.com/acmepay/platform/internal/plan"
	"github.com/acmepay/platform/internal/programs"
	"github.com/acmepay/platform/internal/recovery"
	"github.com/acmepay/platform/internal/statebackend"
	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

// findCLI puts a Pulumi CLI on PATH: the user's, else the one shipped beside
// the repository in ../shared/bin; "" when there is neither.
func findCLI(t testing.TB) string {
	t.Helper()
	if path, err := exec.LookPath("pulumi"); err == nil {
		return path
	}
	shared, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "bin"))
	require.NoError(t, err)
	if _, err := os.Stat(filepath.Join(shared, "pulumi")); err != nil {
		return ""
	}
	t.Setenv("PATH", shared+string(os.PathListSeparator)+os.Getenv("PATH"))
	return filepath.Join(shared, "pulumi")
}

// requireCLI skips the test without a Pulumi CLI, or under -short.
func requireCLI(t testing.TB) {
	t.Helper()
	if findCLI(t) == "" {
		t.Skip("no Pulumi CLI: none on PATH and none in ../shared/bin; the live tier runs the deployment through the real CLI")
	}
	if testing.Short() {
		t.Skip("-short: the live tier takes minutes")
	}
}

// stackFiles copies every layer's project and stack files, and the
// bootstrap project's, into a new root: creating a stack writes its
// encryption salt into the stack file, which must not touch the repository.
func stackFiles(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, layer := range append(contract.Layers(), bootstrapiam.Project) {
		require.NoError(t, os.MkdirAll(filepath.Join(root, layer), 0o755))
		names := []string{"Pulumi.yaml"}
		for _, env := range profile.Environments() {
			names = append(names, "Pulumi."+string(env)+".yaml")
		}
		if layer == bootstrapiam.Project {
			names = append(names, "Pulumi."+bootstrapiam.ToolingStack+".yaml")
		}
		for _, name := range names {
			raw, err := os.ReadFile(filepath.Join("..", "..", layer, name))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(root, layer, name), raw, 0o644))
		}
	}
	return root
}

// planned lists the AWS resources (type and logical name) of an
// environment's committed planned manifest.
func planned(t *testing.T, env string) []string {
	t.Helper()
	m, err := manifest.ReadPlanned("../..", env)
	require.NoError(t, err)
	var out []string
	for _, l := range m.Layers {
		for _, r := range l.Resources {
			if strings.HasPrefix(r.Type, "aws:") {
				out = append(out, r.Type+" "+r.LogicalName)
			}
		}
	}
	sort.Strings(out)
	return out
}

func live(cloud *awsfake.Cloud) []string {
	var out []string
	for _, r := range cloud.Resources() {
		out = append(out, r.Type+" "+r.Name)
	}
	sort.Strings(out)
	return out
}

// standIn serves a fresh stand-in account to the CLI and points the
// environment at it and at a new file backend; it skips without a CLI.
func standIn(t *testing.T) *awsfake.Cloud {
	t.Helper()
	requireCLI(t)
	a := serveAccount(t, fixture.DevAccount)
	state := t.TempDir()
	for k, v := range map[string]string{
		"PULUMI_HOME": t.TempDir(), "PULUMI_BACKEND_URL": "file://" + state, "PULUMI_CONFIG_PASSPHRASE": "live-tier",
		"PULUMI_SKIP_UPDATE_CHECK": "1", "PULUMI_DEBUG_PROVIDERS": "aws:" + strconv.Itoa(a.provider),
		"AWS_ENDPOINT_URL_STS": "http://" + a.sts, "AWS_ENDPOINT_URL_SSM": "http://" + a.sts, "AWS_ACCESS_KEY_ID": "AKIAAWSFAKE", "AWS_SECRET_ACCESS_KEY": "awsfake",
		// The stand-in serves the aws provider: the CLI must not go and
		// fetch the plugin (a DNS timeout offline on every operation).
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "",
	} {
		t.Setenv(k, v)
	}
	return a.cloud
}

// deployment is what `mage deploy:env` builds: the deployment code over the
// Automation API and the CLI, guarded by the state backend's locks and
// pending operations.
type deployment struct {
	d      *deploy.Deployer
	runner *automation.Automation
	check  recovery.Checker
}

func newDeployment(root string, out io.Writer) (*deployment, error) {
	runner, err := automation.New(root, os.LookupEnv)
	if err != nil {
		return nil, err
	}
	runner.Programs = programs.ByLayer()
	runner.Command = &automation.Command{}
	store, err := statebackend.Open(context.Background(), runner.Backend)
	if err != nil {
		return nil, err
	}
	host, err := statebackend.ThisHost()
	if err != nil {
		return nil, err
	}
	check := recovery.Checker{Locks: store, States: recovery.BackendStates{Store: store}, Host: host, Layers: contract.Layers()}
	d := &deploy.Deployer{Root: root, Graph: contract.Graph(), Runner: runner, Guard: check, Identity: deploy.STSIdentity{Region: "us-east-1"},
		Bootstrap: deploy.SSMBootstrap{}, CLI: automation.PulumiCLI{}, Out: out, Now: time.Now}
	return &deployment{d: d, runner: runner, check: check}, nil
}

// TestDevThroughThePulumiCLI follows docs/bootstrap.md to bootstrap dev's
// account and the tooling account as their administrators, and moves the
// bootstrap stacks' state into the state bucket. Then, as the pipeline's
// roles, with dev's state in the tooling account's bucket (every state call
// evaluated under the documents bootstrap wrote), it deploys dev through the
// deployment code and the real CLI, deploys again (nothing changes), finds a
// console edit with the drift check (the read-only role), puts it back (the
// deployer), destroys to the bootstrap, and follows the page's teardown,
// which leaves nothing.
func TestDevThroughThePulumiCLI(t *testing.T) {
	root := stackFiles(t)
	o := newOrg(t, root)
	cloud := o.dev.cloud
	out := &bytes.Buffer{}
	ctx := context.Background()
	timed := func(name string, f func() error) {
		t.Helper()
		start := time.Now()
		err := f()
		t.Logf("%s: %s", name, time.Since(start).Round(100*time.Millisecond))
		require.NoError(t, err, out.String())
	}
	deployment := func(key, backend string) (*deploy.Deployer, *automation.Automation) {
		t.Helper()
		o.as(t, o.dev, key)
		t.Setenv("PULUMI_BACKEND_URL", backend)
		dep, err := newDeployment(root, out)
		require.NoError(t, err)
		return dep.d, dep.runner
	}

	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "live-tier")
	d, _ := deployment(adminKey, o.backend("dev"))
	_, err := d.Run(ctx, stage.Up, "dev")
	require.ErrorIs(t, err, deploy.ErrNotBootstrapped, "an account nobody bootstrapped is refused")
	require.NoError(t, os.Unsetenv("PULUMI_BACKEND_URL"))
	assert.Empty(t, cloud.Resources(), "before anything is touched")

	start := time.Now()
	page := o.guide(t, root, "docs/bootstrap.md", map[string]string{"<bucket>": o.pipe.StateBucket, "<directory>": t.TempDir()})
	target := func(names ...string) func(doccheck.Command) bool {
		return func(c doccheck.Command) bool {
			m, ok := doccheck.ParseMage(c.Text)
			return strings.HasPrefix(c.Text, "export ") || (ok && slices.Contains(names, m.Target))
		}
	}
	ran := page.follow(t, ctx, target("bootstrap:policies", "bootstrap:statePolicies", "bootstrap:env", "bootstrap:state"))
	o.createBucket(t) // as the tooling account's bootstrap makes it exist in AWS
	// The move into the bucket, not the teardown's out of it.
	into := func(c doccheck.Command) bool {
		return target("bootstrap:moveState")(c) && strings.Contains(c.Text, "BOOTSTRAP_STATE=s3://")
	}
	ran = append(ran, page.follow(t, ctx, into)...)
	t.Logf("bootstrap, following docs/bootstrap.md: %s", time.Since(start).Round(100*time.Millisecond))
	require.Equal(t, []string{
		"go run mage.go bootstrap:policies prod     # dist/bootstrap/prod/*.json",
		"go run mage.go bootstrap:statePolicies     # dist/bootstrap/tooling/*.json",
		"export PULUMI_CONFIG_PASSPHRASE='<the bootstrap passphrase>'",
		"AWS_PROFILE=<dev-admin> go run mage.go bootstrap:env dev",
		"AWS_PROFILE=<tooling-admin> go run mage.go bootstrap:state",
		"BOOTSTRAP_STATE=s3://<bucket>/bootstrap AWS_PROFILE=<tooling-admin> go run mage.go bootstrap:moveState",
	}, ran, "the steps of docs/bootstrap.md that run against the stand-in, in order")
	bootstrapped := live(cloud)
	assert.Contains(t, bootstrapped, "aws:iam/role:Role deployer")
	assert.Contains(t, bootstrapped, "aws:iam/policy:Policy permissions-boundary-dev-"+fixture.DevSuffix)
	assert.NotEmpty(t, o.tooling.cloud.Resources(), "the tooling account holds the state bucket and key")

	// A backend the state bucket's policy does not give dev is refused.
	d, _ = deployment(deployerKey, o.backend("staging"))
	_, err = d.Run(ctx, stage.Up, "dev")
	require.ErrorIs(t, err, bootstrapiam.ErrStateOutsidePolicy)
	assert.Equal(t, bootstrapped, live(cloud), "refused before anything is touched")
	// Nothing of the deployer's reaches the bootstrap stacks' state or
	// another environment's.
	for _, object := range []string{"bootstrap/.pulumi/stacks/bootstrap/dev.json", "staging/.pulumi/stacks/network/staging.json"} {
		err := o.putObject(deployerKey, object)
		require.Error(t, err, object)
		assert.Contains(t, err.Error(), devDeployer+" is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::"+fixture.StateBucket+"/"+object)
	}

	// From here on the pipeline's roles run dev, as CI runs it: every API
	// call the provider makes is evaluated under the role's live documents,
	// and so is every call to dev's state in the tooling account.
	// The offline plan of dev, for comparison with the deployments' times
	// below (README, docs/operations.md).
	timed("offline plan", func() error {
		_, err := plan.Run(ctx, plan.Options{Root: filepath.Join("..", ".."), Env: "dev", Out: io.Discard, ManifestDir: "-", CostDir: "-"})
		return err
	})
	setMemory := func(mb string) {
		t.Helper()
		require.NoError(t, profile.SetStackValue(filepath.Join(root, "compute", "Pulumi.dev.yaml"), "payments:lambdaMemoryMb", mb))
	}
	memory := func() float64 {
		for _, r := range cloud.Resources() {
			if r.Type == "aws:lambda/function:Function" {
				return r.Inputs["memorySize"].NumberValue()
			}
		}
		return 0
	}
	// The three deployments the README times, as the deployer with the
	// state in backend: the first, one that changes nothing, and one that
	// changes one setting of one layer (the function's memory, to mb).
	threeDeploys := func(backend, label, mb string, also func()) {
		t.Helper()
		deployment := func(key, backend string) (*deploy.Deployer, *automation.Automation) {
			d, r := deployment(key, backend)
			if also != nil {
				also()
			}
			return d, r
		}
		d, _ := deployment(deployerKey, backend)
		var first deploy.Report
		timed("first deploy"+label, func() (err error) { first, err = d.Run(ctx, stage.Up, "dev"); return })
		for _, l := range first.Layers {
			assert.NotZero(t, l.Changes["create"], "layer %s created nothing", l.Layer)
		}
		assert.Equal(t, planned(t, "dev"), without(live(cloud), bootstrapped), "the account holds exactly what the offline plan says dev has, beside its bootstrap")

		d, _ = deployment(deployerKey, backend)
		var second deploy.Report
		out.Reset()
		timed("second deploy"+label, func() (err error) { second, err = d.Run(ctx, stage.Up, "dev"); return })
		t.Logf("the deploy that changes nothing%s, layer by layer:\n%s", label, out.String())
		for _, l := range second.Layers {
			for kind, n := range l.Changes {
				assert.True(t, kind == "same", "%s: a second deploy changes nothing, got %s=%d", l.Layer, kind, n)
			}
			assert.Contains(t, out.String(), "["+l.Layer+"] no changes: not updated", "its preview is empty, so the layer is not updated")
		}

		// One setting of one layer: only that layer is updated, held to
		// the plan the deployment showed.
		setMemory(mb)
		d, _ = deployment(deployerKey, backend)
		var third deploy.Report
		out.Reset()
		timed("one-setting deploy"+label, func() (err error) { third, err = d.Run(ctx, stage.Up, "dev"); return })
		t.Logf("the one-setting deploy's output%s:\n%s", label, out.String())
		for _, l := range third.Layers {
			if l.Layer == "compute" {
				assert.Equal(t, stage.Changes{"update": 1, "same": l.Changes["same"]}, l.Changes, "compute updates its function")
				continue
			}
			assert.Contains(t, out.String(), "["+l.Layer+"] no changes: not updated")
		}
		assert.Regexp(t, `compute\s+0\s+1\s+0\s+0\s+none\s+update=1, outputs change: inventory\n`, out.String(), "the plan's table, before anything changed")
		assert.Regexp(t, `observability\s+0\s+0\s+0\s+0\s+none\s+no changes\n`, out.String(), "compute's inventory is read by no layer: observability's plan stands")
		assert.EqualValues(t, mb, fmt.Sprint(memory()))
	}
	threeDeploys(o.backend("dev"), "", "768", nil)
	// deploy:env builds its manifest from the state bucket directly
	// (statebackend.Reader): each layer's resources and last update read
	// that way are what the CLI's `stack export` and `stack history` say.
	_, cli := deployment(readOnlyKey, o.backend("dev"))
	store, err := statebackend.Open(ctx, o.backend("dev"))
	require.NoError(t, err)
	direct := statebackend.Reader{Inspector: cli, Store: store, Depth: automation.HistoryDepth}
	for _, l := range contract.Graph() {
		viaCLI, err := cli.State(ctx, l, "dev")
		require.NoError(t, err)
		read, err := direct.State(ctx, l, "dev")
		require.NoError(t, err)
		assert.Equal(t, viaCLI, read, "%s: the checkpoint read directly is what `pulumi stack export` gives", l.Name)
		lastCLI, err := cli.LastUpdate(ctx, l, "dev")
		require.NoError(t, err)
		lastRead, err := direct.LastUpdate(ctx, l, "dev")
		require.NoError(t, err)
		require.NotNil(t, lastRead, l.Name)
		assert.Equal(t, lastCLI, lastRead, "%s: the last update read directly is what `pulumi stack history` gives", l.Name)
	}
	require.NoError(t, store.Close())
	o.as(t, o.dev, adminKey)
	t.Setenv("PULUMI_BACKEND_URL", o.backend(bootstrapiam.BootstrapPrefix))
	err = bootstrap.Destroy(ctx, "dev", bootstrap.Options{Root: root, Command: &automation.Command{}, Lookup: os.LookupEnv, Out: out})
	require.ErrorIs(t, err, bootstrap.ErrLayersRemain, "the bootstrap outlives the environment it serves")
	assert.Contains(t, err.Error(), "network: aws:ec2/vpc:Vpc vpc")

	// An approved plan: the read-only role saves dev's plan (as the
	// pipeline's plan job does), and the deployer applies exactly it.
	setMemory("896")
	d, runner := deployment(readOnlyKey, o.backend("dev"))
	files, err := deploy.PlanInputs(root, "dev", contract.Graph())
	require.NoError(t, err)
	inputs := deploy.Inputs{Commit: "the live tier's commit", Files: files}
	approved := filepath.Join(t.TempDir(), "dev.json")
	out.Reset()
	timed("plan:live as the read-only role", func() error { _, err := d.SavePlan(ctx, "dev", runner, inputs, approved); return err })
	assert.EqualValues(t, 768, memory(), "a saved plan changes nothing")
	d, runner = deployment(deployerKey, o.backend("dev"))
	d.Inputs = func(profile.Environment) (deploy.Inputs, error) { return inputs, nil }
	d.PlanFile = approved
	out.Reset()
	timed("deploy of the approved plan", func() error { _, err := d.Run(ctx, stage.Up, "dev"); return err })
	assert.EqualValues(t, 896, memory())
	assert.Contains(t, out.String(), "applying the plan of dev made at")
	assert.Contains(t, out.String(), "[network] no changes: not updated")
	_, err = d.Run(ctx, stage.Up, "dev")
	require.ErrorIs(t, err, deploy.ErrStalePlan, "applied once, the plan is of a state that has moved")
	assert.Contains(t, err.Error(), "the state of compute changed since the plan was made")

	// The CLI holds an update to its saved plan: code that moved after the
	// plan fails the update, and nothing changes.
	compute := contract.Graph()[2]
	require.Equal(t, "compute", compute.Name)
	saved := filepath.Join(t.TempDir(), "compute.plan.json")
	_, err = runner.PlanLayer(ctx, compute, "dev", saved, io.Discard)
	require.NoError(t, err)
	setMemory("1024")
	var held bytes.Buffer
	_, err = runner.ApplyPlan(ctx, compute, "dev", saved, &held)
	require.Error(t, err, "the update is held to the plan")
	t.Logf("an update the code moved under: %v\n%s", err, held.String())
	assert.Contains(t, held.String(), "memorySize")
	assert.EqualValues(t, 896, memory(), "nothing changed")
	setMemory("896")

	// handChangeFound sets the function's memory by hand and has the
	// read-only role's drift check, with dev's state at backend, find it.
	handChangeFound := func(backend, label string, also func()) {
		t.Helper()
		require.NoError(t, cloud.Edit("aws:lambda/function:Function", "payment-processor", func(in resource.PropertyMap) {
			in["memorySize"] = resource.NewNumberProperty(128)
		}))
		d, runner = deployment(readOnlyKey, backend)
		also()
		timed("drift check"+label, func() error {
			report, err := d.Drift(ctx, "dev", runner)
			if err == nil {
				require.Len(t, report.Drifted, 1)
				assert.Equal(t, "memorySize", report.Drifted[0].Properties[0].Path)
			}
			return err
		})
	}
	handChangeFound(o.backend("dev"), "", func() {})
	_, _, err = d.Revert(ctx, "dev", runner)
	require.ErrorContains(t, err, "AccessDenied", "the read-only role cannot put it back")
	t.Logf("the read-only role's revert: %v", err)
	d, runner = deployment(deployerKey, o.backend("dev"))
	timed("revert", func() error { _, _, err := d.Revert(ctx, "dev", runner); return err })
	timed("destroy", func() error { _, err := d.Run(ctx, stage.Destroy, "dev"); return err })
	assert.Equal(t, bootstrapped, live(cloud), "destroy leaves nothing in the account but its bootstrap")

	// (The same deployments with a local file backend run in
	// TestTheGuidesAsWritten, as docs/first-deploy.md has a newcomer run
	// them, and in BenchmarkDeploy, which times them.)

	// The same deployments, a drift check and a destroy with dev's state in
	// moto's S3, an implementation nobody here wrote (versioned, encrypted
	// by default, every request signed), and the preflight's STS and SSM
	// answers from moto too (dev's account, its bootstrap version). The
	// provider's calls and the quota reads moto does not serve (Lambda's
	// account settings) stay with the stand-in; moto evaluates no IAM, so
	// the roles' grants on their state are the bucket runs' above.
	m := moto.Start(t, fixture.DevAccount)
	mcfg := m.DefaultConfig()
	ms3 := s3.NewFromConfig(mcfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err = ms3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(o.pipe.StateBucket)})
	require.NoError(t, err)
	_, err = ms3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(o.pipe.StateBucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	require.NoError(t, err)
	_, err = ms3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(o.pipe.StateBucket),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{
			{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}}}}})
	require.NoError(t, err)
	_, err = ssm.NewFromConfig(mcfg).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(bootstrapiam.VersionParameter),
		Value: aws.String(fmt.Sprint(bootstrapiam.Version)), Type: ssmtypes.ParameterTypeString})
	require.NoError(t, err)
	viaMoto := func() {
		t.Setenv("AWS_ENDPOINT_URL_STS", m.URL)
		t.Setenv("AWS_ENDPOINT_URL_SSM", m.URL)
	}
	inMoto := strings.Replace(o.backend("dev"), url.QueryEscape(o.endpoint), url.QueryEscape(m.URL), 1)
	require.NotEqual(t, o.backend("dev"), inMoto)
	threeDeploys(inMoto, " (state in moto)", "1280", viaMoto)
	handChangeFound(inMoto, " (state in moto)", viaMoto)
	d, runner = deployment(deployerKey, inMoto)
	viaMoto()
	timed("revert (state in moto)", func() error { _, _, err := d.Revert(ctx, "dev", runner); return err })
	timed("destroy (state in moto)", func() error { _, err := d.Run(ctx, stage.Destroy, "dev"); return err })
	assert.Equal(t, bootstrapped, live(cloud))
	key := "dev/.pulumi/stacks/compute/dev.json"
	versions, err := ms3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(o.pipe.StateBucket), Prefix: aws.String(key)})
	require.NoError(t, err)
	own := 0
	for _, v := range versions.Versions {
		if aws.ToString(v.Key) == key {
			own++
		}
	}
	assert.GreaterOrEqual(t, own, 4, "compute's state in moto is versioned: every update kept its earlier state")

	// The page's teardown, with the bootstrap stacks' state in the bucket.
	t.Setenv("PULUMI_BACKEND_URL", o.backend(bootstrapiam.BootstrapPrefix))
	ran = page.follow(t, ctx, target("bootstrap:destroy", "bootstrap:moveState", "bootstrap:destroyState"))
	require.Equal(t, []string{
		"AWS_PROFILE=<dev-admin> go run mage.go bootstrap:destroy dev       # refused while dev's layers hold resources, naming them",
		"PULUMI_BACKEND_URL=s3://<bucket>/bootstrap BOOTSTRAP_STATE=file://<directory> AWS_PROFILE=<tooling-admin> go run mage.go bootstrap:moveState",
		"PULUMI_BACKEND_URL=file://<directory> AWS_PROFILE=<tooling-admin> go run mage.go bootstrap:destroyState",
	}, ran)
	assert.Empty(t, cloud.Resources(), "and the bootstrap's teardown leaves nothing")
	assert.Empty(t, o.tooling.cloud.Resources(), "nor the tooling account's, the state bucket and key included")
	page.allRan(t)
}

// bootstrapAccount runs `bootstrap:env dev` through the CLI, as the
// account's administrator, and returns the bootstrapper for its teardown.
func bootstrapAccount(t *testing.T, ctx context.Context, root string, out io.Writer) *bootstrap.Bootstrapper {
	t.Helper()
	admin, closeStore, err := bootstrap.New(ctx, root, "dev", &automation.Command{}, out)
	require.NoError(t, err)
	t.Cleanup(func() { _ = closeStore() })
	admin.Identity = deploy.STSIdentity{Region: "us-east-1"}
	start := time.Now()
	require.NoError(t, admin.Env(ctx, stage.Up, "dev"))
	t.Logf("bootstrap: %s", time.Since(start).Round(100*time.Millisecond))
	return admin
}

// without is list less every entry of drop.
func without(list, drop []string) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(drop, s) {
			out = append(out, s)
		}
	}
	return out
}
