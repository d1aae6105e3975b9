package deploy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/stage"
)

type fakeInspector struct {
	mu      sync.Mutex // the layers are refreshed at once
	events  map[string][]apitype.EngineEvent
	state   map[string][]apitype.ResourceV3
	updates map[string]*stage.Update
	visited []string
	fail    map[string]error
}

func (f *fakeInspector) LastUpdate(_ context.Context, l stage.Layer, _ string) (*stage.Update, error) {
	return f.updates[l.Name], nil
}

func (f *fakeInspector) RefreshEvents(_ context.Context, l stage.Layer, _ string, out io.Writer) ([]apitype.EngineEvent, error) {
	f.mu.Lock()
	f.visited = append(f.visited, l.Name)
	f.mu.Unlock()
	io.WriteString(out, "Refreshing\n")
	return f.events[l.Name], f.fail[l.Name]
}

func (f *fakeInspector) State(_ context.Context, l stage.Layer, _ string) ([]apitype.ResourceV3, error) {
	return f.state[l.Name], nil
}

func TestDriftReadsEveryLayer(t *testing.T) {
	fnURN := "urn:pulumi:prod::compute::payments:compute:PaymentFunction$aws:lambda/function:Function::payment-processor"
	in := &fakeInspector{events: map[string][]apitype.EngineEvent{
		"compute": {{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: apitype.StepEventMetadata{
			Op: apitype.OpUpdate, URN: fnURN, Type: "aws:lambda/function:Function",
			Old:          &apitype.StepEventStateMetadata{Inputs: map[string]any{"memorySize": 2048.0}},
			New:          &apitype.StepEventStateMetadata{Inputs: map[string]any{"memorySize": 128.0}},
			DetailedDiff: map[string]apitype.PropertyDiff{"memorySize": {Kind: apitype.DiffUpdate, InputDiff: true}},
		}}}},
	}}
	d, out := newDeployer(newFakeRunner(), fixture.ProdAccount)
	report, err := d.Drift(context.Background(), "prod", in)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"network", "data", "compute", "observability"}, in.visited, "every layer, at once")
	require.Len(t, report.Drifted, 1)
	assert.Equal(t, "payment-processor", report.Drifted[0].Name)
	assert.Equal(t, "memorySize", report.Drifted[0].Properties[0].Path)
	assert.Contains(t, out.String(), "[compute] Refreshing")
}

// The layers are refreshed at once; a failure is reported as the first in
// the layers' order would be, whichever ended first.
func TestADriftCheckThatFailsNamesTheFirstFailingLayer(t *testing.T) {
	in := &fakeInspector{fail: map[string]error{"compute": errors.New("throttled"), "data": errors.New("access denied")}}
	d, _ := newDeployer(newFakeRunner(), fixture.ProdAccount)
	_, err := d.Drift(context.Background(), "prod", in)
	require.EqualError(t, err, "drift prod: refreshing layer data: access denied")
	assert.ElementsMatch(t, []string{"network", "data", "compute", "observability"}, in.visited)
}

func TestDriftRefusesTheWrongAccount(t *testing.T) {
	in := &fakeInspector{}
	d, _ := newDeployer(newFakeRunner(), fixture.DevAccount)
	_, err := d.Drift(context.Background(), "prod", in)
	require.ErrorIs(t, err, ErrWrongAccount)
	assert.Empty(t, in.visited)
}

func TestDeployedManifestCarriesIDsAndProvenance(t *testing.T) {
	in := &fakeInspector{state: map[string][]apitype.ResourceV3{
		"network": {{URN: "urn:pulumi:dev::network::aws:ec2/vpc:Vpc::vpc", Type: "aws:ec2/vpc:Vpc", Custom: true, ID: "vpc-0a1b2c",
			Inputs: map[string]any{"cidrBlock": "10.10.0.0/16", "tags": map[string]any{"Name": "vpc-dev-" + fixture.DevSuffix}}}},
	}, updates: map[string]*stage.Update{
		"network": {Version: 7, Commit: "0a1b2c3d4e5f", Result: "succeeded"},
	}}
	d, _ := newDeployer(newFakeRunner(), fixture.DevAccount)
	m, err := d.Manifest(context.Background(), "dev", in, manifest.Provenance{SourceCommit: "abc123"})
	require.NoError(t, err)
	assert.Equal(t, manifest.Deployed, m.Status)
	require.Len(t, m.Layers, 4)
	require.Len(t, m.Layers[0].Resources, 1)
	assert.Equal(t, "vpc-0a1b2c", m.Layers[0].Resources[0].ID)
	assert.Equal(t, "vpc-dev-"+fixture.DevSuffix, m.Layers[0].Resources[0].PhysicalName)
	assert.Equal(t, "abc123", m.Provenance.SourceCommit)
	assert.Equal(t, &manifest.Deployment{Version: 7, Commit: "0a1b2c3d4e5f", Result: "succeeded"}, m.Layers[0].Deployment,
		"each layer says which commit it was deployed from")
	assert.Nil(t, m.Layers[1].Deployment, "a layer never updated has no deployment")
}

