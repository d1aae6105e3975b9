package deploy

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

// runState is what the layers of one run share.
type runState struct {
	// fresh tells the layers whose state matches the live resources (the
	// drift gate's refresh found nothing): only those may skip an update
	// with nothing to change, since the update's refresh would write nothing.
	fresh func(layer string) bool
	// plans are the layers' plans of an update, made before any layer
	// changes; dir holds the saved plan files.
	plans map[string]*layerPlan
	dir   string
	// approved: the plans are an approved plan file's; nothing is planned
	// that the approval did not cover.
	approved bool
}

const (
	statusSucceeded = "succeeded"
	statusFailed    = "failed"
	statusSkipped   = "skipped"
	// statusCancelled is a layer stopped by a signal, at a safe point.
	statusCancelled = "cancelled"
	// statusWaiting is a preview that cannot run yet: a layer it reads has
	// never been deployed, so there are no outputs to read.
	statusWaiting = "waiting"
)

// concurrent starts each layer as soon as all its dependencies succeeded. After
// a failure no further layer starts; layers already running finish.
func (d *Deployer) concurrent(ctx context.Context, op stage.Op, env profile.Environment, rs *runState) Report {
	var (
		mu      sync.Mutex
		results = map[string]LayerResult{}
		done    = map[string]chan struct{}{}
		failed  bool
		wg      sync.WaitGroup
		out     = &syncWriter{w: d.Out}
	)
	for _, l := range d.Graph {
		done[l.Name] = make(chan struct{})
	}
	for _, l := range d.Graph {
		wg.Add(1)
		go func(l stage.Layer) {
			defer wg.Done()
			defer close(done[l.Name])
			for _, dep := range l.DependsOn {
				<-done[dep]
			}
			mu.Lock()
			if op == stage.Preview {
				for _, dep := range l.DependsOn {
					if r := results[dep]; r.Status == statusWaiting || (r.Status == statusSucceeded && r.firstDeploy) {
						results[l.Name] = LayerResult{Layer: l.Name, Status: statusWaiting}
						fmt.Fprintf(out, "[%s] waiting: it reads %s's outputs, and %s has never been deployed; deploy:env plans each layer again once the layers it reads have applied\n", l.Name, dep, dep)
						mu.Unlock()
						return
					}
				}
			}
			blocked := failed || ctx.Err() != nil
			for _, dep := range l.DependsOn {
				if results[dep].Status != statusSucceeded {
					blocked = true
				}
			}
			if blocked {
				results[l.Name] = LayerResult{Layer: l.Name, Status: statusSkipped}
				mu.Unlock()
				return
			}
			mu.Unlock()
			res := d.runLayer(ctx, op, l, env, out, rs)
			mu.Lock()
			results[l.Name] = res
			if res.Status == statusFailed {
				failed = true
			}
			mu.Unlock()
		}(l)
	}
	wg.Wait()
	report := Report{Env: env, Op: op}
	for _, l := range d.Graph {
		report.Layers = append(report.Layers, results[l.Name])
	}
	return report
}

// sequential runs layers one after another and skips the rest after a failure.
func (d *Deployer) sequential(ctx context.Context, op stage.Op, env profile.Environment, order []stage.Layer, rs *runState) Report {
	report := Report{Env: env, Op: op}
	out := &syncWriter{w: d.Out}
	failed := false
	for _, l := range order {
		if failed || ctx.Err() != nil {
			report.Layers = append(report.Layers, LayerResult{Layer: l.Name, Status: statusSkipped})
			continue
		}
		res := d.runLayer(ctx, op, l, env, out, rs)
		failed = res.Status == statusFailed
		report.Layers = append(report.Layers, res)
	}
	return report
}

