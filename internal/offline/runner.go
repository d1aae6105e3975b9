package offline

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pulumi/pulumi/pkg/v3/resource/stack"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"

	"github.com/acmepay/platform/internal/awsfake"
	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/internal/quota"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
	"github.com/acmepay/platform/pkg/tagging"
)

// Runner lets the deployment code (deploy.Deployer: preflight, layer order,
// the data-loss guard, the summary, drift and the deployed manifest) drive the
// offline engine in place of the Automation API: the real engine and layer programs
// against the stand-in.
type Runner struct {
	Env *Env
	// Commit is what the history records as each update's source commit.
	Commit string
}

var (
	_ stage.Runner    = Runner{}
	_ stage.Planner   = Runner{}
	_ stage.Inspector = Runner{}
)

// Run implements stage.Runner. It prints one line per resource operation.
func (r Runner) Run(ctx context.Context, op stage.Op, l stage.Layer, env string, out io.Writer) (stage.Outcome, error) {
	if err := r.check(env); err != nil {
		return stage.Outcome{}, err
	}
	// As the Automation runner: previews and updates refresh first.
	ops := map[stage.Op]EngineOp{stage.Preview: OpPreviewRefreshing, stage.Up: OpUpdateRefreshing, stage.Destroy: OpDestroy}
	eop, ok := ops[op]
	if !ok {
		return stage.Outcome{}, fmt.Errorf("offline: unknown operation %q", op)
	}
	res, err := r.Env.Run(ctx, eop, l.Name)
	outcome := stage.Outcome{Changes: res.Changes(), Steps: res.Steps, OutputsChanged: res.OutputsChanged, ChangedOutputs: res.ChangedOutputs}
	printSteps(out, res.Steps)
	return outcome, err
}

// PlanLayer implements stage.Planner: the engine's update plan is
// written to path, as the CLI's `preview --save-plan` writes it.
func (r Runner) PlanLayer(ctx context.Context, l stage.Layer, env string, path string, out io.Writer) (stage.Outcome, error) {
	if err := r.check(env); err != nil {
		return stage.Outcome{}, err
	}
	res, plan, err := r.Env.Plan(ctx, l.Name)
	if err != nil {
		return stage.Outcome{}, err
	}
	saved, err := stack.SerializePlan(plan, config.NopEncrypter, false)
	if err != nil {
		return stage.Outcome{}, fmt.Errorf("saving the plan of %s: %w", l.Name, err)
	}
	raw, err := json.Marshal(saved)
	if err == nil {
		err = os.WriteFile(path, raw, 0o600)
	}
	if err != nil {
		return stage.Outcome{}, fmt.Errorf("saving the plan of %s: %w", l.Name, err)
	}
	return stage.Outcome{Changes: res.Changes(), Steps: res.Steps, OutputsChanged: res.OutputsChanged, ChangedOutputs: res.ChangedOutputs,
		Refreshed: res.Events}, nil
}

// ApplyPlan implements stage.Planner: the update is held to the plan
// saved at path.
func (r Runner) ApplyPlan(ctx context.Context, l stage.Layer, env string, path string, out io.Writer) (stage.Outcome, error) {
	if err := r.check(env); err != nil {
		return stage.Outcome{}, err
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return stage.Outcome{}, err
	}
	var saved apitype.DeploymentPlanV1
	if err := json.Unmarshal(raw, &saved); err != nil {
		return stage.Outcome{}, fmt.Errorf("reading the plan %s: %w", path, err)
	}
	plan, err := stack.DeserializePlan(saved, config.NopDecrypter)
	if err != nil {
		return stage.Outcome{}, fmt.Errorf("reading the plan %s: %w", path, err)
	}
	res, err := r.Env.ApplyPlan(ctx, l.Name, plan)
	outcome := stage.Outcome{Changes: res.Changes(), Steps: res.Steps, OutputsChanged: res.OutputsChanged}
	printSteps(out, res.Steps)
	if err != nil {
		// An update that fails part-way also fails its plan's check that
		// every planned change was made; the engine's error then names the
		// changes not made. The cause is in the error diagnostics: lead
		// with it, as the CLI's output does.
		var causes []string
		for _, ev := range res.Events {
			if d := ev.DiagnosticEvent; d != nil && d.Severity == "error" && !strings.HasPrefix(d.Message, "expected resource operations") &&
				!strings.Contains(d.Message, "update failed") {
				causes = append(causes, strings.TrimSpace(colors.Never.Colorize(d.Message)))
			}
		}
		if len(causes) > 0 {
			err = fmt.Errorf("%s: %w", strings.Join(causes, "; "), err)
		}
	}
	return outcome, err
}

