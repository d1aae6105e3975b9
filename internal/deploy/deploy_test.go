package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

// fakeRunner records the order layers start and finish in, and can hold a
// layer until another has started (to prove two layers overlap) or fail one.
type fakeRunner struct {
	mu       sync.Mutex
	events   []string
	started  map[string]chan struct{}
	waitFor  map[string]string // layer -> layer that must have started first
	fail     map[string]error
	overlaps []string
	// planned are the steps a preview of a layer reports (three creates
	// when unset); outputs, the layers whose preview changes an output.
	planned map[string][]stage.Step
	outputs map[string]bool
	changed map[string][]string // layer -> the outputs its preview changes
}

func newFakeRunner() *fakeRunner {
	f := &fakeRunner{started: map[string]chan struct{}{}, waitFor: map[string]string{}, fail: map[string]error{}, planned: map[string][]stage.Step{}}
	for _, l := range contract.Graph() {
		f.started[l.Name] = make(chan struct{})
	}
	return f
}

func (f *fakeRunner) Run(ctx context.Context, op stage.Op, l stage.Layer, env string, out io.Writer) (stage.Outcome, error) {
	f.mu.Lock()
	if op == stage.Preview {
		f.events = append(f.events, "preview "+l.Name)
		f.mu.Unlock()
		io.WriteString(out, "Previewing ("+env+")\n")
		steps, ok := f.planned[l.Name]
		if !ok {
			for i := range 3 {
				steps = append(steps, stage.NewStep("create", "aws:s3/bucketV2:BucketV2", fmt.Sprintf("urn:pulumi:%s::%s::aws:s3/bucketV2:BucketV2::b%d", env, l.Name, i), nil, nil, awstype.Physical))
			}
		}
		return stage.Outcome{Changes: stage.ChangesOf(steps), Steps: steps, OutputsChanged: f.outputs[l.Name], ChangedOutputs: f.changed[l.Name]}, nil
	}
	f.events = append(f.events, "start "+l.Name)
	f.mu.Unlock()
	close(f.started[l.Name])
	if other, ok := f.waitFor[l.Name]; ok {
		select {
		case <-f.started[other]:
			f.mu.Lock()
			f.overlaps = append(f.overlaps, l.Name+"+"+other)
			f.mu.Unlock()
		case <-time.After(5 * time.Second):
			return stage.Outcome{}, errors.New(l.Name + " ran alone: " + other + " never started while it ran")
		}
	}
	io.WriteString(out, "Updating ("+env+")\npartial line")
	f.mu.Lock()
	f.events = append(f.events, "end "+l.Name)
	f.mu.Unlock()
	if err := f.fail[l.Name]; err != nil {
		return stage.Outcome{}, err
	}
	return stage.Outcome{Changes: stage.Changes{"create": 3}}, nil
}

type fixedIdentity struct {
	account string
	err     error
	arn     string // the caller; a user of the account when empty
}

func (i fixedIdentity) AccountID(context.Context) (string, error) { return i.account, i.err }

func (i fixedIdentity) CallerArn(context.Context) (string, error) {
	if i.arn == "" {
		return "arn:aws:iam::" + i.account + ":user/someone", i.err
	}
	return i.arn, i.err
}

// breakGlass is a session of prod's break-glass role.
var breakGlass = fixedIdentity{account: fixture.ProdAccount, arn: "arn:aws:sts::" + fixture.ProdAccount + ":assumed-role/payments-break-glass/alice"}

type fakeCLI struct{ err error }

func (c fakeCLI) Check(context.Context) (string, error) { return "v3.274.1", c.err }

func newDeployer(runner stage.Runner, account string) (*Deployer, *bytes.Buffer) {
	out := &bytes.Buffer{}
	return &Deployer{
		Root: "../..", Graph: contract.Graph(), Runner: runner,
		Identity: fixedIdentity{account: account}, CLI: fakeCLI{},
		Out: out, Now: time.Now,
	}, out
}

func indexOf(events []string, e string) int {
	for i, x := range events {
		if x == e {
			return i
		}
	}
	return -1
}

func TestPlatformGraphReadsTheKeyFirst(t *testing.T) {
	var deps [][]string
	for _, l := range contract.Graph() {
		deps = append(deps, append([]string{l.Name}, l.DependsOn...))
	}
	assert.Equal(t, [][]string{
		{"network"},
		{"data", "network"},
		{"compute", "network", "data"},
		{"observability", "network", "data", "compute"},
	}, deps, "every layer reads the environment's key from network")
	reads := map[string][]string{}
	for _, l := range contract.Graph() {
		for up, keys := range l.Reads {
			reads[l.Name+"<"+up] = keys
		}
	}
	assert.Equal(t, map[string][]string{
		"data<network":          {"environmentKeyArn"},
		"compute<network":       {"vpcId", "privateSubnetIds", "permissionsBoundaryArn", "environmentKeyArn", "gatewayPrefixListIds"},
		"compute<data":          {"tableName", "auditBucketName", "auditPrefix"},
		"observability<network": {"environmentKeyArn"},
		"observability<data":    {"tableName"},
		"observability<compute": {"functions"},
	}, reads, "what each layer reads of each upstream; the inventory is the manifest's, no layer's")
}

