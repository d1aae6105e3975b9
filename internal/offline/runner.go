package offline

import (
	"context"
	"fmt"
	"io"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/acmepay/platform/internal/deploy"
	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/pkg/profile"
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
	_ deploy.Runner       = Runner{}
	_ deploy.Inspector    = Runner{}
	_ deploy.DriftIgnorer = Runner{}
)

// Run implements deploy.Runner. It prints one line per resource operation.
func (r Runner) Run(ctx context.Context, op deploy.Op, l deploy.Layer, env profile.Environment, out io.Writer) (deploy.Outcome, error) {
	if err := r.check(env); err != nil {
		return deploy.Outcome{}, err
	}
	// As the Automation runner: previews and updates refresh first.
	ops := map[deploy.Op]EngineOp{deploy.Preview: OpPreviewRefreshing, deploy.Up: OpUpdateRefreshing, deploy.Destroy: OpDestroy}
	eop, ok := ops[op]
	if !ok {
		return deploy.Outcome{}, fmt.Errorf("offline: unknown operation %q", op)
	}
	res, err := r.Env.Run(ctx, eop, l.Name)
	outcome := deploy.Outcome{Changes: res.Changes(), Steps: res.Steps}
	for _, s := range res.Steps {
		if s.Op != "same" && s.Op != "refresh" {
			fmt.Fprintf(out, "%s %s %s\n", s.Op, s.Type, s.Name)
		}
	}
	return outcome, err
}

func (r Runner) check(env profile.Environment) error {
	if env != r.Env.Env {
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

// RefreshEvents implements deploy.Inspector: a refresh that writes no state.
func (r Runner) RefreshEvents(ctx context.Context, l deploy.Layer, env profile.Environment, _ io.Writer) ([]apitype.EngineEvent, error) {
	if err := r.check(env); err != nil {
		return nil, err
	}
	res, err := r.Env.Run(ctx, OpRefreshPreview, l.Name)
	return res.Events, err
}

// State implements deploy.Inspector from the layer's snapshot.
func (r Runner) State(ctx context.Context, l deploy.Layer, env profile.Environment) ([]apitype.ResourceV3, error) {
	if err := r.check(env); err != nil {
		return nil, err
	}
	return r.Env.state(ctx, l.Name)
}

// LastUpdate implements deploy.Inspector: the offline history holds only
// successful updates, numbered from 1.
func (r Runner) LastUpdate(_ context.Context, l deploy.Layer, env profile.Environment) (*manifest.Deployment, error) {
	if err := r.check(env); err != nil {
		return nil, err
	}
	r.Env.mu.Lock()
	n := r.Env.updates[l.Name]
	r.Env.mu.Unlock()
	if n == 0 {
		return nil, nil
	}
	return &manifest.Deployment{Version: n, Commit: r.Commit, Result: "succeeded"}, nil
}
