package offline

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/santhosh-tekuri/jsonschema/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/deploy"
	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/internal/gittest"
	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

const commit = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

// The in-process runner leaves excepted drift as it is, as the deployer
// asks of its runner (the package itself does not import the deployer).
var _ deploy.DriftIgnorer = Runner{}

// account and cli stand in for STS and the Pulumi CLI check of the
// deployment's preflight.
type account string

func (a account) AccountID(context.Context) (string, error) { return string(a), nil }

// CallerArn is a session of the account's break-glass role: the one caller
// that may destroy prod or lose its data.
func (a account) CallerArn(context.Context) (string, error) {
	return "arn:aws:sts::" + string(a) + ":assumed-role/payments-break-glass/alice", nil
}

type cli struct{}

func (cli) Check(context.Context) (string, error) { return "v3.274.1 (in-process engine)", nil }

// deployed runs the deployment code (deploy.Deployer, as `mage deploy:env`
// does) over env through the real engine, and returns it ready for more.
func deployed(t *testing.T, env profile.Environment) (*Env, *deploy.Deployer, Runner, *bytes.Buffer) {
	t.Helper()
	e := newEnv(t, env)
	out := &bytes.Buffer{}
	r := Runner{Env: e, Commit: commit}
	d := &deploy.Deployer{
		Root: e.Root, Graph: contract.Graph(), Runner: r,
		Identity: account(e.Profile.AccountID), CLI: cli{}, Out: out, Now: time.Now,
	}
	_, err := d.Run(context.Background(), stage.Up, string(env))
	require.NoError(t, err, out.String())
	return e, d, r, out
}

func liveMemory(t *testing.T, e *Env) float64 {
	t.Helper()
	for _, r := range e.Cloud.Resources() {
		if r.Type == "aws:lambda/function:Function" {
			return r.Inputs["memorySize"].NumberValue()
		}
	}
	t.Fatal("no function in the account")
	return 0
}

// The runbook for drift, through the deployment code and the real engine:
// the drift check names the console edits; a deployment of prod stops before
// putting them back unseen; one told to (REVERT_DRIFT=prod) puts them back
// (it refreshes first, so it sees them), and the next check is clean.
func TestDeploymentRevertsConsoleEdits(t *testing.T) {
	ctx := context.Background()
	e, d, r, out := deployed(t, profile.Prod)

	require.NoError(t, e.Cloud.Edit("aws:lambda/function:Function", "payment-processor", func(in resource.PropertyMap) {
		in["memorySize"] = resource.NewNumberProperty(128)
	}))
	require.NoError(t, e.Cloud.Remove("aws:ec2/route:Route", "vpc-private-2-default"))

	report, err := d.Drift(ctx, "prod", r)
	require.NoError(t, err)
	kinds := map[string]string{}
	for _, res := range report.Drifted {
		kinds[res.Name] = res.Kind
	}
	assert.Equal(t, map[string]string{"payment-processor": drift.Modified, "vpc-private-2-default": drift.Deleted}, kinds)

	out.Reset()
	_, err = d.Run(ctx, stage.Up, "prod")
	require.ErrorIs(t, err, deploy.ErrDrift)
	assert.Contains(t, err.Error(), "payment-processor")
	assert.Contains(t, err.Error(), "vpc-private-2-default")
	assert.Equal(t, 128.0, liveMemory(t, e), "nothing was put back")

	d.RevertDrift = "prod"
	deployed, err := d.Run(ctx, stage.Up, "prod")
	require.NoError(t, err, out.String())
	assert.Equal(t, stage.Changes{"create": 1}, deployed.Layer("network").Changes, "the deleted route is recreated")
	assert.Equal(t, stage.Changes{"update": 1}, deployed.Layer("compute").Changes, "the memory is set back")
	assert.Equal(t, 2048.0, liveMemory(t, e))

	report, err = d.Drift(ctx, "prod", r)
	require.NoError(t, err)
	assert.False(t, report.Any(), "no drift after the deployment: %+v", report.Drifted)
}