func TestUpRunsIndependentLayersConcurrentlyAndDependentsAfter(t *testing.T) {
	runner := newFakeRunner()
	runner.waitFor["network"] = "data" // network finishes only once data has started
	d, out := newDeployer(runner, fixture.StagingAccount)
	// A graph where network and data are independent, to prove the
	// scheduler overlaps what it may.
	d.Graph = []stage.Layer{
		{Name: "network"},
		{Name: "data"},
		{Name: "compute", DependsOn: []string{"network", "data"}},
		{Name: "observability", DependsOn: []string{"data", "compute"}},
	}
	report, err := d.Run(context.Background(), stage.Up, "staging")
	require.NoError(t, err)
	assert.Equal(t, []string{"network+data"}, runner.overlaps, "network and data overlap")

	ev := runner.events
	for _, dep := range []string{"network", "data"} {
		assert.Less(t, indexOf(ev, "end "+dep), indexOf(ev, "start compute"), "compute starts after %s finished", dep)
	}
	assert.Less(t, indexOf(ev, "end compute"), indexOf(ev, "start observability"))
	assert.Less(t, indexOf(ev, "end data"), indexOf(ev, "start observability"))

	require.Len(t, report.Layers, 4)
	for _, l := range report.Layers {
		assert.Equal(t, "succeeded", l.Status, l.Layer)
		assert.Equal(t, stage.Changes{"create": 3}, l.Changes)
	}
	text := out.String()
	assert.Contains(t, text, "[network] Updating (staging)\n", "progress lines carry the layer name")
	assert.Contains(t, text, "[compute] partial line\n", "a trailing partial line is flushed with its prefix")
	assert.Contains(t, text, "up staging summary")
	assert.Regexp(t, `observability\s+succeeded\s+create=3`, text)
}

func TestDestroyRunsInExactReverseOrder(t *testing.T) {
	runner := newFakeRunner()
	d, _ := newDeployer(runner, fixture.DevAccount)
	_, err := d.Run(context.Background(), stage.Destroy, "dev")
	require.NoError(t, err)
	assert.Equal(t, []string{
		"start observability", "end observability", "start compute", "end compute",
		"start data", "end data", "start network", "end network",
	}, runner.events)
}

func TestFirstFailureStopsDownstreamLayers(t *testing.T) {
	runner := newFakeRunner()
	runner.fail["data"] = errors.New("AccessDenied: dynamodb:CreateTable")
	d, out := newDeployer(runner, fixture.ProdAccount)
	report, err := d.Run(context.Background(), stage.Up, "prod")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "layer data failed: AccessDenied: dynamodb:CreateTable")
	status := report.Statuses()
	assert.Equal(t, "failed", status["data"])
	assert.Equal(t, "skipped", status["compute"])
	assert.Equal(t, "skipped", status["observability"])
	assert.NotContains(t, runner.events, "start compute")
	assert.NotContains(t, runner.events, "start observability")
	assert.Contains(t, out.String(), "[data] FAILED: AccessDenied")
}

// With the engine's stream sent to a log, the output keeps the plan, the
// layers' messages and the summary; a failing layer shows the stream's last
// lines, and only that layer's.
func TestTheEngineStreamGoesToItsLogAndAFailureShowsItsEnd(t *testing.T) {
	runner := newFakeRunner()
	runner.fail["data"] = errors.New("AccessDenied: dynamodb:CreateTable")
	d, out := newDeployer(runner, fixture.ProdAccount)
	engine := &bytes.Buffer{}
	d.Engine = engine
	_, err := d.Run(context.Background(), stage.Up, "prod")
	require.Error(t, err)
	assert.Contains(t, engine.String(), "[network] Updating (prod)\n[network] partial line\n")
	assert.Contains(t, engine.String(), "[data] Updating (prod)\n")
	assert.Contains(t, out.String(), "[data] FAILED: AccessDenied")
	assert.Contains(t, out.String(), "[data] the engine's last 2 lines")
	assert.Contains(t, out.String(), "[data]   Updating (prod)\n[data]   partial line\n")
	assert.NotContains(t, out.String(), "[network] Updating", "a layer that succeeded keeps its stream in the log")
	assert.Contains(t, out.String(), "up prod summary")
}

func TestDestroyStopsAtFirstFailure(t *testing.T) {
	runner := newFakeRunner()
	runner.fail["compute"] = errors.New("ENI still in use")
	d, _ := newDeployer(runner, fixture.DevAccount)
	_, err := d.Run(context.Background(), stage.Destroy, "dev")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "layer compute failed")
	assert.NotContains(t, runner.events, "start data")
	assert.NotContains(t, runner.events, "start network")
}