// inspecting is a fake runner whose layers have drift to refresh, and
// which records the drift it is told to leave as it is.
type inspecting struct {
	*fakeRunner
	*fakeInspector
	exceptions []drift.Exception
}

func (i *inspecting) Run(ctx context.Context, op stage.Op, l stage.Layer, env string, out io.Writer) (stage.Outcome, error) {
	return i.fakeRunner.Run(ctx, op, l, env, out)
}

func (i *inspecting) IgnoreDrift(exceptions []drift.Exception) { i.exceptions = exceptions }

func memoryDrift(env string) map[string][]apitype.EngineEvent {
	return map[string][]apitype.EngineEvent{"compute": {{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: apitype.StepEventMetadata{
		Op: apitype.OpUpdate, URN: "urn:pulumi:" + env + "::compute::payments:compute:PaymentFunction$aws:lambda/function:Function::payment-processor",
		Type:         "aws:lambda/function:Function",
		Old:          &apitype.StepEventStateMetadata{Inputs: map[string]any{"memorySize": 2048.0}},
		New:          &apitype.StepEventStateMetadata{Inputs: map[string]any{"memorySize": 4096.0}},
		DetailedDiff: map[string]apitype.PropertyDiff{"memorySize": {Kind: apitype.DiffUpdate, InputDiff: true}},
	}}}}}
}

// theCode is what the code holds of the hand-changed memory.
type theCode int

const (
	// revertsIt: the code's 2048 MB, which an update puts back.
	revertsIt theCode = iota
	// adoptedIt: the hand change's 4096 MB, so an update keeps it.
	adoptedIt
)

// drifting is a fake runner with memoryDrift, whose update does what the
// code says of it.
func drifting(env string, code theCode) *inspecting {
	r := &inspecting{fakeRunner: newFakeRunner(), fakeInspector: &fakeInspector{events: memoryDrift(env)}}
	urn := "urn:pulumi:" + env + "::compute::payments:compute:PaymentFunction$aws:lambda/function:Function::payment-processor"
	live := resource.PropertyMap{"memorySize": resource.NewNumberProperty(4096)}
	if code == revertsIt {
		r.planned["compute"] = []stage.Step{stage.NewStep("update", "aws:lambda/function:Function", urn, live, resource.PropertyMap{"memorySize": resource.NewNumberProperty(2048)}, awstype.Physical)}
	} else {
		r.planned["compute"] = []stage.Step{stage.NewStep("same", "aws:lambda/function:Function", urn, live, live, awstype.Physical)}
	}
	return r
}

// A deploy of staging or prod that would put back a hand change (an
// on-call engineer's fix) stops before changing anything, naming the
// resource and property and the three ways on; REVERT_DRIFT lets it put the
// change back on purpose.
func TestADeployOfProdStopsBeforeUndoingAHandChange(t *testing.T) {
	for _, env := range []string{"staging", "prod"} {
		account := map[string]string{"staging": fixture.StagingAccount, "prod": fixture.ProdAccount}[env]
		runner := drifting(env, revertsIt)
		d, _ := newDeployer(runner, account)
		_, err := d.Run(context.Background(), stage.Up, env)
		require.ErrorIs(t, err, ErrDrift, env)
		for _, e := range runner.fakeRunner.events {
			assert.True(t, strings.HasPrefix(e, "preview "), "%s: %s: nothing is updated, only previewed (the plans are made while the drift check runs)", env, e)
		}
		for _, says := range []string{
			"deploy " + env + " stopped before changing anything",
			"compute", "payment-processor", "memorySize", "2048", "4096",
			"go run mage.go drift:adopt " + env, "go run mage.go drift:revert " + env, "REVERT_DRIFT=" + env, "compliance/drift-exceptions.yaml",
		} {
			assert.Contains(t, err.Error(), says, env)
		}

		d.RevertDrift = env
		out := d.Out.(*bytes.Buffer)
		_, err = d.Run(context.Background(), stage.Up, env)
		require.NoError(t, err, env)
		assert.Contains(t, runner.fakeRunner.events, "start compute", env)
		assert.Contains(t, out.String(), "REVERT_DRIFT="+env+": this deployment puts back these hand changes:")
	}

	// REVERT_DRIFT for another environment is no licence.
	runner := drifting("prod", revertsIt)
	d, _ := newDeployer(runner, fixture.ProdAccount)
	d.RevertDrift = "staging"
	_, err := d.Run(context.Background(), stage.Up, "prod")
	require.ErrorIs(t, err, ErrDrift)
}

