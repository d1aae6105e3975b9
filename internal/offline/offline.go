// Package offline runs the four layer programs of one environment through the
// real Pulumi engine, in process, against the in-memory AWS stand-in of
// package awsfake. Each layer is its own stack with its own snapshot; each
// layer's config comes from its Pulumi.<env>.yaml; StackReferences are served
// from the earlier layers' real stack outputs. It is how the platform proves,
// without a cloud account, that a second deploy changes nothing, that destroy
// leaves nothing, and that a console edit is caught as drift; and it is the
// engine behind the offline plan (`plan:env`), in production.
//
// The one tie to package testing: Pulumi drives a deployment in process only
// through its lifecycle test framework (pkg/engine/lifecycletest/framework),
// which asks for a testing.TB-shaped value (lt.TB) and links package testing.
// Tests pass their *testing.T; the offline plan passes CommandTB (tb.go),
// which collects the framework's failures as one error. Nothing else here
// uses package testing.
package offline

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/pkg/v3/backend/display"
	"github.com/pulumi/pulumi/pkg/v3/engine"
	lt "github.com/pulumi/pulumi/pkg/v3/engine/lifecycletest/framework"
	pdeploy "github.com/pulumi/pulumi/pkg/v3/resource/deploy"
	"github.com/pulumi/pulumi/pkg/v3/resource/deploy/deploytest"
	"github.com/pulumi/pulumi/pkg/v3/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/internal/awsfake"
	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/internal/programs"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

// Programs maps each layer to the program `pulumi up` runs in its directory.
var Programs = programs.ByLayer()

// Organization is what the file backend calls every organization.
const Organization = "organization"

// Env is one environment's four stacks in the stand-in cloud.
type Env struct {
	Root    string
	Env     profile.Environment
	Profile profile.Profile
	Cloud   *awsfake.Cloud
	// Programs may be replaced (tests slip a bad resource into a layer).
	Programs map[string]pulumi.RunFunc

	tb      lt.TB
	mu      sync.Mutex
	snaps   map[string]*pdeploy.Snapshot
	updates map[string]int // successful updates per layer
	// exceptions are the drift updates leave as it is (Runner.IgnoreDrift).
	exceptions []drift.Exception
}

// New prepares an environment from the stack files under root, with an empty
// stand-in account.
func New(tb lt.TB, root string, env profile.Environment) (*Env, error) {
	p, err := profile.ForDeployment(root, env)
	if err != nil {
		return nil, err
	}
	programs := map[string]pulumi.RunFunc{}
	for k, v := range Programs {
		programs[k] = v
	}
	return &Env{
		Root: root, Env: env, Profile: p, Cloud: awsfake.New(p.AccountID, p.Region),
		Programs: programs, tb: tb, snaps: map[string]*pdeploy.Snapshot{}, updates: map[string]int{},
	}, nil
}

// ForBootstrap prepares a stack of the bootstrap project (an environment's
// account, or the tooling account's) with an empty stand-in account. Its
// program runs under the project's name, like a layer's.
func ForBootstrap(tb lt.TB, root, stack, account, region string) *Env {
	return &Env{
		Root: root, Env: profile.Environment(stack), Cloud: awsfake.New(account, region),
		Programs: map[string]pulumi.RunFunc{bootstrapiam.Project: programs.Bootstrap},
		tb:       tb, snaps: map[string]*pdeploy.Snapshot{}, updates: map[string]int{},
	}
}

// AsDeployer bootstraps the environment's account in the stand-in, as its
// administrator, then makes every later operation a call by the pipeline's
// deployer: each API call is evaluated under the deployer's live documents,
// so what the deployer may not do fails naming the role, the action, the
// resource and the statement.
//
// A review environment runs in the account of the environment it runs
// beside, whose bootstrap makes the review role: that bootstrap runs, and
// every later operation is a call by the review role.
func (e *Env) AsDeployer(ctx context.Context) error {
	deployer := bootstrapiam.DeployerRoleName
	if home := profile.Home(e.Env); home != e.Env {
		boot := ForBootstrap(e.tb, e.Root, string(home), e.Profile.AccountID, e.Profile.Region)
		boot.Cloud = e.Cloud
		if _, err := boot.Run(ctx, OpUpdate, bootstrapiam.Project); err != nil {
			return err
		}
		deployer = bootstrapiam.ReviewRoleName
	} else {
		e.Programs[bootstrapiam.Project] = programs.Bootstrap
		if _, err := e.Run(ctx, OpUpdate, bootstrapiam.Project); err != nil {
			return err
		}
	}
	if err := JoinOrganisation(e.Cloud); err != nil {
		return err
	}
	e.Cloud.CallAs(iampolicy.Scope{Region: e.Profile.Region, Account: e.Profile.AccountID}.Role(deployer))
	return nil
}