func TestWrongAccountIsRefusedBeforeAnyLayer(t *testing.T) {
	runner := newFakeRunner()
	d, _ := newDeployer(runner, fixture.DevAccount) // dev's account
	_, err := d.Run(context.Background(), stage.Up, "prod")
	require.ErrorIs(t, err, ErrWrongAccount)
	assert.Contains(t, err.Error(), "the credentials are for account "+fixture.DevAccount+", but prod is account "+fixture.ProdAccount)
	assert.Empty(t, runner.events)
}

func TestMissingCredentialsAreReported(t *testing.T) {
	runner := newFakeRunner()
	d, _ := newDeployer(runner, "")
	d.Identity = fixedIdentity{err: errors.New("no EC2 IMDS role found")}
	_, err := d.Run(context.Background(), stage.Up, "dev")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sts:GetCallerIdentity")
	assert.Empty(t, runner.events)
}

func TestUnknownEnvironmentIsRefused(t *testing.T) {
	runner := newFakeRunner()
	d, _ := newDeployer(runner, fixture.DevAccount)
	_, err := d.Run(context.Background(), stage.Up, "nosuchenv")
	require.Error(t, err)
	assert.Equal(t, `unknown environment "nosuchenv": allowed dev, staging, prod`, err.Error())
	assert.Empty(t, runner.events)
}

func TestInvalidStackConfigIsRefused(t *testing.T) {
	root := t.TempDir()
	for _, env := range []string{"dev", "staging", "prod"} {
		account := map[string]string{"dev": fixture.DevAccount, "staging": fixture.StagingAccount, "prod": fixture.ProdAccount}[env]
		body := "config:\n  aws:region: us-east-1\n  aws:allowedAccountIds: [\"" + account + "\"]\n  payments:environmentSuffix: " + fixture.DevSuffix + "\n"
		if env == "staging" {
			body += "  payments:lambdaMemoryMb: 99999\n"
		}
		for _, layer := range []string{"network", "data", "compute", "observability"} {
			layerBody := body
			if layer != "compute" { // the setting belongs to compute
				layerBody = strings.Replace(body, "  payments:lambdaMemoryMb: 99999\n", "", 1)
			}
			require.NoError(t, os.MkdirAll(filepath.Join(root, layer), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(root, layer, "Pulumi."+env+".yaml"), []byte(layerBody), 0o644))
		}
	}
	runner := newFakeRunner()
	d, _ := newDeployer(runner, fixture.DevAccount)
	d.Root = root
	_, err := d.Run(context.Background(), stage.Up, "dev")
	require.Error(t, err, "every environment's config is validated, so overlaps between them can be checked")
	assert.Contains(t, err.Error(), `payments:lambdaMemoryMb = "99999": allowed 128-10240`)
	assert.Empty(t, runner.events)
}

func TestGraphIsAValidOrder(t *testing.T) {
	require.NoError(t, stage.ValidateGraph(contract.Graph()))
	bad := []stage.Layer{{Name: "compute", DependsOn: []string{"network"}}, {Name: "network"}}
	assert.Error(t, stage.ValidateGraph(bad))
}

func tableReplacement() []stage.Step {
	return []stage.Step{
		{Op: "same", Type: "aws:s3/bucketV2:BucketV2", URN: "urn:pulumi:prod::data::payments:data:AuditBucket$aws:s3/bucketV2:BucketV2::audit-logs", Physical: "audit-logs-prod-" + fixture.ProdSuffix},
		{Op: "replace", Type: "aws:dynamodb/table:Table", URN: "urn:pulumi:prod::data::payments:data:TransactionsTable$aws:dynamodb/table:Table::transactions", Physical: "transactions-prod-" + fixture.ProdSuffix},
		{Op: "create-replacement", Type: "aws:dynamodb/table:Table", URN: "urn:pulumi:prod::data::payments:data:TransactionsTable$aws:dynamodb/table:Table::transactions", Physical: "transactions-prod-" + fixture.ProdSuffix},
	}
}

func TestUpdateThatDestroysDataIsRefusedBeforeAnyLayerChanges(t *testing.T) {
	runner := newFakeRunner()
	runner.planned["data"] = tableReplacement()
	d, out := newDeployer(runner, fixture.ProdAccount)
	report, err := d.Run(context.Background(), stage.Up, "prod")
	require.Error(t, err)
	assert.ErrorIs(t, err, stage.ErrDataLoss)
	msg := err.Error()
	assert.Contains(t, msg, "layer data failed")
	assert.Contains(t, msg, "replace aws:dynamodb/table:Table transactions-prod-"+fixture.ProdSuffix+": the transactions in it would be lost")
	assert.Contains(t, msg, "ALLOW_DATA_LOSS=prod")
	assert.NotContains(t, msg, "audit-logs", "an unchanged bucket is not a loss")

	assert.Contains(t, runner.events, "preview data")
	for _, l := range contract.Graph() {
		assert.NotContains(t, runner.events, "start "+l.Name, "the plan is refused before any layer is updated, upstream included")
	}
	statuses := report.Statuses()
	assert.Equal(t, map[string]string{"network": "skipped", "data": "failed", "compute": "skipped", "observability": "skipped"}, statuses)
	assert.Contains(t, out.String(), "[data] FAILED: refused: the deployment would destroy data")
	assert.Regexp(t, `data\s+0\s+0\s+1\s+0\s+1 resource\(s\)\s+create-replacement=1 replace=1`, out.String(), "the plan's table shows the loss")
	assert.Contains(t, out.String(), "nothing was changed")
}