// The deployed manifest, through the deployment code and the real engine's
// state: valid against the published schema, carrying ids and each layer's
// last update, and byte-identical when generated twice.
func TestDeployedManifestFromEngineState(t *testing.T) {
	ctx := context.Background()
	_, d, r, _ := deployed(t, profile.Prod)

	prov := manifest.Provenance{SourceCommit: commit, Backend: "file:///state"}
	m, err := d.Manifest(ctx, "prod", r, prov)
	require.NoError(t, err)
	first, err := m.JSON()
	require.NoError(t, err)
	again, err := d.Manifest(ctx, "prod", r, prov)
	require.NoError(t, err)
	second, err := again.JSON()
	require.NoError(t, err)
	assert.Equal(t, string(first), string(second), "two generations of an unchanged environment are byte-identical")

	c := jsonschema.NewCompiler()
	c.AssertFormat = true
	schema, err := c.Compile(filepath.Join("../..", "docs", "manifest.schema.json"))
	require.NoError(t, err)
	var doc any
	require.NoError(t, json.Unmarshal(first, &doc))
	assert.NoError(t, schema.Validate(doc))

	assert.Equal(t, manifest.Deployed, m.Status)
	require.NotNil(t, m.Policy)
	assert.Zero(t, m.Policy.Summary.Failed)
	for _, l := range m.Layers {
		assert.Equal(t, &manifest.Deployment{Version: 1, Commit: commit, Result: "succeeded"}, l.Deployment, l.Name)
		for _, res := range l.Resources {
			if res.Type == "aws:dynamodb/table:Table" {
				assert.Equal(t, "transactions-prod-"+fixture.ProdSuffix, res.ID, "a deployed manifest carries ids")
			}
		}
	}
}

// Drift an exception covers is left as it is by a deploy, through the real
// engine: the update ignores the excepted property (the refresh records the
// live value), so later deploys keep it too. Once the exception is removed,
// the code's value is a change like any other: the next deploy's summary
// shows the update that puts it back.
func TestADeployLeavesExceptedDriftAsItIs(t *testing.T) {
	ctx := context.Background()
	e, d, _, out := deployed(t, profile.Prod)
	require.NoError(t, e.Cloud.Edit("aws:lambda/function:Function", "payment-processor", func(in resource.PropertyMap) {
		in["memorySize"] = resource.NewNumberProperty(4096)
	}))
	d.Exceptions = []drift.Exception{{Environment: "prod", Type: "aws:lambda/function:Function", Name: "payment-processor", Property: "memorySize",
		Reason: "INC-4711: more memory until the fix ships", Approver: "alice", Expires: "2099-01-31"}}
	for i := range 2 {
		out.Reset()
		report, err := d.Run(ctx, stage.Up, "prod")
		require.NoError(t, err, out.String())
		if i == 0 {
			assert.Contains(t, out.String(), "left as it is (excepted until 2099-01-31): compute aws:lambda/function:Function payment-processor memorySize")
		}
		for _, l := range report.Layers {
			assert.Equal(t, "-", l.Changes.String(), "deploy %d: %s changes nothing", i+1, l.Layer)
		}
		assert.Equal(t, 4096.0, liveMemory(t, e), "deploy %d: the excepted hand change stays", i+1)
	}

	d.Exceptions = nil
	report, err := d.Run(ctx, stage.Up, "prod")
	require.NoError(t, err, out.String())
	assert.Equal(t, stage.Changes{"update": 1}, report.Layer("compute").Changes, "the update that puts the code's value back is in the summary")
	assert.Equal(t, 2048.0, liveMemory(t, e))
}

