package harness

import (
	"context"
	"fmt"
	"io"

	"github.com/acmepay/platform/internal/deploy"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/profile"
)

// Runner lets the deployment code (deploy.Deployer: preflight, layer order,
// the data-loss guard, the summary) drive the harness in place of the
// Automation API: the real engine and layer programs against the stand-in.
type Runner struct{ Env *Env }

var _ deploy.Runner = Runner{}

// Run implements deploy.Runner. It prints one line per resource operation.
func (r Runner) Run(ctx context.Context, op deploy.Op, l deploy.Layer, env profile.Environment, out io.Writer) (deploy.Outcome, error) {
	if env != r.Env.Env {
		return deploy.Outcome{}, fmt.Errorf("harness: runner for %s asked to run %s", r.Env.Env, env)
	}
	ops := map[deploy.Op]Op{deploy.Preview: OpPreview, deploy.Up: OpUpdate, deploy.Destroy: OpDestroy}
	hop, ok := ops[op]
	if !ok {
		return deploy.Outcome{}, fmt.Errorf("harness: unknown operation %q", op)
	}
	res, err := r.Env.Run(ctx, hop, l.Name)
	outcome := deploy.Outcome{Changes: deploy.Changes(res.Changes())}
	for _, s := range res.Steps {
		inputs := s.Old // what a replacement or deletion would lose
		if inputs == nil {
			inputs = s.Inputs
		}
		outcome.Steps = append(outcome.Steps, deploy.Step{Op: s.Op, Type: s.Type, URN: s.URN, Physical: naming.Physical(s.Type, inputs.Mappable())})
		if s.Op != "same" {
			fmt.Fprintf(out, "%s %s %s\n", s.Op, s.Type, s.Name)
		}
	}
	return outcome, err
}