func TestAllowedDataLossIsDeployedAndSaidAloud(t *testing.T) {
	runner := newFakeRunner()
	runner.planned["data"] = tableReplacement()
	d, out := newDeployer(runner, fixture.ProdAccount)
	d.AllowDataLoss = true
	_, err := d.Run(context.Background(), stage.Up, "prod")
	require.ErrorIs(t, err, ErrNeedsBreakGlass, "in prod only the break-glass role may lose data")
	assert.Contains(t, err.Error(), "the caller is arn:aws:iam::"+fixture.ProdAccount+":user/someone; assume arn:aws:iam::"+fixture.ProdAccount+":role/payments-break-glass with MFA")
	assert.Empty(t, runner.events, "refused before anything is touched")
	d.Identity = fixedIdentity{account: fixture.ProdAccount, arn: "arn:aws:sts::" + fixture.ProdAccount + ":assumed-role/payments-pipeline-deployer/gh-1"}
	_, err = d.Run(context.Background(), stage.Up, "prod")
	require.ErrorIs(t, err, ErrNeedsBreakGlass, "nor the deployer")
	d.Identity = breakGlass
	_, err = d.Run(context.Background(), stage.Up, "prod")
	require.NoError(t, err)
	assert.Contains(t, runner.events, "start data")
	assert.Contains(t, out.String(), "[data] data loss allowed:\n[data]   - replace aws:dynamodb/table:Table transactions-prod-"+fixture.ProdSuffix)
}

func TestPreviewWarnsOfDataLoss(t *testing.T) {
	runner := newFakeRunner()
	runner.planned["data"] = tableReplacement()
	d, out := newDeployer(runner, fixture.ProdAccount)
	_, err := d.Run(context.Background(), stage.Preview, "prod")
	require.NoError(t, err, "a preview changes nothing, so it only warns")
	assert.Contains(t, out.String(), "[data] WARNING: this change destroys data")
	assert.NotContains(t, out.String(), "[network] WARNING")
}

func TestDataLossIsReplacementOrDeletionOfStatefulResources(t *testing.T) {
	steps := []stage.Step{
		{Op: "replace", Type: "aws:ec2/subnet:Subnet", URN: "a"},
		{Op: "update", Type: "aws:dynamodb/table:Table", URN: "b"},
		{Op: "delete", Type: "aws:s3/bucketV2:BucketV2", URN: "c"},
		{Op: "delete-replaced", Type: "aws:dynamodb/table:Table", URN: "d"},
		{Op: "replace", Type: "aws:cloudwatch/logGroup:LogGroup", URN: "e"},
		{Op: "create", Type: "aws:dynamodb/table:Table", URN: "f"},
	}
	var urns []string
	for _, s := range stage.DataLoss(steps, awstype.Holds) {
		urns = append(urns, s.URN)
	}
	assert.Equal(t, []string{"c", "e"}, urns)
}