// JoinOrganisation puts the stand-in account in the organisation the
// environments file describes, under its SCP and RCP, so that every call a
// role makes is evaluated with the organisation's guardrails attached too.
func JoinOrganisation(cloud *awsfake.Cloud) error {
	t, err := bootstrapiam.PlannedTooling()
	if err != nil {
		return err
	}
	cloud.JoinOrganisation(awsfake.Organisation{
		ID:   t.Pipeline.OrganizationID,
		SCPs: []iampolicy.Document{t.ServiceControlPolicy()},
		RCPs: []iampolicy.Document{t.ResourceControlPolicy()},
	})
	return nil
}

// Result is what one operation on one layer did.
type Result struct {
	Layer  string
	Events []apitype.EngineEvent
	Steps  []stage.Step
	// OutputsChanged: the stack's outputs differ from its last update's.
	OutputsChanged bool
	// ChangedOutputs names the outputs that differ.
	ChangedOutputs []string
}

// Changes counts the steps that change something.
func (r Result) Changes() stage.Changes { return stage.ChangesOf(r.Steps) }

// EngineOp names the engine operations the offline engine runs: more than
// a deployment's (stage.Op), since drift and recovery refresh.
type EngineOp string

// The operations.
const (
	OpUpdate         EngineOp = "update"
	OpPreview        EngineOp = "preview"
	OpDestroy        EngineOp = "destroy"
	OpRefreshPreview EngineOp = "refresh-preview"
	OpRefresh        EngineOp = "refresh"
	// The deployment code's preview and update: each refreshes from the
	// live resources first (`pulumi preview --refresh`, `pulumi up
	// --refresh`), so an update puts drifted resources back.
	OpPreviewRefreshing EngineOp = "preview --refresh"
	OpUpdateRefreshing  EngineOp = "update --refresh"
)

// engineOps is how the engine runs each operation: its operation, whether
// it only previews, and whether it refreshes from the live resources first.
var engineOps = map[EngineOp]struct {
	op              lt.TestOp
	dryRun, refresh bool
}{
	OpUpdate:            {op: engine.Update},
	OpPreview:           {op: engine.Update, dryRun: true},
	OpUpdateRefreshing:  {op: engine.Update, refresh: true},
	OpPreviewRefreshing: {op: engine.Update, dryRun: true, refresh: true},
	OpDestroy:           {op: engine.Destroy},
	OpRefreshPreview:    {op: engine.Refresh, dryRun: true},
	OpRefresh:           {op: engine.Refresh},
}

// Run performs op on one layer and keeps the new snapshot (previews keep the
// old one).
func (e *Env) Run(ctx context.Context, op EngineOp, layer string) (Result, error) {
	res, _, err := e.run(ctx, op, layer, nil)
	return res, err
}

// Plan previews an update of a layer (refreshing first) and returns the
// engine's update plan of it.
func (e *Env) Plan(ctx context.Context, layer string) (Result, *pdeploy.Plan, error) {
	return e.run(ctx, OpPreviewRefreshing, layer, nil)
}

// ApplyPlan updates a layer (refreshing first), held to an update plan:
// a resource change the plan does not allow fails the update.
func (e *Env) ApplyPlan(ctx context.Context, layer string, plan *pdeploy.Plan) (Result, error) {
	res, _, err := e.run(ctx, OpUpdateRefreshing, layer, plan)
	return res, err
}