func printSteps(out io.Writer, steps []stage.Step) {
	for _, s := range steps {
		if s.Op != "same" && s.Op != "refresh" {
			fmt.Fprintf(out, "%s %s %s\n", s.Op, s.Type, s.Name)
		}
	}
}

func (r Runner) check(env string) error {
	if env != string(r.Env.Env) {
		return fmt.Errorf("offline: runner for %s asked about %s", r.Env.Env, env)
	}
	return nil
}

// IgnoreDrift implements deploy.DriftIgnorer: later updates leave the
// excepted properties as they are.
func (r Runner) IgnoreDrift(exceptions []drift.Exception) {
	r.Env.mu.Lock()
	defer r.Env.mu.Unlock()
	r.Env.exceptions = exceptions
}

// RefreshEvents implements stage.Inspector: a refresh that writes no state.
func (r Runner) RefreshEvents(ctx context.Context, l stage.Layer, env string, _ io.Writer) ([]apitype.EngineEvent, error) {
	if err := r.check(env); err != nil {
		return nil, err
	}
	res, err := r.Env.Run(ctx, OpRefreshPreview, l.Name)
	return res.Events, err
}

// State implements stage.Inspector from the layer's snapshot.
func (r Runner) State(ctx context.Context, l stage.Layer, env string) ([]apitype.ResourceV3, error) {
	if err := r.check(env); err != nil {
		return nil, err
	}
	return r.Env.state(ctx, l.Name)
}

// LastUpdate implements stage.Inspector: the offline history holds only
// successful updates, numbered from 1.
func (r Runner) LastUpdate(_ context.Context, l stage.Layer, env string) (*stage.Update, error) {
	if err := r.check(env); err != nil {
		return nil, err
	}
	r.Env.mu.Lock()
	n := r.Env.updates[l.Name]
	r.Env.mu.Unlock()
	if n == 0 {
		return nil, nil
	}
	return &stage.Update{Version: n, Commit: r.Commit, Result: "succeeded"}, nil
}

// Quotas reads the stand-in account's quotas and their use, as
// quota.AWS reads AWS's: what is the environment's own is told by
// its Environment and Project tags, as in AWS.
type Quotas struct{ Cloud *awsfake.Cloud }

// Usage implements quota.Reader.
func (q Quotas) Usage(_ context.Context, p profile.Profile) (quota.Usage, error) {
	limits := q.Cloud.Limits()
	u := quota.Usage{LambdaConcurrency: limits[awstype.Function], LambdaUnreserved: limits[awstype.Function],
		EIPQuota: limits[awstype.Eip], VPCQuota: limits[awstype.Vpc], NATQuota: limits[awstype.NatGateway], NATs: map[string]int{}, OwnNATs: map[string]int{}}
	all := q.Cloud.Resources()
	for _, l := range all {
		tags := l.Inputs["tags"]
		own := tags.IsObject() && tags.ObjectValue()[tagging.KeyEnvironment].IsString() &&
			tags.ObjectValue()[tagging.KeyEnvironment].StringValue() == string(p.Environment) &&
			tags.ObjectValue()[tagging.KeyProject].IsString() && tags.ObjectValue()[tagging.KeyProject].StringValue() == tagging.Project
		switch l.Type {
		case awstype.Function:
			r := awsfake.Reserved(l.Inputs)
			u.LambdaUnreserved -= r
			if own {
				u.FunctionReserved += r
			}
		case awstype.Eip:
			u.EIPs++
			if own {
				u.OwnEIPs++
			}
		case awstype.Vpc:
			u.VPCs++
			if own {
				u.OwnVPCs++
			}
		case awstype.NatGateway:
			zone := awsfake.ZoneOf(l, all)
			u.NATs[zone]++
			if own {
				u.OwnNATs[zone]++
			}
		}
	}
	return u, nil
}