func TestCallerEnvironmentFollowsTheCredentials(t *testing.T) {
	d, _ := newDeployer(newFakeRunner(), fixture.StagingAccount)
	env, err := d.CallerEnvironment(context.Background())
	require.NoError(t, err)
	assert.Equal(t, profile.Staging, env)

	d, _ = newDeployer(newFakeRunner(), "999999999999")
	_, err = d.CallerEnvironment(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the credentials are for account 999999999999, which is no environment's (dev is "+fixture.DevAccount)
}

// A preview of an environment never deployed previews the first layer and
// says the others wait for it, rather than failing on outputs that do not
// exist yet.
func TestPreviewOfANewEnvironmentSaysWhatWaits(t *testing.T) {
	runner := newFakeRunner()
	runner.planned["network"] = []stage.Step{{Op: "create", Type: "pulumi:pulumi:Stack", URN: "urn:pulumi:dev::network::pulumi:pulumi:Stack::network-dev"}}
	d, out := newDeployer(runner, fixture.DevAccount)
	report, err := d.Run(context.Background(), stage.Preview, "dev")
	require.NoError(t, err)
	status := report.Statuses()
	assert.Equal(t, map[string]string{"network": "succeeded", "data": "waiting", "compute": "waiting", "observability": "waiting"}, status)
	assert.Contains(t, out.String(), "[data] waiting: it reads network's outputs, and network has never been deployed")
	assert.Equal(t, []string{"preview network"}, runner.events, "no layer that cannot be previewed is run")
}

func TestProdIsDestroyedOnlyWhenConfirmedByTheBreakGlassRole(t *testing.T) {
	runner := newFakeRunner()
	d, _ := newDeployer(runner, fixture.ProdAccount)
	d.Identity = fixedIdentity{err: errors.New("STS must not be asked before the confirmation")}
	_, err := d.Run(context.Background(), stage.Destroy, "prod")
	require.ErrorIs(t, err, ErrConfirmDestroy)
	assert.Contains(t, err.Error(), "set CONFIRM_DESTROY=prod to destroy prod")
	d.ConfirmDestroy = "staging"
	_, err = d.Run(context.Background(), stage.Destroy, "prod")
	require.ErrorIs(t, err, ErrConfirmDestroy, "confirming another environment is no confirmation")
	assert.Empty(t, runner.events, "no layer was touched")

	d.Identity, d.ConfirmDestroy = fixedIdentity{account: fixture.ProdAccount}, "prod"
	_, err = d.Run(context.Background(), stage.Destroy, "prod")
	require.ErrorIs(t, err, ErrNeedsBreakGlass, "confirmed, but not by the break-glass role")
	assert.Empty(t, runner.events, "no layer was touched")
	d.Identity = breakGlass
	_, err = d.Run(context.Background(), stage.Destroy, "prod")
	require.NoError(t, err)
	assert.Contains(t, runner.events, "start network")
}

func TestStagingIsDestroyedOnlyWhenConfirmed(t *testing.T) {
	runner := newFakeRunner()
	d, _ := newDeployer(runner, fixture.StagingAccount)
	_, err := d.Run(context.Background(), stage.Destroy, "staging")
	require.ErrorIs(t, err, ErrConfirmDestroy)
	assert.Contains(t, err.Error(), "set CONFIRM_DESTROY=staging")
	assert.Empty(t, runner.events)
	d.ConfirmDestroy = "staging"
	_, err = d.Run(context.Background(), stage.Destroy, "staging")
	require.NoError(t, err, "staging needs no break-glass role: its deployer destroys it")
	assert.Contains(t, runner.events, "start network")

	d, _ = newDeployer(newFakeRunner(), fixture.DevAccount)
	_, err = d.Run(context.Background(), stage.Destroy, "dev")
	require.NoError(t, err, "dev asks nothing")
}

func TestCLIFailureStopsBeforeAnyLayer(t *testing.T) {
	runner := newFakeRunner()
	d, _ := newDeployer(runner, fixture.DevAccount)
	d.CLI = fakeCLI{err: errors.New("the Pulumi CLI is not installed")}
	_, err := d.Run(context.Background(), stage.Up, "dev")
	require.ErrorContains(t, err, "the Pulumi CLI is not installed")
	assert.Empty(t, runner.events)
}

type fixedBootstrap struct {
	version int
	found   bool
}

func (b fixedBootstrap) Version(context.Context, string) (int, bool, error) {
	return b.version, b.found, nil
}

// Every operation on an environment refuses an account that is not
// bootstrapped, or whose bootstrap is older than the code needs, before any
// stack is touched, naming both versions and the command that fixes it.
func TestAnAccountWithoutItsBootstrapIsRefusedBeforeAnything(t *testing.T) {
	for _, op := range []stage.Op{stage.Up, stage.Preview, stage.Destroy} {
		runner := newFakeRunner()
		d, _ := newDeployer(runner, fixture.DevAccount)
		d.Bootstrap = fixedBootstrap{}
		_, err := d.Run(context.Background(), op, "dev")
		require.ErrorIs(t, err, ErrNotBootstrapped, op)
		assert.Contains(t, err.Error(), "account "+fixture.DevAccount+" (dev) has no /payments/bootstrap/version")
		assert.Contains(t, err.Error(), "go run mage.go bootstrap:env dev")
		assert.Empty(t, runner.events)

		// Version 1 predates the quota reads of the preflight.
		d.Bootstrap = fixedBootstrap{version: 1, found: true}
		_, err = d.Run(context.Background(), op, "dev")
		require.ErrorIs(t, err, ErrBootstrapTooOld)
		assert.Contains(t, err.Error(), "has bootstrap version 1, this code needs 2")
		assert.Empty(t, runner.events)
	}
	runner := newFakeRunner()
	d, _ := newDeployer(runner, fixture.DevAccount)
	d.Bootstrap = fixedBootstrap{version: 2, found: true}
	_, err := d.Run(context.Background(), stage.Up, "dev")
	require.NoError(t, err)
	assert.NotEmpty(t, runner.events)
}

// backendRunner is a runner keeping its state at a backend URL.
type backendRunner struct {
	*fakeRunner
	url string
}

func (b backendRunner) StateBackend() string { return b.url }

// A deployment whose PULUMI_BACKEND_URL is a bucket or prefix the state
// bucket's policy does not give the environment is refused before any
// stack is touched: its first state call would be denied, or its state
// would sit where another environment's roles reach it.
func TestABackendTheStateBucketPolicyDoesNotCoverIsRefused(t *testing.T) {
	for _, op := range []stage.Op{stage.Up, stage.Preview, stage.Destroy} {
		runner := backendRunner{newFakeRunner(), "s3://" + fixture.StateBucket + "/staging?region=us-east-1"}
		d, _ := newDeployer(runner, fixture.DevAccount)
		_, err := d.Run(context.Background(), op, "dev")
		require.ErrorIs(t, err, bootstrapiam.ErrStateOutsidePolicy, op)
		assert.Contains(t, err.Error(), "PULUMI_BACKEND_URL=s3://"+fixture.StateBucket+"/staging, but the state bucket's policy gives dev's pipeline roles only s3://"+fixture.StateBucket+"/dev")
		assert.Empty(t, runner.events)
	}
	runner := backendRunner{newFakeRunner(), "s3://" + fixture.StateBucket + "/dev?region=us-east-1"}
	d, _ := newDeployer(runner, fixture.DevAccount)
	_, err := d.Run(context.Background(), stage.Up, "dev")
	require.NoError(t, err)
	assert.NotEmpty(t, runner.events)
}

// A layer whose preview changes nothing, outputs included, and whose
// refresh found nothing to record, is not updated: the deployment says so
// and goes on. A layer whose only change is an output is updated, for the
// layers that read it; so is a layer whose refresh found drift (here an
// adopted hand change), so that its state records the live value. Without
// a drift check to say the state is fresh, every layer is updated.
func TestALayerWithNothingToChangeIsNotUpdated(t *testing.T) {
	same := func(layer string) []stage.Step {
		return []stage.Step{stage.NewStep("same", "aws:s3/bucketV2:BucketV2", "urn:pulumi:dev::"+layer+"::aws:s3/bucketV2:BucketV2::b", nil, nil, awstype.Physical)}
	}
	runner := &inspecting{fakeRunner: newFakeRunner(), fakeInspector: &fakeInspector{events: memoryDrift("dev")}}
	for _, l := range []string{"data", "compute", "observability"} {
		runner.planned[l] = same(l)
	}
	d, out := newDeployer(runner, fixture.DevAccount)
	report, err := d.Run(context.Background(), stage.Up, "dev")
	require.NoError(t, err)
	assert.NotContains(t, runner.fakeRunner.events, "start data")
	assert.NotContains(t, runner.fakeRunner.events, "start observability")
	assert.Contains(t, runner.fakeRunner.events, "start network", "three creates")
	assert.Contains(t, runner.fakeRunner.events, "start compute", "its refresh found the function's memory changed")
	assert.Contains(t, out.String(), "[data] no changes: not updated")
	for _, l := range report.Layers {
		if l.Layer == "data" {
			assert.Empty(t, l.Changes, "the preview's count: nothing changes")
			assert.Equal(t, statusSucceeded, l.Status)
		}
	}

	runner = &inspecting{fakeRunner: newFakeRunner(), fakeInspector: &fakeInspector{}}
	runner.planned["observability"] = same("observability")
	runner.outputs = map[string]bool{"observability": true}
	d, _ = newDeployer(runner, fixture.DevAccount)
	_, err = d.Run(context.Background(), stage.Up, "dev")
	require.NoError(t, err)
	assert.Contains(t, runner.fakeRunner.events, "start observability", "an output changes")

	plain := newFakeRunner()
	plain.planned["data"] = same("data")
	d, _ = newDeployer(plain, fixture.DevAccount)
	_, err = d.Run(context.Background(), stage.Up, "dev")
	require.NoError(t, err)
	assert.Contains(t, plain.events, "start data", "no drift check: the state may be stale")
}

// planning is a fakeRunner that saves its previews as plan files and
// records which saved plan each update was held to.
type planning struct {
	*fakeRunner
	applied map[string]string // layer -> the saved plan's content at apply
}

func (p *planning) PlanLayer(ctx context.Context, l stage.Layer, env string, path string, out io.Writer) (stage.Outcome, error) {
	o, err := p.Run(ctx, stage.Preview, l, env, out)
	if err == nil {
		// A plan file's format, with what the plan was of in its manifest.
		raw, _ := json.Marshal(apitype.DeploymentPlanV1{Manifest: apitype.ManifestV1{Magic: "plan of " + l.Name + ": " + stage.ChangesOf(o.Steps).String()}})
		err = os.WriteFile(path, raw, 0o600)
	}
	return o, err
}

func (p *planning) ApplyPlan(ctx context.Context, l stage.Layer, env string, path string, out io.Writer) (stage.Outcome, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return stage.Outcome{}, err
	}
	var plan apitype.DeploymentPlanV1
	if err := json.Unmarshal(raw, &plan); err != nil {
		return stage.Outcome{}, err
	}
	p.mu.Lock()
	p.applied[l.Name] = plan.Manifest.Magic
	p.mu.Unlock()
	return p.Run(ctx, stage.Up, l, env, out)
}