// run runs op on a layer: a preview returns its update plan, and an update
// is held to held when it is set.
func (e *Env) run(ctx context.Context, op EngineOp, layer string, held *pdeploy.Plan) (Result, *pdeploy.Plan, error) {
	program, ok := e.Programs[layer]
	if !ok {
		return Result{}, nil, fmt.Errorf("offline: unknown layer %q", layer)
	}
	e.mu.Lock()
	program = drift.LeaveExcepted(program, string(e.Env), e.exceptions)
	e.mu.Unlock()
	cfg, err := profile.ReadStackFile(profile.StackFile(filepath.Join(e.Root, layer), string(e.Env)))
	if err != nil {
		return Result{}, nil, err
	}
	runtime := deploytest.NewLanguageRuntimeF(func(info plugin.RunInfo, _ *deploytest.ResourceMonitor) error {
		pctx, err := pulumi.NewContext(context.Background(), pulumi.RunInfo{
			Project: info.Project, Stack: info.Stack, Organization: Organization,
			Parallel: info.Parallel, DryRun: info.DryRun, MonitorAddr: info.MonitorAddress,
			Config: cfg,
		})
		if err != nil {
			return err
		}
		return pulumi.RunWithContext(pctx, program)
	})
	hostF := deploytest.NewPluginHostF(nil, nil, runtime, nil, nil, e.Cloud.Loader())
	plan := &lt.TestPlan{
		Project:       layer,
		Stack:         string(e.Env),
		BackendClient: &deploytest.BackendClient{GetStackOutputsF: e.stackOutputs},
		Options:       lt.TestUpdateOptions{T: e.tb, HostF: hostF, SkipDisplayTests: true},
	}
	e.mu.Lock()
	snap := e.snaps[layer]
	e.mu.Unlock()
	target := plan.GetTarget(e.tb, snap)

	how, ok := engineOps[op]
	if !ok {
		return Result{}, nil, fmt.Errorf("offline: unknown operation %q", op)
	}
	testOp, dryRun := how.op, how.dryRun
	plan.Options.Refresh = how.refresh
	res := Result{Layer: layer}
	validate := func(_ workspace.Project, _ pdeploy.Target, _ engine.JournalEntries, events []engine.Event, err error) error {
		for _, ev := range events {
			if ev.Type == engine.ResourcePreEvent {
				md := ev.Payload().(engine.ResourcePreEventPayload).Metadata
				res.Steps = append(res.Steps, step(md))
			}
			if ev.Type == engine.ResourceOutputsEvent {
				md := ev.Payload().(engine.ResourceOutputsEventPayload).Metadata
				if md.Type == "pulumi:pulumi:Stack" {
					var old, new resource.PropertyMap
					if md.Old != nil {
						old = md.Old.Outputs
					}
					if md.New != nil {
						new = md.New.Outputs
					}
					res.ChangedOutputs = append(res.ChangedOutputs,
						stage.ChangedKeys(old, new, func(a, b resource.PropertyValue) bool { return a.DeepEquals(b) })...)
					res.OutputsChanged = res.OutputsChanged || md.Old == nil || md.New == nil || !md.Old.Outputs.DeepEquals(md.New.Outputs)
				}
			}
			converted, cerr := display.ConvertEngineEvent(ev, false)
			if cerr == nil {
				res.Events = append(res.Events, converted)
			}
		}
		return err
	}
	plan.Options.Plan = held
	var (
		newSnap *pdeploy.Snapshot
		made    *pdeploy.Plan
	)
	if op == OpPreviewRefreshing {
		made, err = testOp.PlanStep(plan.GetProject(), target, plan.Options, plan.BackendClient, validate, "")
	} else {
		newSnap, err = testOp.RunWithContextStep(ctx, plan.GetProject(), target, plan.Options, dryRun, plan.BackendClient, validate, "")
	}
	if err != nil {
		// As a backend does, keep what a failed or cancelled run recorded.
		if !dryRun && newSnap != nil {
			e.mu.Lock()
			e.snaps[layer] = newSnap
			e.mu.Unlock()
		}
		return res, nil, fmt.Errorf("%s %s of %s: %w", op, layer, e.Env, err)
	}
	if !dryRun {
		e.mu.Lock()
		e.snaps[layer] = newSnap
		if op == OpUpdate || op == OpUpdateRefreshing {
			e.updates[layer]++
		}
		e.mu.Unlock()
	}
	return res, made, nil
}

func step(md engine.StepEventMetadata) stage.Step {
	var old, new resource.PropertyMap
	if md.Old != nil {
		old = md.Old.Inputs
	}
	if md.New != nil {
		new = md.New.Inputs
	}
	return stage.NewStep(string(md.Op), string(md.Type), string(md.URN), old, new, awstype.Physical)
}

// Up runs an update of every layer in dependency order.
func (e *Env) Up(ctx context.Context) ([]Result, error) {
	return e.each(ctx, OpUpdate, contract.Graph())
}

// Destroy destroys every layer in reverse order.
func (e *Env) Destroy(ctx context.Context) ([]Result, error) {
	return e.each(ctx, OpDestroy, stage.DestroyOrder(contract.Graph()))
}

// RefreshPreview refreshes every layer without writing state.
func (e *Env) RefreshPreview(ctx context.Context) ([]Result, error) {
	return e.each(ctx, OpRefreshPreview, contract.Graph())
}

func (e *Env) each(ctx context.Context, op EngineOp, order []stage.Layer) ([]Result, error) {
	var out []Result
	for _, l := range order {
		r, err := e.Run(ctx, op, l.Name)
		out = append(out, r)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// Snapshot returns a layer's current snapshot (nil before its first update).
func (e *Env) Snapshot(layer string) *pdeploy.Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.snaps[layer]
}

// StackOutputs returns the outputs of a layer's stack resource.
func (e *Env) StackOutputs(layer string) (resource.PropertyMap, bool) {
	snap := e.Snapshot(layer)
	if snap == nil {
		return nil, false
	}
	for _, r := range snap.Resources {
		if r.Type == resource.RootStackType {
			return r.Outputs, true
		}
	}
	return nil, false
}

// stackOutputs answers a StackReference ("organization/network/dev") from
// the referenced layer's snapshot.
func (e *Env) stackOutputs(_ context.Context, name string, _ func(error) error) (property.Map, error) {
	parts := strings.Split(name, "/")
	if len(parts) != 3 || parts[0] != Organization || parts[2] != string(e.Env) {
		return property.Map{}, fmt.Errorf("offline: stack %q is not a stack of environment %s", name, e.Env)
	}
	outputs, ok := e.StackOutputs(parts[1])
	if !ok {
		return property.Map{}, errors.New("offline: stack " + name + " has not been deployed")
	}
	return resource.FromResourcePropertyMap(outputs), nil
}