// A hand change the code has since adopted (the promotion of a drift:adopt
// pull request) is drift the update keeps: the deploy goes on.
func TestADeployOfAnAdoptedHandChangeGoesOn(t *testing.T) {
	runner := drifting("prod", adoptedIt)
	d, out := newDeployer(runner, fixture.ProdAccount)
	_, err := d.Run(context.Background(), stage.Up, "prod")
	require.NoError(t, err)
	assert.Contains(t, runner.fakeRunner.events, "start compute")
	assert.NotContains(t, out.String(), "memorySize")
}

// In dev the deploy says what it puts back and goes on.
func TestADeployOfDevWarnsOfTheHandChangesItPutsBack(t *testing.T) {
	runner := drifting("dev", revertsIt)
	d, out := newDeployer(runner, fixture.DevAccount)
	_, err := d.Run(context.Background(), stage.Up, "dev")
	require.NoError(t, err)
	assert.Contains(t, out.String(), "warning: this deployment puts back these hand changes to dev")
	assert.Contains(t, out.String(), "memorySize")
	assert.Contains(t, runner.fakeRunner.events, "start compute")
}

// Drift an exception covers neither stops the deploy nor is put back: the
// runner is told to leave those properties as they are.
func TestExceptedDriftIsLeftAsItIs(t *testing.T) {
	runner := &inspecting{fakeRunner: newFakeRunner(), fakeInspector: &fakeInspector{events: memoryDrift("prod")}}
	d, out := newDeployer(runner, fixture.ProdAccount)
	d.Exceptions = []drift.Exception{{Environment: "prod", Type: "aws:lambda/function:Function", Name: "payment-processor", Property: "memorySize",
		Reason: "INC-4711: more memory until the fix ships", Approver: "alice", Expires: "2027-01-31"}}
	_, err := d.Run(context.Background(), stage.Up, "prod")
	require.NoError(t, err)
	assert.Equal(t, d.Exceptions, runner.exceptions, "the runner leaves what the exceptions name")
	assert.Contains(t, out.String(), "left as it is (excepted until 2027-01-31): compute aws:lambda/function:Function payment-processor memorySize")
	assert.Contains(t, runner.fakeRunner.events, "start compute")
}

func TestRevertDriftNamesOneEnvironment(t *testing.T) {
	for v, want := range map[string]string{"": "", "none": "", "prod": "prod", "dev": "dev"} {
		got, err := ParseRevertDrift(v)
		require.NoError(t, err, v)
		assert.Equal(t, want, got)
	}
	_, err := ParseRevertDrift("production")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `REVERT_DRIFT="production": want the environment whose hand changes the deploy puts back (dev, staging or prod), or none`)
}

// A deploy stopped for drift is on the CI run's page.
func TestADriftStopGoesToTheJobSummary(t *testing.T) {
	runner := drifting("prod", revertsIt)
	d, _ := newDeployer(runner, fixture.ProdAccount)
	_, err := d.Run(context.Background(), stage.Up, "prod")
	require.ErrorIs(t, err, ErrDrift)
	path := filepath.Join(t.TempDir(), "summary.md")
	require.NoError(t, WriteStepSummary(path, "prod", err))
	raw, rerr := os.ReadFile(path)
	require.NoError(t, rerr)
	assert.Contains(t, string(raw), "### deploy:env prod stopped: it would put back hand changes")
	assert.Contains(t, string(raw), "payment-processor")

	other := filepath.Join(t.TempDir(), "other.md")
	require.NoError(t, WriteStepSummary(other, "prod", errors.New("something else")))
	_, rerr = os.Stat(other)
	assert.True(t, os.IsNotExist(rerr), "only a drift stop is summarised")
}

// countingCLI counts the preflight's CLI checks.
type countingCLI struct{ n *int }

func (c countingCLI) Check(context.Context) (string, error) { *c.n++; return "v3.274.1", nil }

// drift:revert is one run: one preflight, the drift check, then the
// deployment that puts the hand change back, which needs no REVERT_DRIFT
// of its own.
func TestARevertRunsThePreflightOnce(t *testing.T) {
	runner := drifting("prod", revertsIt)
	d, out := newDeployer(runner, fixture.ProdAccount)
	checks := 0
	d.CLI = countingCLI{n: &checks}
	report, res, err := d.Revert(context.Background(), "prod", runner)
	require.NoError(t, err, out.String())
	assert.True(t, report.Any())
	assert.Equal(t, 1, checks, "the preflight ran once")
	assert.Contains(t, out.String(), "the deployment of prod will undo:")
	assert.Contains(t, runner.fakeRunner.events, "start compute")
	assert.NotEmpty(t, res.Layers)
	assert.Empty(t, d.RevertDrift, "the deployer itself is left as it was")
}