// An update plans every layer before any changes, shows the plans in one
// table, and holds each update to its saved plan; a layer whose upstream
// changes its outputs is planned again once the upstream has applied.
func TestAnUpdatePlansEveryLayerFirstAndAppliesThePlans(t *testing.T) {
	runner := &planning{fakeRunner: newFakeRunner(), applied: map[string]string{}}
	d, out := newDeployer(runner, fixture.DevAccount)
	_, err := d.Run(context.Background(), stage.Up, "dev")
	require.NoError(t, err)
	ev := runner.events
	for _, l := range contract.Graph() {
		assert.Less(t, indexOf(ev, "preview "+l.Name), indexOf(ev, "start network"), "%s is planned before anything changes", l.Name)
		assert.Equal(t, "plan of "+l.Name+": create=3", runner.applied[l.Name], "%s's update is held to its saved plan", l.Name)
	}
	assert.Regexp(t, `plan of dev \(.*\)\nLAYER\s+CREATE\s+UPDATE\s+REPLACE\s+DELETE\s+DATA LOSS\s+PLAN\nnetwork\s+3\s+0\s+0\s+0\s+none\s+create=3\n`, out.String())
	assert.Less(t, strings.Index(out.String(), "plan of dev"), strings.Index(out.String(), "[network] Updating"), "the table comes before any update")

	// network's outputs change: every layer reading them is planned again
	// after network has applied, and its first plan is not used.
	runner = &planning{fakeRunner: newFakeRunner(), applied: map[string]string{}}
	runner.outputs = map[string]bool{"network": true}
	d, out = newDeployer(runner, fixture.DevAccount)
	_, err = d.Run(context.Background(), stage.Up, "dev")
	require.NoError(t, err)
	ev = runner.events
	assert.Less(t, indexOf(ev, "preview network"), indexOf(ev, "start network"))
	for _, l := range []string{"data", "compute", "observability"} {
		assert.Regexp(t, l+`\s+-\s+-\s+-\s+-\s+-\s+planned once network has applied \(it changes what `+l+` reads\)`, out.String())
		last := -1
		for i, e := range ev {
			if e == "preview "+l {
				last = i
			}
		}
		assert.Less(t, indexOf(ev, "end network"), last, "%s is planned again after network applied", l)
		assert.Equal(t, "plan of "+l+": create=3", runner.applied[l])
	}
	assert.Contains(t, out.String(), "[data] planning now that network has applied\n[data] plan: create=3\n")

	// An output no layer reads (the inventory) changes: the readers' first
	// plans stand.
	runner = &planning{fakeRunner: newFakeRunner(), applied: map[string]string{}}
	runner.outputs = map[string]bool{"network": true}
	runner.changed = map[string][]string{"network": {"inventory"}}
	d, out = newDeployer(runner, fixture.DevAccount)
	_, err = d.Run(context.Background(), stage.Up, "dev")
	require.NoError(t, err)
	assert.NotContains(t, out.String(), "planned once")
	for _, l := range contract.Graph() {
		assert.Equal(t, 1, count(runner.events, "preview "+l.Name), "%s is planned once", l.Name)
	}

	// Each reader says what it reads: the VPC's ID is compute's alone, so
	// data's plan stands, compute is planned again after network, and
	// observability, which reads compute, after compute.
	runner = &planning{fakeRunner: newFakeRunner(), applied: map[string]string{}}
	runner.outputs = map[string]bool{"network": true}
	runner.changed = map[string][]string{"network": {"inventory", "vpcId"}}
	d, out = newDeployer(runner, fixture.DevAccount)
	_, err = d.Run(context.Background(), stage.Up, "dev")
	require.NoError(t, err)
	assert.Regexp(t, `\ndata\s+3\s+0\s+0\s+0\s+none\s+create=3\n`, out.String(), "data reads only the key")
	assert.Regexp(t, `compute\s+-\s+-\s+-\s+-\s+-\s+planned once network has applied \(it changes what compute reads\)`, out.String())
	assert.Regexp(t, `observability\s+-\s+-\s+-\s+-\s+-\s+planned once compute has applied`, out.String())
	assert.Equal(t, 1, count(runner.events, "preview data"), "data is planned once")
	assert.Equal(t, 2, count(runner.events, "preview compute"))

	// The key is read by every layer: all of them wait for network.
	runner = &planning{fakeRunner: newFakeRunner(), applied: map[string]string{}}
	runner.outputs = map[string]bool{"network": true}
	runner.changed = map[string][]string{"network": {"environmentKeyArn"}}
	d, out = newDeployer(runner, fixture.DevAccount)
	_, err = d.Run(context.Background(), stage.Up, "dev")
	require.NoError(t, err)
	for _, l := range []string{"data", "compute", "observability"} {
		assert.Regexp(t, l+`\s+-\s+-\s+-\s+-\s+-\s+planned once network has applied`, out.String())
	}
}