// Through the real engine: a second deployment of an unchanged environment
// previews each layer and updates none; after a setting of one layer
// changes, only that layer is updated.
func TestAnUnchangedLayerIsNotUpdated(t *testing.T) {
	ctx := context.Background()
	e, err := New(t, gittest.Clone(t, "../.."), profile.Dev) // its stack file changes below
	require.NoError(t, err)
	out := &bytes.Buffer{}
	d := &deploy.Deployer{Root: e.Root, Graph: contract.Graph(), Runner: Runner{Env: e, Commit: commit},
		Identity: account(e.Profile.AccountID), CLI: cli{}, Out: out, Now: time.Now}
	_, err = d.Run(ctx, stage.Up, "dev")
	require.NoError(t, err, out.String())
	for _, l := range contract.Graph() {
		require.Equal(t, 1, e.updates[l.Name], "%s was deployed once", l.Name)
	}
	out.Reset()
	_, err = d.Run(ctx, stage.Up, "dev")
	require.NoError(t, err, out.String())
	for _, l := range contract.Graph() {
		assert.Equal(t, 1, e.updates[l.Name], "%s: nothing changed, so no update", l.Name)
		assert.Contains(t, out.String(), "["+l.Name+"] no changes: not updated")
	}

	stack := filepath.Join(e.Root, "compute", "Pulumi.dev.yaml")
	raw, err := os.ReadFile(stack)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(stack, append(raw, []byte("  payments:lambdaMemoryMb: 1024\n")...), 0o644))
	out.Reset()
	_, err = d.Run(ctx, stage.Up, "dev")
	require.NoError(t, err, out.String())
	assert.Equal(t, 2, e.updates["compute"], "the changed layer is updated")
	for _, l := range []string{"network", "data", "observability"} {
		assert.Equal(t, 1, e.updates[l], "%s is not", l)
	}
	assert.Equal(t, 1024.0, liveMemory(t, e))
	assert.Regexp(t, `compute\s+0\s+1\s+0\s+0\s+none\s+update=1, outputs change: inventory\nobservability\s+0\s+0\s+0\s+0\s+none\s+no changes\n`, out.String(),
		"the plans come first; compute's inventory is read by no layer, so observability's plan stands")

	// An update is held to its plan: code that moved after the plan fails
	// it, and nothing changes.
	r := Runner{Env: e, Commit: commit}
	compute := contract.Graph()[2]
	saved := filepath.Join(t.TempDir(), "compute.plan")
	_, err = r.PlanLayer(ctx, compute, "dev", saved, &bytes.Buffer{})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(stack, append(raw, []byte("  payments:lambdaMemoryMb: 2048\n")...), 0o644))
	_, err = r.ApplyPlan(ctx, compute, "dev", saved, &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "violates plan")
	assert.Contains(t, err.Error(), "memorySize")
	assert.Equal(t, 1024.0, liveMemory(t, e), "nothing changed")
	assert.Equal(t, 2, e.updates["compute"])
}