func (d *Deployer) runLayer(ctx context.Context, op stage.Op, l stage.Layer, env profile.Environment, out *syncWriter, rs *runState) LayerResult {
	start := d.Now()
	w := &prefixWriter{prefix: "[" + l.Name + "] ", out: out}
	engine := d.stream(l, w)
	outcome, err := d.runGuarded(ctx, op, l, env, w, engine, rs)
	if err != nil && ctx.Err() == nil {
		engine.failed(w)
	} else {
		engine.done()
	}
	w.Flush()
	res := LayerResult{Layer: l.Name, Changes: outcome.Changes, Duration: d.Now().Sub(start), Status: statusSucceeded,
		firstDeploy: createsStack(outcome.Steps)}
	if err != nil && ctx.Err() != nil {
		res.Status, res.Err = statusCancelled, err
		fmt.Fprintf(out, "[%s] cancelled: %v\n", l.Name, err)
	} else if err != nil {
		res.Status, res.Err = statusFailed, err
		fmt.Fprintf(out, "[%s] FAILED: %v\n", l.Name, err)
	}
	return res
}

// createsStack reports whether an operation creates the layer's stack
// resource: the layer has never been deployed.
func createsStack(steps []stage.Step) bool {
	for _, s := range steps {
		if s.Op == "create" && s.Type == "pulumi:pulumi:Stack" {
			return true
		}
	}
	return false
}

// runGuarded runs op on one layer. An update applies the layer's plan,
// made before any layer changed (planThenApply), or, when an upstream had
// to apply first, a plan made now; a plan that would destroy data that was
// not allowed to be lost is refused. An update whose plan changes nothing,
// outputs included, is skipped when the layer's state is fresh (nothing for
// its refresh to record). A preview warns of data loss.
// The layer's own messages go to w, the engine's stream to engine.
func (d *Deployer) runGuarded(ctx context.Context, op stage.Op, l stage.Layer, env profile.Environment, w, engine io.Writer, rs *runState) (stage.Outcome, error) {
	if op == stage.Up {
		plan := rs.plans[l.Name]
		if plan != nil && plan.after != "" && rs.approved {
			return stage.Outcome{}, fmt.Errorf("%w: %s changes outputs %s reads, so %s could not be planned before %s applied, and the approval covers none of %s's changes; "+
				"%s has applied: make a new plan of %s and approve it", ErrNeedsNewPlan, plan.after, l.Name, l.Name, plan.after, l.Name, plan.after, env)
		}
		if plan == nil || plan.after != "" {
			if plan != nil {
				fmt.Fprintf(w, "planning now that %s has applied\n", plan.after)
			}
			plan = d.planLayer(ctx, l, env, rs.dir)
			if plan.err != nil {
				return stage.Outcome{}, fmt.Errorf("plan before update: %w", plan.err)
			}
			fmt.Fprintf(w, "plan: %s\n", planLine(plan.outcome))
		}
		if err := d.checkLoss(env, plan.outcome, w); err != nil {
			return stage.Outcome{}, err
		}
		if rs.fresh(l.Name) && plan.outcome.Empty() {
			// Nothing to change, outputs included: the update would only
			// refresh. The layer keeps its state as it is.
			fmt.Fprintln(w, "no changes: not updated")
			return stage.Outcome{Changes: plan.outcome.Changes, Steps: plan.outcome.Steps}, nil
		}
		if err := ctx.Err(); err != nil {
			return stage.Outcome{}, err // stopped between the plan and the update
		}
		return d.apply(ctx, l, env, plan, engine)
	}
	outcome, err := d.Runner.Run(ctx, op, l, string(env), engine)
	if err == nil && op == stage.Preview {
		if loss := stage.DataLoss(outcome.Steps, awstype.Holds); len(loss) > 0 {
			fmt.Fprintf(w, "WARNING: this change destroys data; an update will be refused unless data loss is allowed:\n%s\n", stage.DescribeLoss(loss, awstype.Holds))
		}
	}
	return outcome, err
}

// checkLoss refuses a plan that destroys data unless data loss is allowed,
// and says so aloud when it is.
func (d *Deployer) checkLoss(env profile.Environment, plan stage.Outcome, w io.Writer) error {
	loss := stage.DataLoss(plan.Steps, awstype.Holds)
	if len(loss) == 0 {
		return nil
	}
	if !d.AllowDataLoss {
		return fmt.Errorf("%w:\n%s\nreview the change; if the loss is intended, deploy again with data loss allowed (ALLOW_DATA_LOSS=%s)", stage.ErrDataLoss, stage.DescribeLoss(loss, awstype.Holds), env)
	}
	fmt.Fprintf(w, "data loss allowed:\n%s\n", stage.DescribeLoss(loss, awstype.Holds))
	return nil
}