func count(events []string, e string) int {
	n := 0
	for _, x := range events {
		if x == e {
			n++
		}
	}
	return n
}

// A plan that fails stops the deployment before any layer changes.
func TestAPlanThatFailsChangesNothing(t *testing.T) {
	runner := &failingPreview{fakeRunner: newFakeRunner(), layer: "compute"}
	d, out := newDeployer(runner, fixture.DevAccount)
	_, err := d.Run(context.Background(), stage.Up, "dev")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "layer compute failed: plan: compute: Unable to find config payments:alarmEmails")
	for _, l := range contract.Graph() {
		assert.NotContains(t, runner.events, "start "+l.Name)
	}
	assert.Contains(t, out.String(), "nothing was changed")
}

type failingPreview struct {
	*fakeRunner
	layer string
}

func (f *failingPreview) Run(ctx context.Context, op stage.Op, l stage.Layer, env string, out io.Writer) (stage.Outcome, error) {
	if op == stage.Preview && l.Name == f.layer {
		return stage.Outcome{}, errors.New(l.Name + ": Unable to find config payments:alarmEmails")
	}
	return f.fakeRunner.Run(ctx, op, l, env, out)
}

// approving saves plans and reads the stacks' last updates.
type approving struct {
	*planning
	*fakeInspector
}