// An approved plan is what is applied: plan:live's file of dev, made in a
// clone at a commit, applied exactly; refused, before anything changes,
// when the environment, the commit, a stack file or a layer's state has
// moved since, when it is too old, or when it is corrupt or truncated.
func TestAnApprovedPlanIsAppliedExactlyOrRefused(t *testing.T) {
	ctx := context.Background()
	root := gittest.Clone(t, "../..")
	e, err := New(t, root, profile.Dev)
	require.NoError(t, err)
	out := &bytes.Buffer{}
	now := time.Now()
	r := Runner{Env: e, Commit: commit}
	d := &deploy.Deployer{Root: root, Graph: contract.Graph(), Runner: r, Identity: account(e.Profile.AccountID), CLI: cli{}, Out: out,
		Now: func() time.Time { return now }}
	head := func() string { return gittest.Git(t, root, "rev-parse", "HEAD") }
	d.Inputs = func(env profile.Environment) (deploy.Inputs, error) {
		files, err := deploy.PlanInputs(root, env, d.Graph)
		return deploy.Inputs{Commit: head(), Files: files}, err
	}
	_, err = d.Run(ctx, stage.Up, "dev")
	require.NoError(t, err, out.String())

	// One setting changes, committed; the plan is saved and applied.
	stack := filepath.Join(root, "compute", "Pulumi.dev.yaml")
	require.NoError(t, profile.SetStackValue(stack, "payments:lambdaMemoryMb", "1024"))
	gittest.Commit(t, root, "compute: dev gets 1024 MB")
	save := func() string {
		t.Helper()
		path := filepath.Join(t.TempDir(), "dev.json")
		in, err := d.Inputs(profile.Dev)
		require.NoError(t, err)
		out.Reset()
		_, err = d.SavePlan(ctx, "dev", r, in, path)
		require.NoError(t, err, out.String())
		return path
	}
	path := save()
	assert.Equal(t, 512.0, liveMemory(t, e), "saving a plan changes nothing")
	pf, err := deploy.ReadPlanFile(path)
	require.NoError(t, err)
	require.Len(t, pf.Layers, 4)
	assert.Equal(t, head(), pf.Commit)
	assert.Equal(t, stage.Changes{"update": 1}, pf.Layers[2].Changes)
	assert.True(t, pf.Layers[0].Empty)
	assert.NotEmpty(t, pf.Layers[2].State)

	apply := func(path string) (deploy.Report, error) {
		t.Helper()
		d.PlanFile = path
		defer func() { d.PlanFile = "" }()
		out.Reset()
		return d.Run(ctx, stage.Up, "dev")
	}
	// What moved is named, and nothing is touched.
	refused := func(path, want string) {
		t.Helper()
		before := map[string]int{}
		for k, v := range e.updates {
			before[k] = v
		}
		_, err := apply(path)
		require.ErrorIs(t, err, deploy.ErrStalePlan)
		assert.Contains(t, err.Error(), want)
		assert.Equal(t, before, e.updates, "nothing was updated")
		assert.Equal(t, 512.0, liveMemory(t, e))
	}
	write := func(pf deploy.PlanFile) string {
		raw, err := json.Marshal(pf)
		require.NoError(t, err)
		p := filepath.Join(t.TempDir(), "plan.json")
		require.NoError(t, os.WriteFile(p, raw, 0o600))
		return p
	}
	other := pf
	other.Environment = "staging"
	refused(write(other), "it is a plan of staging, not dev")
	old := pf
	old.Created = now.Add(-13 * time.Hour)
	refused(write(old), "it is 13h0m0s old, and a plan is applied within 12h0m0s")
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	truncated := filepath.Join(t.TempDir(), "truncated.json")
	require.NoError(t, os.WriteFile(truncated, raw[:len(raw)/2], 0o600))
	refused(truncated, "it is not a readable plan (corrupt or truncated)")
	corrupt := pf
	corrupt.Layers = append([]deploy.PlannedLayer(nil), pf.Layers...)
	corrupt.Layers[2].Plan = json.RawMessage(`42`)
	refused(write(corrupt), "layer compute has no readable plan")

	// The code moves: a stack file changed, then committed.
	require.NoError(t, profile.SetStackValue(stack, "payments:lambdaMemoryMb", "2048"))
	refused(path, "these files changed since: compute/Pulumi.dev.yaml")
	gittest.Commit(t, root, "compute: dev gets 2048 MB")
	refused(path, "it was made at commit "+pf.Commit)
	require.NoError(t, profile.SetStackValue(stack, "payments:lambdaMemoryMb", "1024"))
	gittest.Commit(t, root, "compute: back to 1024 MB")

	// The state moves: another deployment ran after the plan was made.
	path = save()
	require.NoError(t, e.Cloud.Edit("aws:lambda/function:Function", "payment-processor", func(in resource.PropertyMap) {
		in["timeout"] = resource.NewNumberProperty(20)
	}))
	_, err = d.Run(ctx, stage.Up, "dev") // puts the timeout back, and updates compute
	require.NoError(t, err, out.String())
	require.Equal(t, 1024.0, liveMemory(t, e))
	_, err = apply(path)
	require.ErrorIs(t, err, deploy.ErrStalePlan)
	assert.Contains(t, err.Error(), "the state of compute changed since the plan was made")

	// Applied as approved: only compute, held to its plan.
	require.NoError(t, profile.SetStackValue(stack, "payments:lambdaMemoryMb", "1536"))
	gittest.Commit(t, root, "compute: dev gets 1536 MB")
	path = save()
	_, err = apply(path)
	require.NoError(t, err, out.String())
	assert.Equal(t, 1536.0, liveMemory(t, e))
	assert.Equal(t, 3, e.updates["compute"])
	for _, l := range []string{"network", "data", "observability"} {
		assert.Equal(t, 1, e.updates[l], "%s is not updated", l)
	}
	assert.Contains(t, out.String(), "applying the plan of dev made at")
}