// An approval never covers a plan that was not shown: when a layer's
// upstream changes an output it reads, the saved plan has no plan of it,
// and the approved deployment applies the upstream and stops there.
func TestAnApprovedDeploymentStopsWhereItsPlanCouldNotReach(t *testing.T) {
	runner := approving{planning: &planning{fakeRunner: newFakeRunner(), applied: map[string]string{}}, fakeInspector: &fakeInspector{}}
	runner.outputs = map[string]bool{"network": true}
	d, out := newDeployer(runner, fixture.DevAccount)
	now := Inputs{Commit: "c1", Files: map[string]string{"network/Pulumi.dev.yaml": "x"}}
	d.Inputs = func(profile.Environment) (Inputs, error) { return now, nil }
	path := filepath.Join(t.TempDir(), "dev.json")
	_, err := d.SavePlan(context.Background(), "dev", runner, now, path)
	require.NoError(t, err, out.String())
	for _, l := range contract.Graph() {
		assert.NotContains(t, runner.fakeRunner.events, "start "+l.Name, "saving a plan changes nothing")
	}
	pf, err := ReadPlanFile(path)
	require.NoError(t, err)
	assert.Equal(t, "", pf.Layers[0].After)
	assert.NotEmpty(t, pf.Layers[0].Plan)
	for _, l := range pf.Layers[1:] {
		assert.Equal(t, "network", l.After, l.Name)
		assert.Empty(t, l.Plan, "%s: no plan that was not shown", l.Name)
	}

	d.PlanFile = path
	report, err := d.Run(context.Background(), stage.Up, "dev")
	require.ErrorIs(t, err, ErrNeedsNewPlan)
	assert.Contains(t, err.Error(), "network changes outputs data reads, so data could not be planned before network applied, and the approval covers none of data's changes")
	assert.Equal(t, "plan of network: create=3", runner.applied["network"], "network is applied as approved")
	for _, l := range []string{"data", "compute", "observability"} {
		assert.NotContains(t, runner.fakeRunner.events, "start "+l, "%s is not updated", l)
	}
	status := report.Statuses()
	assert.Equal(t, map[string]string{"network": "succeeded", "data": "failed", "compute": "skipped", "observability": "skipped"}, status)
}

// A plan is of the files that decide what an update does: each layer's
// project and stack file of the environment, the programs, and the drift
// exceptions (an excepted property is left as it is); a change to any of
// them is named when the plan is refused.
func TestAPlanIsOfItsStackFilesProgramsAndDriftExceptions(t *testing.T) {
	files, err := PlanInputs("../..", "dev", contract.Graph())
	require.NoError(t, err)
	for _, f := range []string{"compute/Pulumi.yaml", "compute/Pulumi.dev.yaml", "compliance/drift-exceptions.yaml", "compute/computelayer/program.go", "pkg/contract/contract.go", "internal/programs/programs.go"} {
		assert.Contains(t, files, f)
	}
	assert.NotContains(t, files, "compute/Pulumi.prod.yaml", "another environment's stack file is not part of dev's plan")
	changed := maps.Clone(files)
	changed["compliance/drift-exceptions.yaml"] = "another digest"
	assert.Equal(t, []string{"compliance/drift-exceptions.yaml"}, moved(files, changed))
}
